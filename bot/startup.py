"""What ``python -m bot`` checks before it starts the Discord bot, without importing discord.py."""

from __future__ import annotations

from bot.config import Config

EX_CONFIG = 78  # sysexits.h: configuration error (no token, token refused, intents disabled)

NO_TOKEN_HELP = """\
Verbatim needs a Discord bot token in the environment variable {env}, and there is none.

To get one:
  1. Open https://discord.com/developers/applications and create an application.
  2. On its Bot page, reset the token and copy it, and turn on the MESSAGE CONTENT and
     SERVER MEMBERS privileged intents.
  3. Invite the bot (OAuth2 > URL Generator) with the "bot" and "applications.commands"
     scopes and these permissions: View Channels, Send Messages, Send Messages in Threads,
     Create Public Threads, Add Reactions, Read Message History, Embed Links, Attach Files.
  4. export {env}=<the token>, put your quote channel ids in config.toml ([discord]
     quote_channels), and run again.

To try Verbatim without a Discord account or token: python -m bot demo"""


def token_problem(config: Config) -> str | None:
    """The message to print when the bot cannot start for want of a token, else None."""
    if config.secret(config.discord.token_env):
        return None
    return NO_TOKEN_HELP.format(env=config.discord.token_env)
