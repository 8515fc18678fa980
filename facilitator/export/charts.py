"""Charts of a series of counts: inline SVG for pages, PNG for the DOCX report.

Drawn by hand: bars and axes need no plotting library.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Callable, Sequence
from html import escape

from facilitator.i18n import format_number, gettext, ngettext
from facilitator.metrics import Series

MAX_BAR = 48  # pixels: one or two buckets should still look like bars, not a block


def svg_chart(series: Series, width: int = 640, ident: str = "chart") -> str:
    """A bar chart as inline SVG, for server-rendered pages (no JavaScript, no library):
    a y axis at round counts with its title, the time under the first and last bar, and a
    text alternative (title and description) in the reader's language. Colours come from
    the page's stylesheet (`.chart-*` classes), so it reads in light and dark."""
    height, top, bottom, right = 220, 28, 190, width - 12
    minutes = round(series.bucket.total_seconds() / 60)
    title = ngettext(
        "Ideas submitted per minute", "Ideas submitted per {n} minutes", minutes
    ).format(n=format_number(minutes))
    scale = ticks(max(series.counts, default=0))
    label_width = 8 * len(format_number(scale[-1]))
    left = 34 + label_width  # the axis title, then the widest tick label
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="{ident}-title {ident}-desc" class="chart-svg">',
        f'<title id="{ident}-title">{escape(title)}</title>',
        f'<desc id="{ident}-desc">{escape(describe(series))}</desc>',
        f'<text x="{left}" y="16" class="chart-title">{escape(title)}</text>',
    ]
    for value in scale:
        y = bottom - (bottom - top) * value / scale[-1]
        kind = "chart-axis" if value == 0 else "chart-grid"
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{right}" y2="{y:.1f}" class="{kind}"/>')
        parts.append(
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" class="chart-label">'
            f"{format_number(value)}</text>"
        )
    parts.append(f'<line x1="{left}" y1="{top}" x2="{left}" y2="{bottom}" class="chart-axis"/>')
    middle = (top + bottom) / 2
    parts.append(
        f'<text x="14" y="{middle:.1f}" text-anchor="middle" class="chart-label" '
        f'transform="rotate(-90 14 {middle:.1f})">{escape(gettext("Ideas"))}</text>'
    )
    n = max(1, len(series.counts))
    bar = min((right - left - 2) / n, MAX_BAR)
    for i, count in enumerate(series.counts):
        h = (bottom - top) * count / scale[-1]
        x = left + 2 + i * bar
        parts.append(
            f'<rect x="{x:.1f}" y="{bottom - h:.1f}" width="{max(bar - 2, 1):.1f}" '
            f'height="{h:.1f}" class="chart-bar"><title>{series.label(i)}: '
            f"{escape(ideas_count(count))}</title></rect>"
        )
    for i in sorted({0, len(series.counts) - 1} if series.counts else set()):
        x = left + 2 + i * bar
        parts.append(
            f'<text x="{x:.1f}" y="{height - 10}" class="chart-label">{series.label(i)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def ideas_count(n: int) -> str:
    return ngettext("{n} idea", "{n} ideas", n).format(n=format_number(n))


def describe(series: Series) -> str:
    """What the chart shows, in words: for a screen reader, and anyone who cannot see it."""
    if not series.counts:
        return gettext("No ideas yet.")
    peak = max(series.counts)
    return gettext(
        "{total} from {start} to {end} UTC; the most in one interval: {peak}, at {at}."
    ).format(
        total=ideas_count(sum(series.counts)),
        start=series.label(0),
        end=series.label(len(series.counts)),
        peak=format_number(peak),
        at=series.label(series.counts.index(peak)),
    )


# Digits and ":" in a 5×7 pixel font, for the PNG's axis labels (no font library needed).
_GLYPHS = {
    "0": ("01110", "10001", "10011", "10101", "11001", "10001", "01110"),
    "1": ("00100", "01100", "00100", "00100", "00100", "00100", "01110"),
    "2": ("01110", "10001", "00001", "00010", "00100", "01000", "11111"),
    "3": ("11110", "00001", "00001", "01110", "00001", "00001", "11110"),
    "4": ("00010", "00110", "01010", "10010", "11111", "00010", "00010"),
    "5": ("11111", "10000", "11110", "00001", "00001", "10001", "01110"),
    "6": ("00110", "01000", "10000", "11110", "10001", "10001", "01110"),
    "7": ("11111", "00001", "00010", "00100", "01000", "01000", "01000"),
    "8": ("01110", "10001", "10001", "01110", "10001", "10001", "01110"),
    "9": ("01110", "10001", "10001", "01111", "00001", "00010", "01100"),
    ":": ("00000", "01100", "01100", "00000", "01100", "01100", "00000"),
}
SCALE = 2  # each font pixel is 2×2 image pixels: 10×14 per character
CHAR = 6 * SCALE  # a character's advance, with one column of space


def ticks(peak: int) -> list[int]:
    """Round values for the y axis from 0 to at least `peak`: steps of 1, 2 or 5 × 10ⁿ,
    at most five of them."""
    step = 1
    while peak / step > 5:
        for factor in (2, 5 / 2, 2):  # 1 → 2 → 5 → 10 → 20 ...
            step = round(step * factor)
            if peak / step <= 5:
                break
    top = -(-max(peak, 1) // step) * step
    return list(range(0, top + 1, step))


def png_chart(
    counts: Sequence[int],
    width: int = 600,
    height: int = 220,
    labels: Callable[[int], str] | None = None,
) -> bytes:
    """The same bars as a PNG for the DOCX report, drawn in pixels and encoded with zlib,
    with a y axis (ticks at round counts, labelled) and, given `labels`, the time at the
    first and last bucket under the x axis."""
    bg, fg, axis, grid, ink = (
        (255, 255, 255),
        (52, 101, 164),
        (85, 85, 85),
        (225, 225, 225),
        (0, 0, 0),
    )
    pixels = [[bg] * width for _ in range(height)]

    def text(x: int, y: int, words: str) -> None:
        for k, ch in enumerate(words):
            for row, bits in enumerate(_GLYPHS.get(ch, ())):
                for col, bit in enumerate(bits):
                    if bit == "1":
                        for dy in range(SCALE):
                            for dx in range(SCALE):
                                px, py = x + k * CHAR + col * SCALE + dx, y + row * SCALE + dy
                                if 0 <= px < width and 0 <= py < height:
                                    pixels[py][px] = ink

    scale = ticks(max(counts, default=0))
    left = 8 + CHAR * len(str(scale[-1])) + 6  # room for the widest tick label
    top, bottom = 10, height - (10 + 7 * SCALE + 6 if labels else 10)
    right = width - 10
    for value in scale:
        y = bottom - round((bottom - top) * value / scale[-1])
        for x in range(left, right):
            pixels[y][x] = grid if value else axis
        for x in range(left - 5, left):
            pixels[y][x] = axis
        words = str(value)
        text(left - 8 - CHAR * len(words), y - 7 * SCALE // 2, words)
    for y in range(top, bottom + 1):
        pixels[y][left] = axis
    n = max(1, len(counts))
    bar = min((right - left - 2) / n, MAX_BAR)
    for i, count in enumerate(counts):
        h = round((bottom - top) * count / scale[-1])
        x0, x1 = round(left + 2 + i * bar), round(left + 2 + (i + 1) * bar) - 1
        for y in range(bottom - h, bottom):
            for x in range(x0, max(x0 + 1, x1)):
                pixels[y][x] = fg
    if labels and counts:
        text(left + 2, bottom + 6, labels(0))
        last = labels(len(counts) - 1)
        x = min(round(left + 2 + (len(counts) - 1) * bar), right - CHAR * len(last))
        if len(counts) > 1 and x > left + 2 + CHAR * (len(labels(0)) + 1):
            text(x, bottom + 6, last)
    raw = b"".join(b"\x00" + bytes(c for px in row for c in px) for row in pixels)

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )
