"""Clips: upload, processing into a playable rendition, playback, thumbnails and filmstrip."""
