"""Exports: read one workshop into a snapshot, then pure functions `snapshot -> bytes`."""
