"""Jinja2 set-up: one template per page with named blocks; a block is also a live fragment."""

from __future__ import annotations

import datetime as dt
import hashlib
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from jinja2_fragments import render_block

from facilitator import i18n, moments
from facilitator.domain import codes, phases, rec_seed
from facilitator.domain.board import GroupState, seconds_left
from facilitator.group_settings import MAX_BUDGET
from facilitator.paths import static_dir, templates_dir
from facilitator.vocabulary import MOMENT_LABELS


@cache
def _static_version(path: str, mtime: float) -> str:
    return hashlib.sha256((static_dir() / path).read_bytes()).hexdigest()[:10]


def static_url(path: str) -> str:
    """A content-hashed URL, so browsers may cache static files for a year."""
    file = static_dir() / path
    return f"/static/{path}?v={_static_version(path, file.stat().st_mtime)}"


def iso_time(value: str | dt.datetime) -> str:
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def short_time(value: str | dt.datetime) -> str:
    """UTC clock time; pages show it in the reader's own time zone when scripts run."""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return i18n.format_time(value)


def clock(state: GroupState) -> str:
    """The timer as M:SS, as the server sees it; pages count down from there."""
    left = seconds_left(state)
    if left is None:
        return ""
    whole = int(left)
    return f"{whole // 60}:{whole % 60:02d}"


def make_environment(directory: Path | None = None) -> Environment:
    env = Environment(
        loader=FileSystemLoader(directory or templates_dir()),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        # Templates are read once per process: checking each file's mtime on every render
        # showed in the profile of a reconnect storm. Restart to see a template change.
        auto_reload=False,
    )
    # The callables read the language of the request or render in progress (i18n.using).
    env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=i18n.gettext,
        ngettext=i18n.ngettext,
        pgettext=i18n.pgettext,
        npgettext=i18n.npgettext,
        newstyle=True,
    )
    env.globals.update(
        static=static_url,
        display_code=codes.display,
        clock=clock,
        phase_order=[p.value for p in phases.ORDER],
        phase_labels={p.value: label for p, label in phases.LABELS.items()},
        phase_hints={p.value: hint for p, hint in phases.HINTS.items()},
        moment_labels=MOMENT_LABELS,
        moment_label=moments.label,  # an occasion's key, read ("at the end of round 2")
        max_budget=MAX_BUDGET,  # the settings form's bound, as GroupSettings checks it
        locale=i18n.current,
        direction=i18n.direction,
        languages=i18n.NAMES,
        recommendation_seed=rec_seed.seed_text,
    )
    env.filters.update(
        iso_time=iso_time,
        short_time=short_time,
        date=i18n.format_date,
        time=i18n.format_time,
        datetime=i18n.format_datetime,
        number=i18n.format_number,
        percent=i18n.format_percent,
    )
    return env


class Templates:
    def __init__(self, env: Environment | None = None):
        self.env = env or make_environment()

    def render(self, template: str, /, **context: Any) -> str:
        return self.env.get_template(template).render(**context)

    def block(self, template: str, block: str, /, **context: Any) -> str:
        """One named block of a page: the same markup the page shows, for a live update."""
        return render_block(self.env, template, block, **context)
