"""Stage 5: the thematic learning note."""
