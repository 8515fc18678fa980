"""HTTP routes, one module per audience. They parse input, call one command, render."""

from __future__ import annotations

from facilitator.web import ids  # the {name:id} path convertor, before any route is made

__all__ = ["ids"]
