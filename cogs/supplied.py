"""Discord attachments as supplied sources (shared by the extensions; not an extension itself).

An attachment is hostile input: its name and announced size are checked before it is downloaded,
its bytes are checked again after (``bot.pasted``), and every refusal says what is accepted.
"""

from __future__ import annotations

import discord

from bot.supplied import SuppliedFile, SuppliedSourceError, accepted, check_declared, read_supplied


async def read_attachment(
    attachment: discord.Attachment, *, max_bytes: int, url: str = ""
) -> SuppliedFile:
    """Download and read one attachment; raises SuppliedSourceError saying what is wrong."""
    check_declared(attachment.filename, attachment.size, max_bytes)
    try:
        data = await attachment.read()
    except discord.HTTPException as exc:
        raise SuppliedSourceError(
            f"{attachment.filename} could not be downloaded from Discord ({exc.status}); "
            f"attach it again as {accepted(max_bytes)}"
        ) from None
    return await read_supplied(data, attachment.filename, max_bytes=max_bytes, url=url)


async def first_readable(
    attachments: list[discord.Attachment], *, max_bytes: int, url: str = ""
) -> tuple[SuppliedFile | None, list[str]]:
    """The first attachment that reads as a source, and why each one before it did not."""
    problems: list[str] = []
    for attachment in attachments:
        try:
            return await read_attachment(attachment, max_bytes=max_bytes, url=url), problems
        except SuppliedSourceError as err:
            problems.append(str(err))
    return None, problems
