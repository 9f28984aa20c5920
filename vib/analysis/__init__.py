"""Descriptive interaction-analysis figures per clip, agreement between two codings (standard library
only), and the progress chart across cycles (matplotlib, to SVG); pure: no Flask, no database."""
