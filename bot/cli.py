"""Command line: ``python -m bot verify ...`` (a contract other tools call) and friends."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from bot import publish
from bot.config import Config, ConfigError, load_config
from bot.models import EXIT_BAD_INPUT, EXIT_CODES, InputError, QuoteInput

if TYPE_CHECKING:
    from bot.fetch import FetchedPage


class _Parser(argparse.ArgumentParser):
    """argparse that exits with 64 (bad input), as the verify contract says."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m bot", description="Verbatim: checks quotes against sources.")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)
    v = sub.add_parser("verify", help="check a quote (or a JSONL batch) against its source")
    v.add_argument("--url", help="the source's http(s) address")
    v.add_argument("--quote", help="the quoted words (12 to 5,000 characters)")
    v.add_argument("--author", help="the person the quote is attributed to")
    v.add_argument("--year", help="the year the quote is said to be from")
    v.add_argument("--statement", help="the claim the quoted person takes a stance on")
    v.add_argument("--stance", help="the person's stance on the statement: for, against, abstain")
    v.add_argument("--config", type=Path, help="config file (default ./config.toml)")
    v.add_argument("--json", action="store_true", help="print one JSON object")
    v.add_argument(
        "--batch",
        type=Path,
        metavar="FILE.jsonl",
        help="one JSON object per line: id, url, quote, author, year",
    )
    v.add_argument("--concurrency", type=int, help="checks at once with --batch")
    v.add_argument(
        "--source-file",
        type=Path,
        metavar="FILE",
        help="check against this file's text (.txt, .html, .htm, .pdf) instead of fetching --url",
    )
    r = sub.add_parser(
        "recheck", help="re-check verified quotes whose sources may have changed or died"
    )
    r.add_argument("--config", type=Path, help="config file (default ./config.toml)")
    r.add_argument(
        "--all", action="store_true", help="every verified quote, however recently checked"
    )
    r.add_argument(
        "--older-than",
        type=float,
        metavar="DAYS",
        help="quotes last checked more than DAYS ago (default [recheck] max_age_days)",
    )
    run = sub.add_parser("run", help="start the Discord bot (the default with no command)")
    run.add_argument("--config", type=Path, help="config file (default ./config.toml)")
    sub.add_parser("demo", help="the whole bot on a local stand-in for Discord: no account needed")
    publish.add_export_parser(sub)
    publish.add_site_parser(sub)
    return parser


def _load(path: Path | None) -> Config:
    return load_config(path)


async def _verify_one(
    config: Config, inp: QuoteInput, as_json: bool, supplied: FetchedPage | None = None
) -> int:
    from bot.report import render_text
    from bot.verify import Verifier

    async with Verifier(config) as verifier:
        result = await verifier.verify(inp, supplied=supplied)
    if as_json:
        print(json.dumps(result.to_json(), ensure_ascii=False))
    else:
        print(render_text(result))
    return EXIT_CODES[result.verdict]


async def _verify_batch(config: Config, lines: list[str], concurrency: int) -> int:
    from bot.batch import run_batch
    from bot.verify import Verifier

    async with Verifier(config) as verifier:
        counts = await run_batch(lines, verifier.verify, concurrency=concurrency, out=sys.stdout)
    summary = ", ".join(f"{n} {k}" for k, n in sorted(counts.items()))
    print(f"done: {summary or 'no lines'}", file=sys.stderr)
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    try:
        config = _load(args.config)
    except ConfigError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_BAD_INPUT
    if args.batch:
        if args.source_file:
            print(
                "verify: --source-file checks one quote; it cannot be used with --batch",
                file=sys.stderr,
            )
            return EXIT_BAD_INPUT
        if args.url or args.quote:
            print("verify: use either --batch or --url/--quote, not both", file=sys.stderr)
            return EXIT_BAD_INPUT
        concurrency = args.concurrency or config.verify.concurrency
        if not 1 <= concurrency <= 256:
            print("verify: --concurrency must be from 1 to 256", file=sys.stderr)
            return EXIT_BAD_INPUT
        try:
            lines = args.batch.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            print(f"verify: cannot read batch file {args.batch}: {exc}", file=sys.stderr)
            return EXIT_BAD_INPUT
        return asyncio.run(_verify_batch(config, lines, concurrency))
    try:
        inp = QuoteInput.parse(
            quote=args.quote,
            url=args.url,
            author=args.author,
            year=args.year,
            statement=args.statement,
            stance=args.stance,
        )
    except InputError as exc:
        print(f"verify: --{exc.field} {exc.message}", file=sys.stderr)
        if args.json:
            print(json.dumps({"error": {"field": exc.field, "message": exc.message}}))
        return EXIT_BAD_INPUT
    supplied = None
    if args.source_file is not None:
        from bot.pasted import SuppliedSourceError, read_source_file

        try:
            supplied = read_source_file(
                args.source_file,
                url=inp.url,
                max_bytes=config.pasted.max_bytes,
                max_pdf_pages=config.fetch.pdf_max_pages,
            )
        except SuppliedSourceError as exc:
            print(f"verify: --source-file {exc}", file=sys.stderr)
            if args.json:
                print(json.dumps({"error": {"field": "source_file", "message": str(exc)}}))
            return EXIT_BAD_INPUT
    return asyncio.run(_verify_one(config, inp, args.json, supplied))


async def _recheck(config: Config, everything: bool, older_than: float | None) -> int:
    from bot.recheck import Rechecker, RecheckResult
    from bot.storage import open_database
    from bot.storage.log import Store
    from bot.verify import Verifier

    def progress(done: int, total: int, outcome: RecheckResult) -> None:
        print(
            f"[{done}/{total}] #{outcome.submission_id} {outcome.outcome}: {outcome.message}",
            file=sys.stderr,
        )

    db = open_database(Path(config.database.path))
    try:
        async with Verifier(config) as verifier:
            rechecker = Rechecker(
                Store(db), verifier, config.recheck, concurrency=config.verify.concurrency
            )
            summary = await rechecker.run(
                older_than_days=older_than, everything=everything, progress=progress
            )
    finally:
        db.conn.close()
    print(summary.line())
    return 0


def cmd_recheck(args: argparse.Namespace) -> int:
    try:
        config = _load(args.config)
    except ConfigError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_BAD_INPUT
    if args.older_than is not None and not 0 <= args.older_than <= 36_500:
        print("recheck: --older-than must be a number of days from 0 to 36500", file=sys.stderr)
        return EXIT_BAD_INPUT
    if args.all and args.older_than is not None:
        print("recheck: use either --all or --older-than, not both", file=sys.stderr)
        return EXIT_BAD_INPUT
    return asyncio.run(_recheck(config, args.all, args.older_than))


def cmd_run(args: argparse.Namespace) -> int:
    """Start the Discord bot; without a token, say how to get one (and about the demo) at once."""
    from bot.startup import EX_CONFIG, token_problem

    try:
        config = _load(getattr(args, "config", None))
    except ConfigError as exc:
        print(str(exc), file=sys.stderr)
        return EX_CONFIG
    problem = token_problem(config)
    if problem:
        print(problem, file=sys.stderr)
        return EX_CONFIG
    from cogs.client import run_bot  # discord.py only now: bot/ stays importable without it

    return run_bot(config)


def cmd_demo(args: argparse.Namespace) -> int:
    from cogs.demo import run_demo

    return asyncio.run(run_demo())


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command in (None, "run"):
        return cmd_run(args)
    if args.command == "demo":
        return cmd_demo(args)
    if args.command == "verify":
        return cmd_verify(args)
    if args.command == "recheck":
        return cmd_recheck(args)
    if args.command == "export":
        return publish.cmd_export(args)
    if args.command == "site":
        return publish.cmd_site(args)
    parser.print_help()
    return EXIT_BAD_INPUT
