"""Charts of a series of counts: inline SVG for pages, PNG for the DOCX report.

Drawn by hand: bars and an axis need no plotting library (labels go in the text beside).
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Sequence
from html import escape

from facilitator.metrics import Series

MAX_BAR = 48  # pixels: one or two buckets should still look like bars, not a block


def svg_chart(series: Series, title: str = "Ideas submitted", width: int = 640) -> str:
    """A bar chart as inline SVG, for server-rendered pages (no JavaScript, no library)."""
    height, pad, top = 200, 30, 24
    n = max(1, len(series.counts))
    peak = max(series.counts, default=0) or 1
    bar = min((width - 2 * pad) / n, MAX_BAR)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="{escape(title)}" class="chart">',
        f"<title>{escape(title)}</title>",
        f'<text x="{pad}" y="16" font-size="13">{escape(title)} (peak {peak})</text>',
    ]
    base = height - pad
    for i, count in enumerate(series.counts):
        h = (base - top) * count / peak
        x = pad + i * bar
        parts.append(
            f'<rect x="{x:.1f}" y="{base - h:.1f}" width="{max(bar - 2, 1):.1f}" '
            f'height="{h:.1f}" fill="#3465a4"><title>{series.label(i)}: {count}</title></rect>'
        )
    if series.counts:
        for i in {0, len(series.counts) - 1}:
            x = pad + i * bar
            parts.append(
                f'<text x="{x:.1f}" y="{height - 10}" font-size="11">{series.label(i)}</text>'
            )
    parts.append(f'<line x1="{pad}" y1="{base}" x2="{width - pad}" y2="{base}" stroke="#555"/>')
    parts.append("</svg>")
    return "".join(parts)


def png_chart(counts: Sequence[int], width: int = 600, height: int = 200) -> bytes:
    """The same bars as a PNG for the DOCX report, drawn in pixels and encoded with zlib:
    a report needs no plotting library (labels go in the document's text beside it)."""
    bg, fg, axis = (255, 255, 255), (52, 101, 164), (85, 85, 85)
    pixels = [[bg] * width for _ in range(height)]
    pad = 10
    base = height - pad
    for x in range(pad, width - pad):
        pixels[base][x] = axis
    n = max(1, len(counts))
    peak = max(counts, default=0) or 1
    bar = min((width - 2 * pad) / n, MAX_BAR)
    for i, count in enumerate(counts):
        h = round((base - pad) * count / peak)
        x0, x1 = round(pad + i * bar), round(pad + (i + 1) * bar) - 1
        for y in range(base - h, base):
            for x in range(x0, max(x0 + 1, x1)):
                pixels[y][x] = fg
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
