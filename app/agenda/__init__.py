"""Stage 2: the agenda, its change log and its calendar feeds."""
