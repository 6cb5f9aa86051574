"""Command line: ``python -m bot verify ...`` (a contract other tools call) and friends."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from bot import publish
from bot.config import Config, ConfigError, load_config
from bot.models import EXIT_BAD_INPUT, EXIT_CODES, InputError, QuoteInput


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
    publish.add_export_parser(sub)
    publish.add_site_parser(sub)
    return parser


def _load(path: Path | None) -> Config:
    return load_config(path)


async def _verify_one(config: Config, inp: QuoteInput, as_json: bool) -> int:
    from bot.report import render_text
    from bot.verify import Verifier

    async with Verifier(config) as verifier:
        result = await verifier.verify(inp)
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
    return asyncio.run(_verify_one(config, inp, args.json))


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "verify":
        return cmd_verify(args)
    if args.command == "export":
        return publish.cmd_export(args)
    if args.command == "site":
        return publish.cmd_site(args)
    parser.print_help()
    return EXIT_BAD_INPUT
