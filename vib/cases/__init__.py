"""Cases (pseudonymous) and the consent of the people filmed in them."""
