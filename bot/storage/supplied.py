"""Queries for supplied sources: the files and text members and moderators gave as a source.

Table ``supplied_sources`` (migration m006). Each row keeps the file exactly as supplied (``data``)
and the text read from it, so nothing a member gave is lost and a restart can check against it
without reading the file again.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Any, Literal, cast

import sqlite_utils

from bot.storage.log import iso

SuppliedOrigin = Literal["attachment", "modal", "moderator"]


@dataclass(frozen=True)
class SuppliedRecord:
    id: int
    submission_id: int
    revision: int  # the first revision of the submission this source is for
    url_key: str  # the source address it stands in for (normalised); another address, not used
    origin: SuppliedOrigin
    supplied_by: int | None
    filename: str
    content_type: str
    charset: str
    size: int
    sha256: str
    text: str
    meta: tuple[tuple[str, str], ...]
    created_at: str


_COLUMNS = (
    "id, submission_id, revision, url_key, origin, supplied_by, filename, content_type, charset,"
    " size, sha256, text, meta_json, created_at"
)


def _record(row: tuple[Any, ...]) -> SuppliedRecord:
    meta = tuple((str(k), str(v)) for k, v in json.loads(str(row[12]) or "[]"))
    return SuppliedRecord(
        id=int(row[0]),
        submission_id=int(row[1]),
        revision=int(row[2]),
        url_key=str(row[3]),
        origin=cast(SuppliedOrigin, row[4]),
        supplied_by=None if row[5] is None else int(row[5]),
        filename=str(row[6]),
        content_type=str(row[7]),
        charset=str(row[8]),
        size=int(row[9]),
        sha256=str(row[10]),
        text=str(row[11]),
        meta=meta,
        created_at=str(row[13]),
    )


class SuppliedStore:
    def __init__(self, db: sqlite_utils.Database) -> None:
        self._conn: sqlite3.Connection = db.conn

    def add(
        self,
        *,
        submission_id: int,
        revision: int,
        url_key: str,
        origin: SuppliedOrigin,
        supplied_by: int | None,
        filename: str,
        content_type: str,
        charset: str,
        sha256: str,
        data: bytes,
        text: str,
        meta: tuple[tuple[str, str], ...],
        at: float,
    ) -> int:
        with self._conn:
            cur = self._conn.execute(
                """INSERT INTO supplied_sources (submission_id, revision, url_key, origin,
                          supplied_by, filename, content_type, charset, size, sha256, data,
                          text, meta_json, created_at)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                (
                    submission_id,
                    revision,
                    url_key,
                    origin,
                    supplied_by,
                    filename,
                    content_type,
                    charset,
                    len(data),
                    sha256,
                    data,
                    text,
                    json.dumps([list(pair) for pair in meta], ensure_ascii=False),
                    iso(at),
                ),
            )
        return int(cur.lastrowid or 0)

    def current(self, submission_id: int, revision: int, url_key: str) -> SuppliedRecord | None:
        """The newest source supplied for this submission up to ``revision``, for this address."""
        row = self._conn.execute(
            f"""SELECT {_COLUMNS} FROM supplied_sources
                 WHERE submission_id = ? AND revision <= ? AND url_key = ?
                 ORDER BY revision DESC, id DESC LIMIT 1""",
            (submission_id, revision, url_key),
        ).fetchone()
        return None if row is None else _record(tuple(row))

    def for_submission(self, submission_id: int) -> list[SuppliedRecord]:
        rows = self._conn.execute(
            f"SELECT {_COLUMNS} FROM supplied_sources WHERE submission_id = ? ORDER BY id",
            (submission_id,),
        ).fetchall()
        return [_record(tuple(r)) for r in rows]

    def data(self, supplied_id: int) -> bytes | None:
        """The file exactly as it was supplied."""
        row = self._conn.execute(
            "SELECT data FROM supplied_sources WHERE id = ?", (supplied_id,)
        ).fetchone()
        return None if row is None else bytes(row[0])
