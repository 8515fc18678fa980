"""The `facilitator` command."""
