"""How often Verbatim judges real quotes right: labelled cases from real pages, checked end to end.

Run from the project root: ``python -m bench.accuracy [--corpus DIR] [--out FILE] [--seed N]
[--limit N] [--json FILE]``. Every case goes the way a user's check goes: ``Verifier.verify`` with a
``QuoteInput``, fetching the page over HTTP from a local server that serves the corpus. The
corpus is not part of the repository (see ../shared/README.md); this is a benchmark, not a test.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.cases import CASE_TYPES, DEFAULT_SEED, Case, CaseSet, generate_cases
from bench.corpus import (
    DEFAULT_CORPUS,
    DISPUTED_BYLINES,
    REPO_ROOT,
    CorpusError,
    Page,
    Site,
    load_corpus,
    machine_info,
    pick,
    serve_corpus,
)
from bot.config import Config, parse_config
from bot.models import QuoteInput
from bot.verify import TEXT_KINDS, Verifier

DEFAULT_OUT = REPO_ROOT / "bench" / "results" / "accuracy-misses.jsonl"
CLEAN_GOAL = 0.98
DETECTION_GOAL = 0.95


def make_config(database: Path, site: Site) -> Config:
    """The default configuration, allowed to fetch from the local server, with its own database,
    and the archive fallback asking the local server instead of the Wayback Machine."""
    return parse_config(
        {
            "fetch": {"allow_private_networks": True, "retries": 0},
            "database": {"path": str(database)},
            "archive": site.archive_settings(),
        }
    )


# --------------------------------------------------------------------------- judging one case


@dataclass(frozen=True)
class Assessment:
    labelled: bool  # judged exactly as labelled
    detected: bool | None  # the labelled discrepancy was reported (None: the label has none)
    false_badge: bool  # a real discrepancy, and the bot said "verified"
    why: str  # for a miss: what differed from the label


def _kinds(result: dict[str, Any]) -> list[tuple[str, str]]:
    return [(d["kind"], d["severity"]) for d in result.get("discrepancies") or []]


def assess(case: Case, result: dict[str, Any]) -> Assessment:
    label = case.label
    verdict = result.get("verdict")
    kinds = _kinds(result)
    problems: list[str] = []
    if verdict != label.verdict:
        problems.append(f"verdict {verdict}, expected {label.verdict}")
    detected: bool | None = None
    if label.kind:
        detected = (label.kind, label.severity) in kinds
        if not detected:
            problems.append(f"no {label.kind} ({label.severity}) reported")
    if label.check:
        state = (result.get("checks") or {}).get(label.check)
        if state != "pass":
            problems.append(f"{label.check} check {state}, expected pass")
    if label.verdict == "verified":
        extra = [
            f"{k} ({s})"
            for k, s in kinds
            if k in TEXT_KINDS and (k, s) != (label.kind, label.severity)
        ]
        if extra:
            problems.append("unexpected " + ", ".join(extra))
    if "error" in result:
        problems.append(f"error: {result['error']}")
    false_badge = label.verdict != "verified" and verdict == "verified"
    return Assessment(not problems, detected, false_badge, "; ".join(problems))


# --------------------------------------------------------------------------- running the cases


async def check_cases(
    cases: Sequence[Case],
    site: Site,
    config: Config,
    *,
    concurrency: int = 8,
    progress: Callable[[int, int], None] | None = None,
) -> list[dict[str, Any]]:
    """The engine's JSON answer for every case, in order (an exception becomes an error answer)."""
    semaphore = asyncio.Semaphore(concurrency)
    done = 0

    async with Verifier(config) as verifier:

        async def one(case: Case) -> dict[str, Any]:
            nonlocal done
            async with semaphore:
                try:
                    inp = QuoteInput.parse(
                        quote=case.quote,
                        url=site.url(case.path),
                        author=case.author,
                        year=case.year,
                        id=case.id,
                    )
                    result = (await verifier.verify(inp)).to_json()
                except Exception as exc:  # a crash is a miss to report, not the end of the run
                    result = {
                        "id": case.id,
                        "verdict": None,
                        "error": f"{type(exc).__name__}: {exc}",
                    }
            done += 1
            if progress:
                progress(done, len(cases))
            return result

        return list(await asyncio.gather(*(one(c) for c in cases)))


