"""Supplied sources without Discord: reading and refusing files, storing them, and the check
queue checking against the stored text (after a restart too); the embed's wording."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from sample_texts import ARTICLE_TEXT
from sources_support import make_pdf
from submissions_support import (
    MEMBER,
    MOD,
    QUOTE,
    URL,
    FakeClock,
    FakeVerifier,
    make_result,
    make_service,
    post_text,
    ref,
    wait_until,
)

from bot.fetch import FetchedPage
from bot.models import Checks, QuoteInput, SourceInfo, VerificationResult
from bot.postparse import parse_post
from bot.render import QuoteFacts, verdict_embed
from bot.storage import open_database
from bot.storage.supplied import SuppliedStore
from bot.submissions import Refused, SubmissionService
from bot.supplied import (
    SuppliedFile,
    SuppliedSourceError,
    check_declared,
    read_supplied,
    stored_page,
    text_supplied,
)

SOURCE_TEXT = f"Transcript of the talk. {QUOTE} Thank you all for coming."


class SuppliedVerifier(FakeVerifier):
    """The fake verifier, also noting the supplied page each check was given."""

    def __init__(self) -> None:
        super().__init__()
        self.supplied: list[FetchedPage | None] = []

    async def __call__(  # type: ignore[override]
        self, quote: QuoteInput, *, supplied: FetchedPage | None = None
    ) -> VerificationResult:
        self.supplied.append(supplied)
        return await super().__call__(quote)


@pytest.fixture
def verifier() -> SuppliedVerifier:
    return SuppliedVerifier()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def submit_with(
    service: SubmissionService, message_id: int, supplied: SuppliedFile | None, url: str = URL
) -> int:
    text = post_text(url=url)
    outcome = service.submit_parsed(ref(message_id), parse_post(text), text, supplied=supplied)
    assert outcome.kind == "queued" and outcome.submission is not None
    return outcome.submission.id


# -- reading and refusing files ---------------------------------------------------------------


async def test_a_text_file_html_and_a_pdf_are_read_as_pasted_pages() -> None:
    txt = await read_supplied(SOURCE_TEXT.encode(), "talk.txt", max_bytes=10_000, url=URL)
    assert txt.page.via == "pasted" and txt.page.content_type == "text/plain"
    assert txt.filename == "talk.txt" and QUOTE in txt.page.text
    html = await read_supplied(
        f"<html><body><p>{QUOTE}</p></body></html>".encode(), "page.htm", max_bytes=10_000
    )
    assert html.page.content_type == "text/html"
    pdf_bytes = make_pdf([["Opening remarks."], [QUOTE]], title="The talk")
    pdf = await read_supplied(pdf_bytes, "talk.pdf", max_bytes=1_000_000, url=URL)
    assert pdf.page.content_type == "application/pdf" and pdf.data == pdf_bytes
    assert pdf.page.sha256 == hashlib.sha256(pdf_bytes).hexdigest()


@pytest.mark.parametrize(
    ("name", "data", "words"),
    [
        ("slides.docx", b"PK\x03\x04 zipped", ".docx files cannot be read"),
        ("notes.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "is an image, not text"),
        ("report.pdf", b"just words, no PDF here", "is named .pdf but is not a PDF"),
        ("empty.txt", b"   \n", "is empty"),
    ],
)
async def test_hostile_files_are_refused_saying_what_is_accepted(
    name: str, data: bytes, words: str
) -> None:
    with pytest.raises(SuppliedSourceError) as refused:
        await read_supplied(data, name, max_bytes=10_000)
    assert words in str(refused.value)
    assert ".txt" in str(refused.value) or "text" in str(refused.value)


def test_a_file_is_refused_by_name_and_announced_size_before_it_is_downloaded() -> None:
    with pytest.raises(SuppliedSourceError, match=r"\.exe files cannot be read.*\.txt, \.html"):
        check_declared("setup.exe", 10, 10_000)
    with pytest.raises(SuppliedSourceError, match=r"is 20,000 bytes.*at most 10,000 bytes"):
        check_declared("huge.txt", 20_000, 10_000)
    check_declared("talk.txt", 10_000, 10_000)  # at the limit: fine
    check_declared("no-extension", 10, 10_000)  # typed by sniffing later


def test_text_pasted_into_the_form_is_a_plain_text_source() -> None:
    supplied = text_supplied(SOURCE_TEXT, max_bytes=10_000, url=URL)
    assert supplied.page.via == "pasted" and supplied.page.content_type == "text/plain"
    with pytest.raises(SuppliedSourceError, match="no readable text"):
        text_supplied("… — !!!", max_bytes=10_000)


# -- storing and checking -----------------------------------------------------------------------


async def test_a_submission_with_a_file_is_checked_against_it_and_the_file_is_kept(
    tmp_path: Path, verifier: SuppliedVerifier, clock: FakeClock
) -> None:
    service = make_service(tmp_path / "v.db", verifier, clock)  # type: ignore[arg-type]
    await service.start()
    supplied = await read_supplied(SOURCE_TEXT.encode(), "talk.txt", max_bytes=10_000, url=URL)
    sub_id = submit_with(service, 1, supplied)
    plain_id = submit_with(service, 2, None, url="https://example.org/other")
    await service.idle()
    [given, none] = verifier.supplied
    assert none is None  # a post without a file is checked against its link
    assert given is not None and given.via == "pasted" and given.text == supplied.page.text
    assert given.url == URL and dict(given.doc_meta)["file"] == "talk.txt"
    [check] = service.store.checks_for(sub_id)
    [record] = service.supplied.for_submission(sub_id)
    assert check.input["supplied"] == {
        "id": record.id,
        "filename": "talk.txt",
        "sha256": record.sha256,
    }
    assert (record.origin, record.supplied_by, record.revision) == ("attachment", MEMBER, 1)
    assert service.supplied.data(record.id) == SOURCE_TEXT.encode()
    assert service.supplied.for_submission(plain_id) == []
    await service.stop()


async def test_a_restart_checks_a_queued_submission_against_the_stored_text(
    tmp_path: Path, verifier: SuppliedVerifier, clock: FakeClock
) -> None:
    first = make_service(tmp_path / "v.db", verifier, clock)  # type: ignore[arg-type]
    verifier.hold()
    await first.start()
    pdf_bytes = make_pdf([["Opening remarks."], [QUOTE]], title="The talk")
    supplied = await read_supplied(pdf_bytes, "talk.pdf", max_bytes=1_000_000, url=URL)
    sub_id = submit_with(first, 1, supplied)
    await wait_until(lambda: verifier.in_flight == 1)
    await first.stop()  # the bot went away mid-check
    first.store.db.conn.close()

    again = SuppliedVerifier()
    second = make_service(tmp_path / "v.db", again, clock)  # type: ignore[arg-type]
    assert await second.start() == 1
    await second.idle()
    [page] = again.supplied
    assert page is not None and page.via == "pasted"
    assert page.content_type == "application/pdf" and page.text == supplied.page.text
    assert page.doc_meta == supplied.page.doc_meta and page.sha256 == supplied.page.sha256
    assert [c.outcome for c in second.store.checks_for(sub_id)] == ["interrupted", "done"]
    await second.stop()


async def test_a_moderator_supplies_a_source_for_an_existing_submission(
    tmp_path: Path, verifier: SuppliedVerifier, clock: FakeClock
) -> None:
    service = make_service(tmp_path / "v.db", verifier, clock)  # type: ignore[arg-type]
    await service.start()
    sub_id = submit_with(service, 1, None)
    await service.idle()
    supplied = await read_supplied(SOURCE_TEXT.encode(), "book.txt", max_bytes=10_000, url=URL)
    updated = await service.supply_source(sub_id, MOD, supplied, "the page is paywalled")
    assert updated.revision == 2 and updated.status == "queued"
    await service.idle()
    assert [p is not None for p in verifier.supplied] == [False, True]
    [action] = service.store.mod_actions_for(sub_id)
    assert (action.action, action.moderator_id) == ("reverify", MOD)
    assert action.reason == "source supplied: book.txt; the page is paywalled"
    [record] = service.supplied.for_submission(sub_id)
    assert (record.origin, record.supplied_by, record.revision) == ("moderator", MOD, 2)

    # A later re-check keeps using it; an edit to another source address does not.
    await service.reverify(sub_id, MOD)
    await service.idle()
    assert verifier.supplied[-1] is not None
    moved = post_text(url="https://example.org/another-page")
    await service.edit(sub_id, parse_post(moved), raw_text=moved)
    await service.idle()
    assert verifier.supplied[-1] is None
    await service.stop()


async def test_a_withdrawn_submission_takes_no_supplied_source(
    tmp_path: Path, verifier: SuppliedVerifier, clock: FakeClock
) -> None:
    service = make_service(tmp_path / "v.db", verifier, clock)  # type: ignore[arg-type]
    sub_id = submit_with(service, 1, None)
    await service.withdraw(sub_id)
    supplied = text_supplied(SOURCE_TEXT, max_bytes=10_000, url=URL)
    with pytest.raises(Refused, match="withdrawn"):
        await service.supply_source(sub_id, MOD, supplied)
    assert service.supplied.for_submission(sub_id) == []


def test_a_stored_source_rebuilds_the_same_page(tmp_path: Path) -> None:
    db = open_database(tmp_path / "v.db")
    db.execute(
        "INSERT INTO submissions (id, guild_id, channel_id, message_id, author_id, quote, url,"
        " url_key, created_at, updated_at) VALUES (1, 1, 1, 1, 1, 'q', 'u', 'u', 'x', 'x')"
    )
    supplied = text_supplied(ARTICLE_TEXT, max_bytes=100_000, url=URL)
    store = SuppliedStore(db)
    store.add(
        submission_id=1,
        revision=1,
        url_key="u",
        origin="modal",
        supplied_by=5,
        filename=supplied.filename,
        content_type=supplied.page.content_type,
        charset=supplied.page.charset,
        sha256=supplied.page.sha256,
        data=supplied.data,
        text=supplied.page.text,
        meta=supplied.page.doc_meta,
        at=1_700_000_000.5,
    )
    record = store.current(1, 1, "u")
    assert record is not None and store.current(1, 1, "other") is None
    page = stored_page(record, URL)
    assert page == FetchedPage(**{**supplied.page.__dict__, "fetched_at": 1_700_000_000.5})


# -- what the embed says ------------------------------------------------------------------------


def test_the_embed_says_verified_against_supplied_text() -> None:
    result = make_result(QuoteInput.parse(quote=QUOTE, url=URL))
    result.source = SourceInfo(url=URL, via="pasted", supplied_name="talk.txt")
    source = verdict_embed(result, QuoteFacts(quote=QUOTE, url=URL)).to_dict()["fields"][1]
    lines = source["value"].splitlines()
    assert lines[1] == "**Verified against supplied text**"
    assert lines[2] == "read from a supplied copy of the source (talk.txt)"
    direct = VerificationResult("1", "verified", Checks(text="pass"), [], SourceInfo(url=URL))
    plain = verdict_embed(direct, QuoteFacts(quote=QUOTE, url=URL)).to_dict()["fields"][1]
    assert "supplied" not in plain["value"] and "**" not in plain["value"]
