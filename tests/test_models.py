"""Input validation: every refusal says which field and why."""

from __future__ import annotations

import pytest

from bot.models import InputError, QuoteInput

OK = {"quote": "Open models are the bedrock.", "url": "https://example.org/a"}


def test_valid_input_is_cleaned() -> None:
    inp = QuoteInput.parse(**OK, author="  Ben   Brooks ", year="2024", id=7)
    assert inp.author == "Ben Brooks" and inp.year == 2024 and inp.id == "7"


@pytest.mark.parametrize(
    ("changes", "field", "needle"),
    [
        ({"quote": ""}, "quote", "required"),
        ({"quote": "too short"}, "quote", "at least 12"),
        ({"quote": "x" * 5001}, "quote", "at most 5,000"),
        ({"url": "ftp://example.org/a"}, "url", "http:// or https://"),
        ({"url": "javascript:alert(1)"}, "url", "http:// or https://"),
        ({"url": "https://"}, "url", "no host"),
        ({"url": "https://user:pw@example.org/"}, "url", "user name"),
        ({"url": "https://exa mple.org/"}, "url", "spaces"),
        ({"url": "https://example.org:99999/"}, "url", "port"),
        ({"url": None}, "url", "required"),
        ({"url": "http://["}, "url", "valid web address"),
        ({"year": "24"}, "year", "four-digit"),
        ({"year": "twenty"}, "year", "four-digit"),
        ({"year": 99999}, "year", "four-digit"),
        ({"year": True}, "year", "four-digit"),
        ({"author": 5}, "author", "must be text"),
        ({"author": "x" * 300}, "author", "longer than"),
    ],
)
def test_bad_input_names_the_field(changes: dict[str, object], field: str, needle: str) -> None:
    with pytest.raises(InputError) as info:
        QuoteInput.parse(**{**OK, **changes})  # type: ignore[arg-type]
    assert info.value.field == field
    assert needle in info.value.message
