"""Descriptive interaction-analysis figures per clip, and agreement between two codings (pure, standard library only)."""
