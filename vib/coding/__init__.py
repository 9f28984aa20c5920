"""Coding: code schemes, moments on the timeline, the review screen and the clip statistics."""
