"""The speed figures of bench/README.md, written from ``python -m bench.speed --json FILE``.

Copying numbers by hand into a table is how a README drifts from what was measured; this writes
the block between ``<!-- figures:speed -->`` and ``<!-- /figures:speed -->`` from the JSON.
Usage: ``python -m bench.figures RESULTS.json [--readme bench/README.md] [--check]``.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.speed import STAGES

START, END = "<!-- figures:speed -->", "<!-- /figures:speed -->"
_LADDER_COLUMNS = [
    "tokenize",
    "match",
    "extract",
    "check",
    "check_traf",
    "difflib",
    "pr_whole",
    "pr_sentences",
]
_CODE = {
    "bot.fetch": "`bot.fetch`",
    "bot.extract.extract": "`bot.extract.extract`",
    "match_quote": "`match_quote`",
    "check_page": "`check_page`",
    "partial_ratio": "`partial_ratio`",
    "difflib SequenceMatcher": "difflib `SequenceMatcher`",
    "(ExtractionCache)": "(`ExtractionCache`)",
}


def _code(text: str) -> str:
    for plain, marked in _CODE.items():
        text = text.replace(plain, marked)
    return text


def render(data: dict[str, Any]) -> str:
    """The markdown block (without the markers) for one run's JSON."""
    machine = data["machine"]
    lines = [
        "### Figures (speed)",
        "",
        f"Measured on {machine['cpu']}, `nproc` = {machine['cpus']}, Python {machine['python']}, "
        f"engine at {machine['engine']}; CPU timings {data['pinned']}; {data['pages']} pages, "
        f"{data['quotes']} quotes.",
        "",
        "| stage | median ms | p95 ms | n |",
        "| --- | ---: | ---: | ---: |",
    ]
    for key, title in STAGES.items():
        s = data["stages"].get(key)
        if s:
            lines.append(f"| {_code(title)} | {s['median']:.2f} | {s['p95']:.2f} | {s['n']} |")
    for key, title in (("extract", "extraction"), ("check", "whole check")):
        s = data["memory_mb"][key]
        lines.append(
            f"| peak memory, {title} (MB) | {s['median']:.2f} | {s['p95']:.2f} | {s['n']} |"
        )
    lines += ["", "| ratio of medians (alternative / Verbatim) | |", "| --- | ---: |"]
    lines += [f"| {name} | {value:.1f}× |" for name, value in data["ratios"].items()]
    lines += [
        "",
        "Size ladder (ms per quote, medians over the rung's quotes; MB = tracemalloc peak):",
        "",
        "| bytes | words | " + " | ".join(_LADDER_COLUMNS) + " | MB tokenise+match | MB extract "
        "| MB check |",
        "| ---: | ---: | "
        + " | ".join("---:" for _ in _LADDER_COLUMNS)
        + " | ---: | ---: | ---: |",
    ]
    for rung in data["ladder"]:
        cells = [f"{rung['ms'][c]:.2f}" for c in _LADDER_COLUMNS]
        mb = rung["mb"]
        lines.append(
            f"| {rung['bytes']:,} | {rung['words']:,} | " + " | ".join(cells) + " | "
            f"{mb['tokenize+match']:.2f} | {mb['extract']:.2f} | {mb['check']:.2f} |"
        )
    slopes = data["slopes"]
    lines += [
        "",
        f"Log-log slopes over 1 KB..2 MB: `match_quote` {slopes['match']:.2f}, `tokenize` "
        f"{slopes['tokenize']:.2f}, `check_page` {slopes['check']:.2f}; `match_quote` over "
        f"64 KB..2 MB {slopes['match_64k_2m']:.2f} (1.00 = linear).",
    ]
    runs = data.get("throughput") or []
    if runs:
        first = runs[0]
        lines += [
            "",
            f"Throughput, `python -m bot verify --batch` ({first['checks']} checks, 50-500 ms per "
            f"page, {data['hosts']} loopback hosts, cache off, CLI start-up "
            f"{data['cli_startup_s']:.2f} s included; CLI CPU = its user + system time over the "
            "wall time, 100% being one core, its limit):",
            "",
            "| concurrency | seconds | checks/s | speed-up | CLI CPU | CPU ms/check | verdicts |",
            "| ---: | ---: | ---: | ---: | ---: | ---: | --- |",
        ]
        for run in runs:
            verdicts = ", ".join(f"{n} {v}" for v, n in sorted(run["verdicts"].items()))
            cpu = run.get("cpu_seconds")
            share = f"{cpu / run['seconds']:.0%}" if cpu is not None else "—"
            per_check = f"{cpu * 1000 / run['checks']:.1f}" if cpu is not None else "—"
            lines.append(
                f"| {run['concurrency']} | {run['seconds']:.2f} | {run['rate']:.2f} | "
                f"{run['rate'] / first['rate']:.1f}× | {share} | {per_check} | {verdicts} |"
            )
    lines += ["", "| goal | measured | |", "| --- | --- | --- |"]
    for name, goal in data["goals"].items():
        lines.append(f"| {name} | {goal['value']} | {'PASS' if goal['pass'] else 'MISS'} |")
    return "\n".join(lines)


def replace_block(readme: str, block: str) -> str:
    """``readme`` with the text between the markers replaced by ``block``."""
    start, end = readme.find(START), readme.find(END)
    if start < 0 or end < start:
        raise ValueError(f"the README has no {START} ... {END} block")
    return readme[: start + len(START)] + "\n" + block + "\n" + readme[end:]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results", type=Path, help="JSON written by python -m bench.speed --json")
    parser.add_argument("--readme", type=Path, default=Path(__file__).with_name("README.md"))
    parser.add_argument("--check", action="store_true", help="only say whether it is current")
    args = parser.parse_args(argv)
    try:
        data = json.loads(args.results.read_text(encoding="utf-8"))
        old = args.readme.read_text(encoding="utf-8")
        new = replace_block(old, render(data))
    except (OSError, ValueError, KeyError) as exc:
        print(f"figures: {exc}", file=sys.stderr)
        return 2
    if args.check:
        print("current" if new == old else "stale")
        return 0 if new == old else 1
    args.readme.write_text(new, encoding="utf-8")
    print(f"figures: {args.readme} updated from {args.results}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
