"""Pure media processing: files in, facts and pictures out. Imports neither Flask nor SQLAlchemy."""
