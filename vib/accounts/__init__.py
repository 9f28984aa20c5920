"""People who use vib: accounts, roles, API tokens, login."""
