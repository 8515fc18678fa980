"""facilitator: self-hosted, real-time breakout sessions for workshops and conferences."""

from __future__ import annotations

__version__ = "0.1.0"