def miss_record(
    case: Case, result: dict[str, Any], assessment: Assessment, page: Page | None, url: str
) -> dict[str, Any]:
    """One readable line of the misses file."""
    return {
        "case": case.id,
        "type": case.type,
        "why": assessment.why,
        "false_badge": assessment.false_badge,
        "page": case.page,
        "page_url": page.url if page else None,
        "checked_path": url,
        "quote": case.quote,
        "author": case.author,
        "year": case.year,
        "label": {
            "verdict": case.label.verdict,
            "kind": case.label.kind,
            "severity": case.label.severity,
            "check": case.label.check,
        },
        "note": case.note,
        "span": case.span,
        "gold_note": _gold_note(case),
        "engine": {
            "verdict": result.get("verdict"),
            "checks": result.get("checks"),
            "kinds": [f"{k} ({s})" for k, s in _kinds(result)],
            "discrepancies": result.get("discrepancies"),
            "source": {
                k: (result.get("source") or {}).get(k) for k in ("title", "authors", "published")
            },
            "error": result.get("error"),
        },
    }


def _gold_note(case: Case) -> str | None:
    """Why the corpus label itself is doubtful, when it is known to be."""
    if case.type == "right_author" and case.page in DISPUTED_BYLINES:
        return "corpus byline disputed: " + DISPUTED_BYLINES[case.page]
    return None


# --------------------------------------------------------------------------- the summary


def summarise(cases: Sequence[Case], results: Sequence[dict[str, Any]]) -> dict[str, Any]:
    assessments = [assess(c, r) for c, r in zip(cases, results, strict=True)]
    types: dict[str, dict[str, Any]] = {}
    for name, (label, description) in CASE_TYPES.items():
        mine = [a for c, a in zip(cases, assessments, strict=True) if c.type == name]
        if not mine:
            continue
        ok = sum(a.labelled for a in mine)
        types[name] = {
            "count": len(mine),
            "labelled": ok,
            "rate": ok / len(mine),
            "label": _label_text(label),
            "description": description,
        }
    disputed = [a for c, a in zip(cases, assessments, strict=True) if not c.label.genuine]
    genuine = [(c, r) for c, r in zip(cases, results, strict=True) if c.label.genuine]
    clean_ok = sum(r.get("verdict") == "verified" for _, r in genuine)
    detection: dict[str, dict[str, Any]] = {}
    for c, a in zip(cases, assessments, strict=True):
        if c.label.kind is None:
            continue
        key = f"{c.label.kind} ({c.label.severity})"
        entry = detection.setdefault(key, {"count": 0, "detected": 0})
        entry["count"] += 1
        entry["detected"] += int(bool(a.detected))
    for entry in detection.values():
        entry["rate"] = entry["detected"] / entry["count"]
        entry["goal"] = DETECTION_GOAL
        entry["pass"] = entry["rate"] >= DETECTION_GOAL
    false_badges = sum(a.false_badge for a in disputed)
    clean_rate = clean_ok / len(genuine) if genuine else 0.0
    return {
        "cases": len(cases),
        "labelled": sum(a.labelled for a in assessments),
        "types": types,
        "false_badges": {
            "count": false_badges,
            "of": len(disputed),
            "goal": 0,
            "pass": false_badges == 0,
        },
        "clean_pass": {
            "count": len(genuine),
            "verified": clean_ok,
            "rate": clean_rate,
            "goal": CLEAN_GOAL,
            "pass": clean_rate >= CLEAN_GOAL,
        },
        "detection": dict(sorted(detection.items())),
    }


def _label_text(label: Any) -> str:
    text = label.verdict
    if label.kind:
        text += f", {label.kind} ({label.severity})"
    if label.check:
        text += f", {label.check} pass"
    return text


