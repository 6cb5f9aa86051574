"""Name matching: tolerant of initials, middle names, diacritics and lists; strict on surnames."""

from __future__ import annotations

import pytest

from bot.names import matches_any_author, named_in, same_person, split_author_list


@pytest.mark.parametrize(
    "other",
    [
        "Ben Brooks",
        "Benjamin Brooks",
        "B. Brooks",
        "Ben J. Brooks",
        "Brooks, Ben",
        "BEN BROOKS",
        "Bén Brööks",
        "Dr. Ben Brooks",
        "Brooks",
    ],
)
def test_same_person_variants(other: str) -> None:
    assert same_person("Ben Brooks", other)


@pytest.mark.parametrize("other", ["Ben Brooke", "Anna Brooks", "Brooks Ben", "", "Stability AI"])
def test_different_people(other: str) -> None:
    assert not same_person("Ben Brooks", other)


def test_particles_and_diacritics() -> None:
    assert same_person("Ursula von der Leyen", "Ursula Von Der Leyen")
    assert same_person("José Álvarez", "Jose Alvarez")


def test_author_lists() -> None:
    assert split_author_list("By Jane Doe and John Smith") == ["Jane Doe", "John Smith"]
    assert split_author_list("Jane Doe, John Smith & Ann Lee") == [
        "Jane Doe",
        "John Smith",
        "Ann Lee",
    ]
    assert split_author_list("Doe, Jane") == ["Doe, Jane"]
    assert matches_any_author("John Smith", ["By Jane Doe and John Smith"])
    assert not matches_any_author("John Smyth", ["By Jane Doe and John Smith"])


def test_named_in_text() -> None:
    text = "“We are not asking for money,” said Jonas Whitfield, a volunteer. Whitfield added…"
    assert named_in("Jonas Whitfield", text)
    assert named_in("J. Whitfield", text)
    assert named_in("Jonas Whitfield", "Whitfield said so.", surname_only=True)
    assert not named_in("Jonas Whitfield", "Whitfields said so.", surname_only=True)
    assert not named_in("Maria Okafor", text)
