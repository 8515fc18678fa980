"""A workshop's set-up as a YAML file: read with line numbers, check, create in one go, write back.

The CLI (`facilitator workshop import` / `export-setup`) and the organiser's upload share this.
A file is checked whole before anything is written, and written in one transaction, so a bad
file creates nothing. Every problem is reported with its line and field.

`schema` is the file's shape, `reading` turns text into a checked `Setup`, `creating` makes
the workshop from it, `writing` turns a workshop back into a file.
"""

from __future__ import annotations

from facilitator.domain.setup_file.creating import Created, create, import_setup, join_links
from facilitator.domain.setup_file.reading import BadSetup, Problem, parse
from facilitator.domain.setup_file.schema import Setup
from facilitator.domain.setup_file.writing import dump

__all__ = [
    "BadSetup",
    "Created",
    "Problem",
    "Setup",
    "create",
    "dump",
    "import_setup",
    "join_links",
    "parse",
]