def _mark(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def format_report(summary: dict[str, Any]) -> str:
    lines = [
        f"{'case type':<18} {'cases':>6} {'as labelled':>12} {'rate':>7}   label",
    ]
    for name, t in summary["types"].items():
        lines.append(
            f"{name:<18} {t['count']:>6} {t['labelled']:>12} {t['rate']:>7.1%}   {t['label']}"
        )
    lines.append(
        f"{'all':<18} {summary['cases']:>6} {summary['labelled']:>12} "
        f"{summary['labelled'] / max(summary['cases'], 1):>7.1%}"
    )
    fb = summary["false_badges"]
    cp = summary["clean_pass"]
    lines += [
        "",
        f"false badges (a real discrepancy judged verified): {fb['count']} of {fb['of']}"
        f"   goal 0: {_mark(fb['pass'])}",
        f"clean pass rate (genuine quotes judged verified): {cp['verified']}/{cp['count']} = "
        f"{cp['rate']:.1%}   goal >= {cp['goal']:.0%}: {_mark(cp['pass'])}",
        "detection rate per discrepancy type:",
    ]
    for key, d in summary["detection"].items():
        lines.append(
            f"  {key:<30} {d['detected']:>5}/{d['count']:<5} = {d['rate']:>6.1%}"
            f"   goal >= {d['goal']:.0%}: {_mark(d['pass'])}"
        )
    return "\n".join(lines)


# --------------------------------------------------------------------------- the run


async def run_accuracy(
    pages: Sequence[Page],
    *,
    seed: int = DEFAULT_SEED,
    out: Path = DEFAULT_OUT,
    workdir: Path,
    concurrency: int = 8,
    quiet: bool = False,
) -> tuple[dict[str, Any], CaseSet]:
    """Generate the cases for ``pages``, check them all, write the misses; return the summary."""
    started = time.perf_counter()
    case_set = generate_cases(pages, seed)
    cases = case_set.cases
    generated = time.perf_counter()

    def progress(done: int, total: int) -> None:
        if not quiet and (done % 250 == 0 or done == total):
            print(f"  checked {done}/{total}", file=sys.stderr, flush=True)

    async with serve_corpus(pages) as site:
        config = make_config(workdir / "bench-accuracy.db", site)
        results = await check_cases(cases, site, config, concurrency=concurrency, progress=progress)
    summary = summarise(cases, results)
    by_id = {p.id: p for p in pages}
    out.parent.mkdir(parents=True, exist_ok=True)
    misses = disputed_gold = 0
    with out.open("w", encoding="utf-8") as fh:
        for case, result in zip(cases, results, strict=True):
            a = assess(case, result)
            if a.labelled:
                continue
            misses += 1
            disputed_gold += _gold_note(case) is not None
            record = miss_record(case, result, a, by_id.get(case.page), case.path)
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
    summary.update(
        {
            "seed": seed,
            "pages": len(pages),
            "oracle": {
                "spans_checked": sum(case_set.stats.spans_checked.values()),
                "spans_dropped": sum(case_set.stats.spans_dropped.values()),
                "by_collection": {
                    c: {"checked": n, "dropped": case_set.stats.spans_dropped[c]}
                    for c, n in sorted(case_set.stats.spans_checked.items())
                },
                "speech_found": case_set.stats.speech_found,
                "speech_dropped": case_set.stats.speech_dropped,
            },
            "misses": misses,
            "misses_on_disputed_labels": disputed_gold,
            "misses_file": str(out),
            "seconds": {
                "generate": round(generated - started, 1),
                "total": round(time.perf_counter() - started, 1),
            },
            "machine": machine_info(),
        }
    )
    return summary, case_set


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m bench.accuracy", description=__doc__)
    p.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="corpus directory")
    p.add_argument("--out", type=Path, default=DEFAULT_OUT, help="misses file (JSONL)")
    p.add_argument("--seed", type=int, default=DEFAULT_SEED, help="case generation seed")
    p.add_argument("--limit", type=int, help="use at most N pages (a seeded sample)")
    p.add_argument("--json", type=Path, help="also write the summary as JSON here")
    p.add_argument("--concurrency", type=int, default=8, help="checks in flight at once")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.concurrency < 1:
        print("accuracy: --concurrency must be at least 1", file=sys.stderr)
        return 2
    try:
        pages = pick(load_corpus(args.corpus), args.limit, args.seed)
    except CorpusError as exc:
        print(f"accuracy: {exc}", file=sys.stderr)
        return 2
    print(f"accuracy: {len(pages)} pages from {args.corpus}, seed {args.seed}", file=sys.stderr)
    with tempfile.TemporaryDirectory(prefix="verbatim-bench-") as tmp:
        summary, case_set = asyncio.run(
            run_accuracy(
                pages,
                seed=args.seed,
                out=args.out,
                workdir=Path(tmp),
                concurrency=args.concurrency,
            )
        )
    print(case_set.stats.describe())
    print(f"{summary['cases']} cases from {summary['pages']} pages, seed {summary['seed']}\n")
    print(format_report(summary))
    print(f"\n{summary['misses']} misses written to {summary['misses_file']}")
    if summary["misses_on_disputed_labels"]:
        print(
            f"  of which {summary['misses_on_disputed_labels']} on pages whose corpus byline the "
            "page itself contradicts (see gold_note in the file and bench/README.md)"
        )
    m = summary["machine"]
    print(
        f"({summary['seconds']['total']} s; {m['cpu']}, {m['cpus']} CPUs, Python {m['python']}; "
        f"engine at {m['engine']})"
    )
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
