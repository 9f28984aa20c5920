"""Supervision: review requests, strength-focused feedback anchored on moments, notifications."""
