"""All of Verbatim's SQL lives in this package: the schema (numbered migrations) and the queries."""

from bot.storage.database import open_database

__all__ = ["open_database"]
