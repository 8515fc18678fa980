"""Turn benchmark JSON lines into a Markdown table and an SVG plot; summarise py-spy profiles.

    python -m bench.report r.jsonl --md bench/results/latest.md --svg bench/results/scaling.svg
    python -m bench.report top /tmp/prof/app-steady-5000-*.txt

Medians are taken over the runs of each (scenario, phones, target). Runs the generator marked
invalid (its CPU over 70 %, its loop lag p99 over 10 ms, or others using the machine) are kept
but counted, so the table says how many of its runs were clean.
"""

from __future__ import annotations

import argparse
import collections
import json
import math
import statistics
from collections.abc import Iterator
from html import escape
from pathlib import Path
from typing import Any

Run = dict[str, Any]


def load(paths: list[Path]) -> list[Run]:
    runs = []
    for path in paths:
        for line in path.read_text().splitlines():
            if line.strip().startswith("{"):
                runs.append(json.loads(line))
    return runs


def pick(run: Run, path: str) -> float | None:
    value: Any = run
    for part in path.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def median(runs: list[Run], path: str) -> float | None:
    values = [v for v in (pick(r, path) for r in runs) if v is not None]
    return statistics.median(values) if values else None


def grouped(runs: list[Run]) -> dict[tuple[str, int], dict[str, list[Run]]]:
    out: dict[tuple[str, int], dict[str, list[Run]]] = collections.defaultdict(
        lambda: collections.defaultdict(list)
    )
    for r in runs:
        out[(r["scenario"], r["params"]["phones"])][r["target"]].append(r)
    return out


# (label, JSON path, lower is better) per row of the table
ROWS = [
    ("acked ideas/s", "ideas_per_s", False),
    ("deliveries/s", "deliveries_per_s", False),
    ("submit→ack p50 ms", "ack_ms.p50", True),
    ("submit→ack p99 ms", "ack_ms.p99", True),
    ("submit→all peers p50 ms", "all_peers_ms.p50", True),
    ("submit→all peers p95 ms", "all_peers_ms.p95", True),
    ("submit→all peers p99 ms", "all_peers_ms.p99", True),
    ("submit→all peers max ms", "all_peers_ms.max", True),
    ("lost: unacked or not at every peer by the end", "lost", True),
    ("duplicated", "duplicated", True),
    ("out of order", "out_of_order", True),
    ("server CPU %", "server.cpu_pct", True),
    ("server CPU µs/delivery", "server.cpu_us_per_delivery", True),
    ("of which PostgreSQL CPU % (app2)", "server.db_cpu_pct", True),
    ("of which Redis CPU % (app2)", "server.redis_cpu_pct", True),
    ("deliveries across processes (app2)", "processes.deliveries_crossed", False),
    ("server RSS idle MB", "server.rss_idle_mb", True),
    ("RSS per phone KB", "server.rss_per_phone_kb", True),
    ("RSS per socket KB", "server.rss_per_socket_kb", True),
    ("burst p99 ms", "burst.burst_ms.p99", True),
    ("burst: back at steady after s", "burst.recovered_after_s", True),
    ("storm: converged after s", "storm.converged_s", True),
    ("storm: all reconnected after s", "storm.reconnected_s", True),
    ("ramp capacity ideas/s", "ramp.capacity.acked_per_s", False),
    ("ramp capacity deliveries/s", "ramp.capacity.deliveries_per_s", False),
    ("ramp capacity p99 ms", "ramp.capacity.all_peers_ms.p99", True),
    ("generator CPU % (max)", "generator.cpu_pct_max", True),
    ("generator loop lag p99 ms", "generator.lag_p99_ms", True),
    ("other processes CPU %", "other_cpu_pct", True),
    ("disk fsync p50 ms (before the run)", "machine.fsync_ms.p50", True),
    ("disk fsync p99 ms (before the run)", "machine.fsync_ms.p99", True),
    ("disk fsync max ms (beside the run, every 0.1 s)", "machine.fsync_during_ms.max", True),
    ("disk fsyncs over 50 ms beside the run", "machine.fsync_during_ms.slow", True),
    ("machine: fixed pure-Python work, ms (lower is faster)", "machine.python_ms", True),
]


