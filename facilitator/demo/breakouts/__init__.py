"""The demo's written breakout groups, one module each, in the order of the programme."""
