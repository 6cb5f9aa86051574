"""A Discord-compatible fake server for end-to-end tests of the bot (see server.py).

Like the rest of `bot/`, this package does not import discord.py: it speaks Discord's HTTP and
gateway protocols, so the real library can be pointed at it unmodified.
"""

from .core import BotAction, InteractionRecord, InteractionResponse
from .messages import FiredMentions
from .server import DEFAULT_TOKEN, FakeDiscord

__all__ = [
    "DEFAULT_TOKEN",
    "BotAction",
    "FakeDiscord",
    "FiredMentions",
    "InteractionRecord",
    "InteractionResponse",
]
