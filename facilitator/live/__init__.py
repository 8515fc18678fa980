"""Live updates: rooms per channel, one socket's life, viewers, the wire, the collector."""
