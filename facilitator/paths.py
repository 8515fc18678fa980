"""Where the templates, static files and examples are: inside the installed package (a
wheel), or beside it in a source checkout (an editable install)."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _find(name: str) -> Path:
    for candidate in (_PACKAGE / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise RuntimeError(f"Cannot find the {name}/ folder next to {_PACKAGE}")


def templates_dir() -> Path:
    return _find("templates")


def static_dir() -> Path:
    return _find("static")


def example_setup() -> Path:
    """The documented example set-up file, which organisers download from the dashboard."""
    return _find("examples") / "workshop.yaml"
