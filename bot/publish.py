"""The ``export`` and ``site`` commands: publishing what is verified, from the command line."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import sqlite_utils

from bot.config import Config, ConfigError, load_config
from bot.export import FORMATS, export
from bot.models import EXIT_BAD_INPUT
from bot.site import SiteError, SiteOptions, build_site
from bot.storage import open_database
from bot.verified import verified_quotes


def add_export_parser(sub: Any) -> None:
    p = sub.add_parser("export", help="write every verified quote, with its evidence and licence")
    p.add_argument("--format", choices=FORMATS, default="jsonl", help="jsonl (default) or csv")
    p.add_argument("--config", type=Path, help="config file (default ./config.toml)")
    p.add_argument("--out", type=Path, help="file to write (default: standard output)")
    p.add_argument("--db", type=Path, help="database file (default: [database] path)")
    p.add_argument("--guild", type=int, help="only this Discord server's quotes")


def add_site_parser(sub: Any) -> None:
    p = sub.add_parser("site", help="write the public static site of verified quotes")
    p.add_argument("out_dir", type=Path, metavar="OUT_DIR", help="folder for the site")
    p.add_argument("--config", type=Path, help="config file (default ./config.toml)")
    p.add_argument("--db", type=Path, help="database file (default: [database] path)")
    p.add_argument("--guild", type=int, help="only this Discord server's quotes")


def _open(args: argparse.Namespace, command: str) -> tuple[Config, sqlite_utils.Database] | None:
    """The config and the existing database, or None after printing what is wrong."""
    try:
        config = load_config(args.config)
    except ConfigError as exc:
        print(str(exc), file=sys.stderr)
        return None
    path = args.db or Path(config.database.path)
    if not path.is_file():
        print(
            f"{command}: no database at {path}; give --db FILE or set [database] path",
            file=sys.stderr,
        )
        return None
    return config, open_database(path)


def cmd_export(args: argparse.Namespace) -> int:
    opened = _open(args, "export")
    if opened is None:
        return EXIT_BAD_INPUT
    config, db = opened
    quotes = verified_quotes(db, guild_id=args.guild)
    text = export(quotes, args.format, config.export.licence, config.export.licence_url)
    if args.out is None:
        sys.stdout.write(text)
    else:
        try:
            args.out.parent.mkdir(parents=True, exist_ok=True)
            args.out.write_text(text, encoding="utf-8", newline="")
        except OSError as exc:
            print(f"export: cannot write {args.out}: {exc.strerror or exc}", file=sys.stderr)
            return EXIT_BAD_INPUT
        print(f"export: {len(quotes)} verified quotes written to {args.out}", file=sys.stderr)
    return 0


def cmd_site(args: argparse.Namespace) -> int:
    opened = _open(args, "site")
    if opened is None:
        return EXIT_BAD_INPUT
    config, db = opened
    options = SiteOptions(
        title=config.site.title,
        licence=config.export.licence,
        licence_url=config.export.licence_url,
    )
    try:
        report = build_site(db, args.out_dir, options, guild_id=args.guild)
    except SiteError as exc:
        print(f"site: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except OSError as exc:
        print(f"site: cannot write {args.out_dir}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    print(
        f"site: {report.quotes} quotes, {report.statements} statements, {report.people} people"
        f" written to {report.out_dir} ({report.removed} old pages removed);"
        f" open {report.out_dir / 'index.html'}",
        file=sys.stderr,
    )
    return 0
