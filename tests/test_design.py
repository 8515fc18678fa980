"""The design system's colours meet WCAG 2.2 AA contrast (4.5:1 for text) in light and dark,
for every pairing the style sheet uses, including states a page rarely shows (offline, failed)."""

from __future__ import annotations

import re

import pytest

from facilitator.paths import static_dir

CSS = (static_dir() / "app.css").read_text()
# (text colour, background colour), as app.css pairs them.
PAIRS = [
    ("text", "bg"), ("text", "surface"), ("text", "surface-2"), ("text", "mine"),
    ("muted", "bg"), ("muted", "surface"), ("muted", "surface-2"),
    ("accent", "bg"), ("accent", "surface"), ("accent", "mine"), ("accent-strong", "mine"),
    ("accent-text", "accent"), ("accent-text", "accent-strong"),
    ("danger", "bg"), ("danger", "surface"), ("warn", "bg"), ("warn", "surface"),
    ("warn", "surface-2"), ("ok", "surface"), ("bg", "ok"),
]  # fmt: skip


def palette(block: str) -> dict[str, str]:
    return dict(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{6})\s*;", block))


def schemes() -> dict[str, dict[str, str]]:
    light = palette(CSS.split("@media (prefers-color-scheme: dark)")[0])
    dark_block = CSS.split("@media (prefers-color-scheme: dark)")[1].split("}")[0]
    return {"light": light, "dark": {**light, **palette(dark_block)}}


def luminance(hex_colour: str) -> float:
    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: str, b: str) -> float:
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_text_colours_meet_aa_contrast(scheme: str) -> None:
    colours = schemes()[scheme]
    weak = {
        f"{fg} on {bg}": round(contrast(colours[fg], colours[bg]), 2)
        for fg, bg in PAIRS
        if contrast(colours[fg], colours[bg]) < 4.5
    }
    assert weak == {}


def test_both_schemes_define_every_colour() -> None:
    light, dark = schemes()["light"], palette(CSS.split("prefers-color-scheme: dark)")[1])
    assert {name for pair in PAIRS for name in pair} <= set(light) & set(dark)
