"""Opening the SQLite database: WAL, foreign keys, and the numbered migrations applied in order."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import sqlite_utils

from bot.storage.migrations import MIGRATIONS


def open_database(path: str | Path, *, check_same_thread: bool = False) -> sqlite_utils.Database:
    """Open (creating if needed) and migrate the database at ``path`` (``":memory:"`` for tests)."""
    if str(path) != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(str(path), check_same_thread=check_same_thread, timeout=30)
    db = sqlite_utils.Database(conn)
    db.execute("PRAGMA foreign_keys = ON")
    if str(path) != ":memory:":
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = NORMAL")
    migrate(db)
    return db


def schema_version(db: sqlite_utils.Database) -> int:
    row = db.execute("PRAGMA user_version").fetchone()
    return int(row[0]) if row else 0


def migrate(db: sqlite_utils.Database) -> int:
    """Apply every migration newer than the database's ``user_version``, each in a transaction."""
    current = schema_version(db)
    foreign_keys = db.execute("PRAGMA foreign_keys").fetchone()[0]
    for number, migration in enumerate(MIGRATIONS, start=1):
        if number <= current:
            continue
        try:
            with db.conn:
                migration(db)
                db.execute(f"PRAGMA user_version = {number}")
        finally:
            # A migration that rebuilds a table turns foreign keys off; restore them after it.
            db.execute(f"PRAGMA foreign_keys = {'ON' if foreign_keys else 'OFF'}")
    return schema_version(db)
