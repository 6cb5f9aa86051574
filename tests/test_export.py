"""The export: only verified quotes, each with its licence and the evidence of its verdict."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from bot.cli import main
from bot.export import CSV_COLUMNS, export
from bot.verified import verified_quotes
from tests.statements_support import BROOKS_QUOTE, STATEMENT, make_seeder, seed_debate

VERIFIED = ("brooks", "brooks2", "economist", "senators", "hawley", "abstain", "weights", "loose")
HIDDEN = ("disputed", "withdrawn", "unchecked", "overruled")


@pytest.fixture
def seeded(tmp_path: Path) -> tuple[Path, dict[str, int]]:
    path = tmp_path / "verbatim.db"
    seeder = make_seeder(str(path))
    ids = seed_debate(seeder)
    ids["formula"] = seeder.quote(
        '=HYPERLINK("http://evil.example") is what the page literally says.',
        "@everyone",
        role="-role",
    )
    seeder.db.conn.close()
    return path, ids


def _config(tmp_path: Path, licence: str = "CC0 1.0") -> Path:
    cfg = tmp_path / "config.toml"
    cfg.write_text(f'[export]\nlicence = "{licence}"\nlicence_url = "https://example.org/l"\n')
    return cfg


def test_jsonl_has_only_verified_quotes_with_licence_and_evidence(
    seeded: tuple[Path, dict[str, int]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path, ids = seeded
    code = main(["export", "--db", str(path), "--config", str(_config(tmp_path))])
    assert code == 0
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    got = [r["id"] for r in records]
    assert got == sorted(ids[k] for k in (*VERIFIED, "formula"))
    assert not set(got) & {ids[k] for k in HIDDEN}
    first = next(r for r in records if r["id"] == ids["brooks"])
    assert first["licence"] == "CC0 1.0" and first["licence_url"] == "https://example.org/l"
    assert first["quote"] == BROOKS_QUOTE
    assert first["person"] == "Ben Brooks"
    assert first["statement"] == STATEMENT and first["stance"] == "against"
    assert first["source_url"] == "https://spectrum.ieee.org/open-source-ai-good"
    assert first["verdict"] == "verified"
    ev = first["evidence"]
    assert ev["decided_by"] == "bot" and ev["bot_verdict"] == "verified"
    assert ev["via"] == "direct"
    assert ev["final_url"].endswith("?final")
    assert ev["sha256"] == "ab" * 32
    assert ev["fetched_at"] == "2024-02-09T10:00:00Z"
    assert ev["checked_at"] and ev["check_started_at"] <= ev["checked_at"]
    assert ev["engine_version"] == "0.1.0"
    assert ev["checks"] == {"text": "pass", "author": "pass", "year": "pass", "stance": "unknown"}
    economist = next(r for r in records if r["id"] == ids["economist"])
    assert economist["evidence"]["decided_by"] == "moderator"
    assert economist["evidence"]["bot_verdict"] == "unverifiable"
    assert economist["evidence"]["moderator_reason"] == "Read in the print edition <b>p. 13</b>"
    weights = next(r for r in records if r["id"] == ids["weights"])
    assert weights["evidence"]["discrepancies"] == [
        {"kind": "unmarked_omission", "severity": "warning", "message": "unmarked_omission note"}
    ]
    assert "author_id" not in first  # member ids are not published


def test_csv_columns_rows_and_spreadsheet_safety(
    seeded: tuple[Path, dict[str, int]], tmp_path: Path
) -> None:
    path, ids = seeded
    out = tmp_path / "out" / "verified.csv"
    code = main(
        ["export", "--db", str(path), "--format", "csv", "--out", str(out), "--config",
         str(_config(tmp_path, "CC BY 4.0"))]
    )  # fmt: skip
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert tuple(rows[0].keys()) == CSV_COLUMNS
    assert [int(r["id"]) for r in rows] == sorted(ids[k] for k in (*VERIFIED, "formula"))
    brooks = next(r for r in rows if int(r["id"]) == ids["brooks"])
    assert brooks["licence"] == "CC BY 4.0"
    assert brooks["evidence_sha256"] == "ab" * 32
    assert brooks["evidence_via"] == "direct"
    assert brooks["evidence_check_text"] == "pass"
    assert brooks["evidence_source_authors"] == "Ben Brooks"
    formula = next(r for r in rows if int(r["id"]) == ids["formula"])
    assert formula["quote"].startswith("'=HYPERLINK")
    assert formula["person"] == "'@everyone"
    assert formula["person_role"] == "'-role"
    weights = next(r for r in rows if int(r["id"]) == ids["weights"])
    assert weights["evidence_discrepancies"] == "warning unmarked_omission: unmarked_omission note"


def test_export_of_an_empty_database() -> None:
    seeder = make_seeder()
    quotes = verified_quotes(seeder.db)
    assert export(quotes, "jsonl", "CC BY 4.0") == ""
    assert export(quotes, "csv", "CC BY 4.0") == ",".join(CSV_COLUMNS) + "\n"
    with pytest.raises(ValueError, match="unknown export format"):
        export(quotes, "xml", "CC BY 4.0")  # type: ignore[arg-type]


def test_export_one_guild_only() -> None:
    seeder = make_seeder()
    seed_debate(seeder)
    elsewhere = seeder.quote("Words said in another server entirely.", "Someone", guild_id=77)
    assert [q.id for q in verified_quotes(seeder.db, guild_id=77)] == [elsewhere]
    assert elsewhere in [q.id for q in verified_quotes(seeder.db)]


def test_export_refuses_a_missing_database(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["export", "--db", str(tmp_path / "nope.db"), "--config", str(_config(tmp_path))])
    assert code == 64
    assert "no database at" in capsys.readouterr().err
    assert not (tmp_path / "nope.db").exists()


def test_export_rejects_an_unknown_format(tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["export", "--format", "xml"])
    assert exc.value.code == 64
