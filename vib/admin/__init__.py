"""Administration: accounts, roles, certificates and the audit log. Never client video."""
