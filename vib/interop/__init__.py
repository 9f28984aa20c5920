"""Exchanging a clip's moments with other tools: ELAN (EAF), BORIS, vib's CSV and WebVTT, out and in."""
