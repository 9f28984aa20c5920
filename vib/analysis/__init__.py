"""Descriptive interaction-analysis figures per clip (pure, standard library only)."""
