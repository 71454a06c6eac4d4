"""Stage 1: the background document that sets a common understanding before the meeting."""
