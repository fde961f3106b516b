"""Stage 1, ingest: archive files (any supported format, plain or compressed) -> the canonical table."""