def fmt(v: float | None) -> str:
    if v is None:
        return "–"
    if v == int(v) and abs(v) < 100:
        return str(int(v))  # counts: 0 lost reads better than 0.00
    return f"{v:,.0f}" if abs(v) >= 100 else f"{v:.1f}" if abs(v) >= 10 else f"{v:.2f}"


def markdown(runs: list[Run]) -> str:
    lines = []
    for (scenario, phones), everything in sorted(grouped(runs).items()):
        # app2 (two processes, PostgreSQL and Redis) gets its own columns when it ran.
        apps = [t for t in ("app", "app2") if everything.get(t)] or ["app"]
        counted = [r for t in [*apps, "floor"] for r in everything.get(t, [])]
        valid = sum(1 for r in counted if r.get("valid"))
        # A run that was not valid is rejected (issue #7), unless no run of that target was.
        by_target = {t: [r for r in rs if r.get("valid")] or rs for t, rs in everything.items()}
        floor = by_target.get("floor", [])
        counts = [f"{len(by_target.get(t, []))} {t}" for t in apps]
        runs_of = ", ".join(counts) + f" and {len(floor)} floor"
        lines.append(
            f"\n#### {scenario}, N = {phones:,} "
            f"(medians of {runs_of} runs; {valid} of {len(counted)} runs valid)\n"
        )
        lines.append(
            "| figure | "
            + " | ".join([*apps, "floor"])
            + " | "
            + " | ".join(f"{t} / floor" for t in apps)
            + " |"
        )
        lines.append("| --- |" + " ---: |" * (2 * len(apps) + 1))
        for label, path, _lower in ROWS:
            values = [median(by_target.get(t, []), path) for t in apps]
            f = median(floor, path)
            if all(v is None for v in [*values, f]):
                continue
            ratios = [
                f"{v / f:.2f}×" if v is not None and f not in (None, 0) else "–" for v in values
            ]
            cells = [fmt(v) for v in values] + [fmt(f)] + ratios
            lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def svg(runs: list[Run], scenario: str = "steady") -> str:
    """Two panels against N (log scale): p99 submit→all peers, and RSS per phone."""
    data: dict[str, dict[int, list[Run]]] = collections.defaultdict(
        lambda: collections.defaultdict(list)
    )
    for r in runs:
        if r["scenario"] in (scenario, "scaling"):
            data[r["target"]][r["params"]["phones"]].append(r)
    # Latencies span milliseconds to seconds (app2 on this machine): a log axis keeps the
    # app and the floor apart.
    panels = [
        ("p99 submit → all peers (ms, log scale)", "all_peers_ms.p99", True),
        ("server RSS per phone (KB)", "server.rss_per_phone_kb", False),
    ]
    width, height, pad = 420, 300, 50
    colours = {"app": "#c0392b", "app2": "#7d3c98", "floor": "#2471a3"}
    ns = sorted({n for series in data.values() for n in series})
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{2 * width}" height="{height}" '
        'font-family="sans-serif" font-size="11">'
    ]
    for index, (title, path, log_scale) in enumerate(panels):
        x0 = index * width
        values = [median(rs, path) for series in data.values() for rs in series.values() if rs]
        present = [v for v in values if v is not None and v > 0] or [1.0]
        top = max(present) * 1.15
        low = 10 ** math.floor(math.log10(min(present))) if log_scale else 0.0
        high = 10 ** math.ceil(math.log10(max(present))) if log_scale else top
        out.append(f'<text x="{x0 + width / 2}" y="18" text-anchor="middle">{escape(title)}</text>')
        out.append(
            f'<rect x="{x0 + pad}" y="{pad - 20}" width="{width - pad - 20}" '
            f'height="{height - 2 * pad + 20}" fill="none" stroke="#999"/>'
        )

        def px(n: int, x0: float = x0) -> float:
            lo, hi = math.log(ns[0]), math.log(ns[-1]) if len(ns) > 1 else math.log(ns[0]) + 1
            return x0 + pad + (math.log(n) - lo) / (hi - lo or 1) * (width - pad - 40) + 10

        def py(
            v: float, low: float = low, high: float = high, log_scale: bool = log_scale
        ) -> float:
            if log_scale:
                share = (math.log10(max(v, low)) - math.log10(low)) / (
                    math.log10(high) - math.log10(low) or 1
                )
            else:
                share = v / high
            return height - pad - share * (height - 2 * pad)

        if log_scale:
            ticks = [low * 10**k for k in range(round(math.log10(high / low)) + 1)]
        else:
            ticks = [top * k / 4 for k in range(5)]
        for v in ticks:
            out.append(
                f'<text x="{x0 + pad - 4}" y="{py(v) + 4}" text-anchor="end">{fmt(v)}</text>'
            )
        for n in ns:
            out.append(
                f'<text x="{px(n)}" y="{height - pad + 16}" text-anchor="middle">{n:,}</text>'
            )
        out.append(
            f'<text x="{x0 + width / 2}" y="{height - 8}" text-anchor="middle">phones (N)</text>'
        )
        for target, series in sorted(data.items()):
            points = [
                (px(n), py(v)) for n in sorted(series) if (v := median(series[n], path)) is not None
            ]
            colour = colours.get(target, "#333")
            if points:
                d = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
                out.append(
                    f'<polyline points="{d}" fill="none" stroke="{colour}" stroke-width="2"/>'
                )
            for x, y in points:
                out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}"/>')
        for k, target in enumerate(sorted(data)):
            y = pad - 8 + 14 * k
            colour = colours.get(target, "#333")
            out.append(f'<rect x="{x0 + pad + 8}" y="{y}" width="10" height="3" fill="{colour}"/>')
            out.append(f'<text x="{x0 + pad + 22}" y="{y + 5}">{target}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _stacks(path: Path) -> Iterator[tuple[str, int]]:
    """(stack, samples) from py-spy's raw output; a frame named after generated source code
    can hold line breaks, so a record ends only at a line that ends with its count."""
    pending = ""
    for line in path.read_text().splitlines():
        stack, _, count = (pending + line).rpartition(" ")
        if not count.isdigit():
            pending += line + " "
            continue
        pending = ""
        if stack:
            yield stack, int(count)


def top(paths: list[Path], thread: str = "", most: int = 25) -> str:
    """The functions with the most samples in py-spy raw (collapsed) output: self and total."""
    own: collections.Counter[str] = collections.Counter()
    total: collections.Counter[str] = collections.Counter()
    threads: collections.Counter[str] = collections.Counter()
    samples = 0
    for path in paths:
        for stack, n in _stacks(path):
            if thread and thread not in stack:
                continue
            samples += n
            frames = stack.split(";")
            threads["writer thread" if "_sqlite_writer" in stack else frames[0]] += n
            own[frames[-1]] += n
            for name in set(frames):
                total[name] += n
    lines = [f"{samples} samples"]
    lines += [f"  {100 * n / samples:5.1f}%  {name}" for name, n in threads.most_common(5)]
    lines.append("self:")
    lines += [f"  {100 * n / samples:5.1f}%  {name}" for name, n in own.most_common(most)]
    lines.append("total (inclusive):")
    lines += [f"  {100 * n / samples:5.1f}%  {name}" for name, n in total.most_common(most)]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--md", type=Path, help="write the Markdown table here")
    parser.add_argument("--svg", type=Path, help="write the plot against N here")
    parser.add_argument("--thread", default="", help="top: only stacks containing this")
    args = parser.parse_args()
    if args.files[0].name == "top":
        print(top(args.files[1:], args.thread))
        return
    runs = load(args.files)
    table = markdown(runs)
    if args.md:
        args.md.parent.mkdir(parents=True, exist_ok=True)
        args.md.write_text(table)
    else:
        print(table)
    if args.svg:
        args.svg.parent.mkdir(parents=True, exist_ok=True)
        args.svg.write_text(svg(runs))


if __name__ == "__main__":
    main()
