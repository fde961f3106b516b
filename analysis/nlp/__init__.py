"""Stage 2, scores: sentiment and hostility for every row of the canonical table, and their evaluation."""
