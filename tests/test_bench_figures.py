"""bench/figures.py writes the README's speed block from a run's JSON, and only that block."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bench import figures


def _run() -> dict[str, Any]:
    stage = {"median": 1.5, "p95": 3.25, "n": 10}
    rung_ms = dict.fromkeys(figures._LADDER_COLUMNS, 0.5)
    return {
        "machine": {"cpu": "Test CPU", "cpus": "2", "python": "3.11.7", "engine": "abc1234"},
        "pinned": "pinned to CPU 0",
        "pages": 3,
        "quotes": 9,
        "stages": {"extract": stage, "check": {"median": 2.63, "p95": 6.54, "n": 9}},
        "memory_mb": {"extract": stage, "check": stage},
        "ratios": {"whole check: trafilatura-based / Verbatim": 7.6},
        "ladder": [
            {
                "bytes": 1000,
                "words": 169,
                "ms": rung_ms,
                "mb": {"tokenize+match": 0.03, "extract": 1.3, "check": 1.3},
            }
        ],
        "slopes": {"match": 0.74, "tokenize": 1.16, "check": 0.78, "match_64k_2m": 0.92},
        "throughput": [
            {"concurrency": 1, "checks": 4, "seconds": 2.0, "rate": 2.0, "verdicts": {"ok": 4}},
            {
                "concurrency": 4,
                "checks": 4,
                "seconds": 0.5,
                "rate": 8.0,
                "verdicts": {"ok": 4},
                "cpu_seconds": 0.45,
            },
        ],
        "cli_startup_s": 0.6,
        "hosts": 4,
        "goals": {"whole check >= 20x faster": {"value": "7.6x", "pass": False}},
    }


def test_render_shows_what_was_measured() -> None:
    block = figures.render(_run())
    assert "engine at abc1234" in block
    assert "| whole check per quote: `check_page` | 2.63 | 6.54 | 9 |" in block
    assert "| whole check: trafilatura-based / Verbatim | 7.6× |" in block
    assert "| 1,000 | 169 | 0.50 |" in block
    assert "| 4 | 0.50 | 8.00 | 4.0× | 90% | 112.5 | 4 ok |" in block
    assert "| 1 | 2.00 | 2.00 | 1.0× | — | — | 4 ok |" in block  # a run from before CPU was kept
    assert "| whole check >= 20x faster | 7.6x | MISS |" in block
    # A stage the run did not measure is left out, not shown as zero.
    assert "fetch per page" not in block


def test_only_the_marked_block_changes(tmp_path: Path) -> None:
    results = tmp_path / "run.json"
    results.write_text(json.dumps(_run()), encoding="utf-8")
    readme = tmp_path / "README.md"
    readme.write_text(
        f"# Bench\nbefore\n{figures.START}\nold figures\n{figures.END}\nafter\n", encoding="utf-8"
    )
    assert figures.main([str(results), "--readme", str(readme), "--check"]) == 1
    assert figures.main([str(results), "--readme", str(readme)]) == 0
    text = readme.read_text(encoding="utf-8")
    assert text.startswith("# Bench\nbefore\n")
    assert text.endswith(f"{figures.END}\nafter\n")
    assert "old figures" not in text and "engine at abc1234" in text
    assert figures.main([str(results), "--readme", str(readme), "--check"]) == 0


def test_a_readme_without_markers_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    results = tmp_path / "run.json"
    results.write_text(json.dumps(_run()), encoding="utf-8")
    readme = tmp_path / "README.md"
    readme.write_text("# no markers\n", encoding="utf-8")
    assert figures.main([str(results), "--readme", str(readme)]) == 2
    assert "no <!-- figures:speed -->" in capsys.readouterr().err
    assert readme.read_text(encoding="utf-8") == "# no markers\n"


def test_the_bench_readme_has_the_block() -> None:
    readme = Path(figures.__file__).with_name("README.md").read_text(encoding="utf-8")
    assert readme.count(figures.START) == 1 and readme.count(figures.END) == 1
