"""Labelled quote checks made from real pages: what a member could post, and what the bot must say.

Every case starts from a real span of a page's ground truth (sentence-aligned, 40 to ~400
characters) that an independent oracle confirms is on the page: the page's raw HTML read with
lxml, as lower-cased words, must hold the span's words contiguously. Neither Verbatim's extractor
nor its matcher is used here, so the labels cannot inherit their mistakes. Generation is
deterministic: each page's cases come from a generator seeded with (seed, page, case type).
"""

from __future__ import annotations

import random
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from bench.corpus import Page, html_text, jsonld_strings, wordset

DEFAULT_SEED = 1729
MIN_CHARS = 40
MAX_CHARS = 400
DEAD_LINKS = 30  # dead-link cases (all alike: a 404), spread over the corpus
SPEECH_PER_PAGE = 3
MIN_SPANS_FOR_ARTICLE = 10  # a page used as "the wrong page" is an ordinary article
NEAR_COPY_SHARE = 0.5  # of a sentence's word trigrams on a page: a near-copy stands there
# Filler text: test pages share lorem ipsum variants, so their sentences are near-copies of one
# another's ("adipiscing"/"adipisicing") and no material for "from another page" cases.
FILLER = re.compile(
    r"\b(?:lorem|ipsum|consectetur|adipisc\w*|eiusmod|incididunt|veniam|nostrud|ullamco|laboris|"
    r"aliquip|commodo|consequat|reprehenderit|voluptate|cillum|fugiat|pariatur|excepteur|occaecat|"
    r"cupidatat|proident|deserunt|mollit|laborum|consetetur|sadipscing|nonumy|eirmod|invidunt|"
    r"aliquyam|takimata|gubergren)\b",
    re.IGNORECASE,
)
# A span that already holds a cut mark would read as cut where the page has it: no cut cases.
CUT_MARK = re.compile(r"…|\.\s?\.\s?\.|\[|\(\s*…|\(\s*\.")


@dataclass(frozen=True)
class Label:
    """What the bot must answer: a verdict, and the discrepancy (or passing check) that proves it."""

    verdict: str  # verified | disputed | unverifiable
    kind: str | None = None  # a discrepancy kind that must be reported
    severity: str | None = None  # ... with this severity
    check: str | None = None  # "author" or "year": this check must pass

    @property
    def genuine(self) -> bool:
        """A quote a careful checker would badge: exact, or edited only in ways that are allowed."""
        return self.verdict == "verified"


# The case types, in report order, with their labels and one line saying what they are.
CASE_TYPES: dict[str, tuple[Label, str]] = {
    "verbatim": (Label("verified"), "a span copied exactly"),
    "typography": (
        Label("verified"),
        "quotes and apostrophes straight<->curly, dashes swapped, spaces doubled, a line break",
    ),
    "marked_cut": (Label("verified"), "words cut out of the middle, marked with [...] or …"),
    "sentence_cut": (
        Label("verified", "unmarked_omission", "warning"),
        "a whole middle sentence left out without a mark",
    ),
    "inner_cut": (
        Label("disputed", "unmarked_omission", "error"),
        "4-7 words cut out of a sentence without a mark",
    ),
    "word_swap": (
        Label("disputed", "altered_wording", "error"),
        "one word replaced by another word",
    ),
    "number_change": (Label("disputed", "altered_wording", "error"), "one number changed"),
    "negation": (
        Label("disputed", "altered_wording", "error"),
        '"not" inserted after an auxiliary verb',
    ),
    "appended_sentence": (
        Label("disputed", "quote_not_found", "error"),
        "a sentence from another page appended",
    ),
    "wrong_page": (
        Label("disputed", "quote_not_found", "error"),
        "a real span checked against another page",
    ),
    "right_author": (
        Label("verified", check="author"),
        "attributed to the page's byline author",
    ),
    "wrong_author": (
        Label("disputed", "author_mismatch", "error"),
        "attributed to another page's author, whose surname is nowhere on this page",
    ),
    "right_year": (Label("verified", check="year"), "the page's publication year"),
    "wrong_year": (
        Label("disputed", "year_mismatch", "error"),
        "a year three off the publication year",
    ),
    "dead_link": (
        Label("unverifiable", "source_gone", "error"),
        "a link that answers 404",
    ),
    "speech": (
        Label("verified", check="author"),
        'reported speech ("…," said Name) attributed to its speaker',
    ),
}


@dataclass(frozen=True)
class Case:
    id: str
    type: str
    page: str  # id of the page whose address is checked
    path: str  # path on the local server
    quote: str
    label: Label
    author: str | None = None
    year: int | None = None
    span: str = ""  # the real span the case was made from
    note: str = ""  # what was changed

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class GenerationStats:
    spans_checked: Counter[str] = field(default_factory=Counter)  # by collection
    spans_dropped: Counter[str] = field(default_factory=Counter)
    speech_found: int = 0
    speech_dropped: int = 0  # by the oracle, or no full name for the speaker
    dropped_examples: list[tuple[str, str]] = field(default_factory=list)

    def describe(self) -> str:
        checked = sum(self.spans_checked.values())
        dropped = sum(self.spans_dropped.values())
        by = ", ".join(
            f"{c}: {self.spans_dropped[c]} of {n}" for c, n in sorted(self.spans_checked.items())
        )
        share = dropped / checked if checked else 0.0
        return (
            f"oracle: {checked} candidate spans checked, {dropped} dropped as not on the page "
            f"({share:.1%}; {by}); reported speech: {self.speech_found} found, "
            f"{self.speech_dropped} dropped"
        )


@dataclass
class CaseSet:
    cases: list[Case]
    stats: GenerationStats


# --------------------------------------------------------------------------- the oracle

_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff"))
_WORD = re.compile(r"\w+")


def oracle_words(text: str) -> list[str]:
    """Lower-cased words: NFKC, invisible characters dropped, split at anything not a letter/digit."""
    text = unicodedata.normalize("NFKC", text.translate(_INVISIBLE)).casefold()
    return _WORD.findall(text)


class PageOracle:
    """Does a span stand on the page? Its words, contiguous, in the page's HTML text (lxml)."""

    def __init__(self, html: str) -> None:
        parts = [oracle_words(p) for p in (html_text(html), *jsonld_strings(html))]
        # "\x01" never occurs in a word, so no match can run from one part into the next.
        self._key = " " + " \x01 ".join(" ".join(words) for words in parts) + " "
        self._trigrams = {tuple(w[i : i + 3]) for w in parts for i in range(len(w) - 2)}

    def holds(self, span: str) -> bool:
        words = oracle_words(span)
        return bool(words) and f" {' '.join(words)} " in self._key

    def mentions(self, word: str) -> bool:
        return any(f" {w} " in self._key for w in oracle_words(word))

    def nearly_holds(self, span: str) -> bool:
        """Half or more of the span's word trigrams are on the page: a near-copy stands there
        (lorem ipsum variants, a sentence with one word changed), so "not on the page" would be
        the wrong label for it."""
        words = oracle_words(span)
        grams = [tuple(words[i : i + 3]) for i in range(len(words) - 2)]
        hits = sum(g in self._trigrams for g in grams)
        return bool(grams) and hits >= NEAR_COPY_SHARE * len(grams)


# --------------------------------------------------------------------------- sentences and spans

_END = re.compile(r"[.!?…]+[\"'”’»)\]]*\s+|[。！？]+[”」』]*")
_OPENERS = "“\"‘'«(¿¡「『"
_ABBREVIATIONS = wordset(
    """mr mrs ms dr prof st jr sr vs etc inc ltd co corp gen gov sen rep rev no nos jan feb mar
    apr jun jul aug sep sept oct nov dec fig vol approx dept est ft mt ave blvd p pp"""
)


def sentence_ranges(paragraph: str) -> list[tuple[int, int]]:
    """Character ranges of the sentences of one paragraph; doubtful boundaries are not split."""
    out: list[tuple[int, int]] = []
    start = 0
    for m in _END.finditer(paragraph):
        end = m.end()
        if end >= len(paragraph):
            break
        if paragraph[m.start()] in ".!?…":
            nxt = paragraph[end]
            if nxt in _OPENERS:  # an opening mark must open a sentence: '? " she said' does not
                nxt = paragraph[end + 1 : end + 2] or " "
            if not (nxt.isupper() or nxt.isdigit() or nxt in _OPENERS):
                continue
            if paragraph[m.start()] == ".":
                prev = re.search(r"[\w.]+$", paragraph[: m.start()])
                token = prev.group() if prev else ""
                if (
                    "." in token
                    or token.casefold() in _ABBREVIATIONS
                    or (len(token) == 1 and token.isalpha())
                ):
                    continue
        sentence = paragraph[start:end].strip()
        if sentence:
            out.append((start, start + len(paragraph[start:end].rstrip())))
        start = end
    if paragraph[start:].strip():
        out.append((start, len(paragraph.rstrip())))
    return [(a + len(paragraph[a:b]) - len(paragraph[a:b].lstrip()), b) for a, b in out]


@dataclass(frozen=True)
class Span:
    text: str
    sentences: tuple[str, ...]


def candidate_spans(truth: str, max_sentences: int = 3) -> list[Span]:
    """Windows of 1..max_sentences consecutive sentences within a paragraph, 40..400 characters."""
    spans: list[Span] = []
    for paragraph in truth.split("\n"):
        ranges = sentence_ranges(paragraph)
        for i in range(len(ranges)):
            for n in range(1, max_sentences + 1):
                if i + n > len(ranges):
                    break
                a, b = ranges[i][0], ranges[i + n - 1][1]
                text = paragraph[a:b]
                if len(text) > MAX_CHARS:
                    break
                if len(text) >= MIN_CHARS:
                    parts = tuple(paragraph[x:y] for x, y in ranges[i : i + n])
                    spans.append(Span(text, parts))
    return spans


def three_sentence_windows(truth: str) -> list[Span]:
    """Three consecutive sentences whose first and last make a 40..400 character quote."""
    out = []
    for paragraph in truth.split("\n"):
        ranges = sentence_ranges(paragraph)
        for i in range(len(ranges) - 2):
            parts = tuple(paragraph[x:y] for x, y in ranges[i : i + 3])
            joined = len(parts[0]) + 1 + len(parts[2])
            if MIN_CHARS <= joined <= MAX_CHARS and all(len(p.split()) >= 4 for p in parts):
                out.append(Span(paragraph[ranges[i][0] : ranges[i + 2][1]], parts))
    return out


# --------------------------------------------------------------------------- edits


def retype(text: str, rng: random.Random) -> str:
    """Change typography only: quote marks, apostrophes, dashes, spaces, a line break."""
    out = text
    if re.search("[“”‘’]", out):
        out = out.translate(str.maketrans("“”‘’", "\"\"''"))
    else:
        out = re.sub(r'(^|[\s(\[])"', "\\1“", out)
        out = out.replace('"', "”").replace("'", "’")
    if "—" in out or "–" in out:
        out = out.replace(" — ", " - ").replace("—", " -- ").replace("–", "-")
    else:
        out = out.replace(" - ", " — ")
    spaces = [m.start() for m in re.finditer(" ", out)]
    if len(spaces) >= 4:
        a, b = sorted(rng.sample(spaces, 2))
        out = out[:a] + "  " + out[a + 1 : b] + "\n" + out[b + 1 :]
    return out


_CUT_MARKS = (" [...] ", " […] ", " … ", "... ", " (...) ")


def _opens_word(token: str) -> bool:
    """A cut may end before this token (not before "'s" that a spaced-out source left alone)."""
    return token[0].isalnum() or token[0] in _OPENERS.replace("'", "")


def marked_cut(text: str, rng: random.Random) -> tuple[str, str] | None:
    words = list(re.finditer(r"\S+", text))
    n = len(words)
    if n < 12:
        return None
    for _ in range(10):
        i = rng.randint(4, n - 8)
        j = rng.randint(i + 2, min(i + 8, n - 4))
        if _opens_word(words[j].group()):
            break
    else:
        return None
    mark = rng.choice(_CUT_MARKS)
    cut = text[words[i].start() : words[j - 1].end()]
    return text[: words[i - 1].end()] + mark + text[words[j].start() :], f"cut {cut!r} as {mark!r}"


def inner_cut(sentence: str, rng: random.Random) -> tuple[str, str] | None:
    """Drop 4-7 words from inside a sentence, at least 3 words from either end, no punctuation."""
    words = list(re.finditer(r"\S+", sentence))
    real = [bool(re.search(r"\w", w.group())) for w in words]
    n = len(words)
    for _ in range(10):
        k = rng.randint(4, 7)
        if n < k + 7:
            return None
        p = rng.randint(3, n - 3 - k)
        cut = sentence[words[p].start() : words[p + k - 1].end()]
        if re.search(r"[.!?;:“”‘’\"()\[\]…–—]", cut) or not all(real[p : p + k]):
            continue
        if not _opens_word(words[p + k].group()):
            continue
        if sum(real[:p]) < 3 or sum(real[p + k :]) < 3:
            continue
        quote = sentence[: words[p - 1].end()] + " " + sentence[words[p + k].start() :]
        return quote, f"cut {cut!r}"
    return None


SUBSTITUTES = sorted(
    wordset(
        """house river answer money simple window history winter market doctor silver
garden people animal second yellow bridge number island letter energy forest planet summer
pocket rabbit engine ticket mirror castle coffee violin guitar pencil orange button candle
quietly purple jungle secret museum factory harvest kitchen lantern meadow"""
    )
)


def swap_word(text: str, rng: random.Random) -> tuple[str, str] | None:
    words = [m for m in re.finditer(r"(?<![\w'’-])[^\W\d_]{4,}(?![\w'’-])", text) if m.start() > 0]
    words = [m for m in words if m.group()[0].islower()]
    if not words:
        return None
    m = rng.choice(words)
    present = {w.casefold() for w in re.findall(r"\w+", text)}
    choices = [w for w in SUBSTITUTES if w not in present]
    new = rng.choice(choices)
    return text[: m.start()] + new + text[m.end() :], f"{m.group()!r} -> {new!r}"


def change_number(text: str, rng: random.Random) -> tuple[str, str] | None:
    numbers = list(re.finditer(r"(?<![\w.,/:-])\d{1,4}(?![\w%/:-]|[.,]\d)", text))
    if not numbers:
        return None
    m = rng.choice(numbers)
    new = str(int(m.group()) + rng.randint(1, 9))
    return text[: m.start()] + new + text[m.end() :], f"{m.group()!r} -> {new!r}"


_AUXILIARY = re.compile(
    r"\b(is|are|was|were|will|would|can|could|should|has|have|had|does|did|must|may|might)"
    r" (?!not\b|never\b|n[o']t\b)(?=[a-z])"
)


def negate(text: str, rng: random.Random) -> tuple[str, str] | None:
    spots = list(_AUXILIARY.finditer(text))
    if not spots:
        return None
    m = rng.choice(spots)
    return text[: m.end()] + "not " + text[m.end() :], f"'not' after {m.group(1)!r}"


# --------------------------------------------------------------------------- reported speech

_TITLES = (
    r"(?:Mr|Mrs|Ms|Dr|Prof|Sen|Rep|Gov|Gen|President|Senator|Governor|Chancellor|Minister|"
    r"Judge|Mayor|Professor|Coach)\.?\s+"
)
_NAME = r"[A-Z][\w'’-]+(?:\s+(?:[A-Z]\.\s+)?[A-Z][\w'’-]+){0,2}"
_VERBS_AFTER_NAME = r"(?:said|says|told|added|explained|wrote|stated|noted|argued)"
_VERBS_BEFORE_NAME = r"(?:said|says|added|explained|wrote|stated|noted|argued)"
_QUOTED = r"[“\"](?P<q>[^“”\"]{40,400}?)[,.!?]?[”\"]"
_SPEECH_AFTER = re.compile(
    _QUOTED
    + rf",?\s+(?:{_VERBS_BEFORE_NAME}\s+(?:{_TITLES})?(?P<a>{_NAME})"
    + rf"|(?:{_TITLES})?(?P<b>{_NAME})\s+{_VERBS_AFTER_NAME}\b)"
)
_SPEECH_BEFORE = re.compile(
    rf"(?:{_TITLES})?(?P<c>{_NAME})\s+{_VERBS_AFTER_NAME}[,:]?\s+" + _QUOTED
)
_NOT_NAMES = wordset(
    """the a an he she it they we i you his her their its this that these those there but and or
    in on at one some many most officials police monday tuesday wednesday thursday friday saturday
    sunday january february march april may june july august september october november december
    yesterday today he's she's i'm i’m it’s it's"""
)
_TITLE_RE = re.compile(_TITLES)
# Words that may stand before a name without being part of it ("Apple CEO Tim Cook said").
_ROLE_WORDS = wordset(
    """president senator governor chancellor minister judge mayor professor coach chief executive
    director former spokesman spokeswoman spokesperson chairman chairwoman secretary"""
)


def _clean_speaker(name: str) -> str:
    words = name.strip(" .,").split()
    while words and (
        words[0].casefold() in _ROLE_WORDS or (len(words[0]) > 1 and words[0].isupper())
    ):
        words = words[1:]
    return " ".join(words)


def speech_quotes(truth: str) -> list[tuple[str, str]]:
    """(quoted words, speaker's full name) for reported speech in ``truth``."""
    found: list[tuple[str, str]] = []
    for paragraph in truth.split("\n"):
        for rx in (_SPEECH_AFTER, _SPEECH_BEFORE):
            for m in rx.finditer(paragraph):
                groups = m.groupdict()
                name = _clean_speaker(groups.get("a") or groups.get("b") or groups.get("c") or "")
                if not name or name.split()[0].casefold() in _NOT_NAMES:
                    continue
                full = _full_name(name, truth)
                if full:
                    found.append((m.group("q").strip(), full))
    seen: set[str] = set()
    unique = []
    for q, name in found:
        if q not in seen:
            seen.add(q)
            unique.append((q, name))
    return unique


def _full_name(name: str, truth: str) -> str | None:
    """A speaker named by surname only ("Smith said") is given the full name the article uses."""
    if len(name.split()) >= 2:
        return name
    for m in re.finditer(rf"\b([A-Z][\w'’-]+\s+(?:[A-Z]\.\s+)?){re.escape(name)}\b", truth):
        first = m.group(1).split()[0].casefold()
        if first not in _NOT_NAMES and first not in _ROLE_WORDS and not _TITLE_RE.match(m.group(1)):
            return f"{m.group(1)}{name}"
    return None


# --------------------------------------------------------------------------- generation


@dataclass
class _PageSpans:
    page: Page
    oracle: PageOracle
    spans: list[Span]  # on the page, per the oracle
    triples: list[Span]
    speech: list[tuple[str, str]]


def _surname(name: str) -> str:
    return name.split()[-1] if name.split() else name


def generate_cases(
    pages: Sequence[Page], seed: int = DEFAULT_SEED, *, dead_links: int = DEAD_LINKS
) -> CaseSet:
    """The labelled case set for ``pages``; the same pages and seed always give the same cases."""
    stats = GenerationStats()
    prepared: list[_PageSpans] = []
    for page in pages:
        oracle = PageOracle(page.html())
        kept: list[Span] = []
        for span in candidate_spans(page.truth):
            stats.spans_checked[page.collection] += 1
            if oracle.holds(span.text):
                kept.append(span)
            else:
                stats.spans_dropped[page.collection] += 1
                if len(stats.dropped_examples) < 20:
                    stats.dropped_examples.append((page.id, span.text))
        triples = [t for t in three_sentence_windows(page.truth) if oracle.holds(t.text)]
        speech = []
        for q, name in speech_quotes(page.truth):
            stats.speech_found += 1
            if MIN_CHARS <= len(q) <= MAX_CHARS and oracle.holds(q):
                speech.append((q, name))
            else:
                stats.speech_dropped += 1
        prepared.append(_PageSpans(page, oracle, kept, triples, speech))

    usable = [p for p in prepared if p.spans]
    authors = sorted({a for p in pages for a in p.authors if len(a.split()) >= 2})
    cases: list[Case] = []
    for ps in usable:
        cases.extend(_page_cases(ps, usable, authors, seed))
    dead_rng = random.Random(f"{seed}:dead")
    for ps in dead_rng.sample(usable, min(dead_links, len(usable))):
        span = random.Random(f"{seed}:{ps.page.id}:dead").choice(ps.spans)
        cases.append(
            _case("dead_link", ps.page, span.text, span.text, 0, path=f"/gone/{ps.page.id}")
        )
    return CaseSet(cases, stats)


def _case(
    kind: str,
    page: Page,
    quote: str,
    span: str,
    n: int,
    *,
    path: str | None = None,
    author: str | None = None,
    year: int | None = None,
    note: str = "",
    made_from: Page | None = None,
) -> Case:
    label = CASE_TYPES[kind][0]
    return Case(
        id=f"{kind}/{(made_from or page).id}/{n}",
        type=kind,
        page=page.id,
        path=path or page.path,
        quote=quote,
        label=label,
        author=author,
        year=year,
        span=span,
        note=note,
    )


def _page_cases(
    ps: _PageSpans, usable: Sequence[_PageSpans], authors: Sequence[str], seed: int
) -> Iterable[Case]:
    page = ps.page

    def rng(kind: str) -> random.Random:
        return random.Random(f"{seed}:{page.id}:{kind}")

    r = rng("verbatim")
    span = r.choice(ps.spans)
    yield _case("verbatim", page, span.text, span.text, 0)

    r = rng("typography")
    span = r.choice(ps.spans)
    changed = retype(span.text, r)
    if changed != span.text:
        yield _case("typography", page, changed, span.text, 0, note=repr(changed))

    uncut = [s for s in ps.spans if not CUT_MARK.search(s.text)]
    r = rng("marked_cut")
    options = [s for s in uncut if len(s.text.split()) >= 12]
    if options:
        span = r.choice(options)
        made = marked_cut(span.text, r)
        if made:
            yield _case("marked_cut", page, made[0], span.text, 0, note=made[1])

    r = rng("sentence_cut")
    triples = [t for t in ps.triples if not CUT_MARK.search(t.text)]
    if triples:
        span = r.choice(triples)
        quote = f"{span.sentences[0]} {span.sentences[2]}"
        yield _case(
            "sentence_cut", page, quote, span.text, 0, note=f"left out {span.sentences[1]!r}"
        )

    r = rng("inner_cut")
    singles = [s for s in uncut if len(s.sentences) == 1 and len(s.text.split()) >= 14]
    r.shuffle(singles)
    for span in singles[:5]:
        made = inner_cut(span.text, r)
        if made:
            yield _case("inner_cut", page, made[0], span.text, 0, note=made[1])
            break

    for kind, edit in (
        ("word_swap", swap_word),
        ("number_change", change_number),
        ("negation", negate),
    ):
        r = rng(kind)
        options = list(ps.spans)
        r.shuffle(options)
        for span in options[:50]:
            made = edit(span.text, r)
            if made:
                yield _case(kind, page, made[0], span.text, 0, note=made[1])
                break

    r = rng("appended_sentence")
    others = [o for o in usable if o.page.id != page.id]
    for _ in range(5):
        if not others:
            break
        other = r.choice(others)
        extra = [
            s
            for s in other.spans
            if len(s.sentences) == 1
            and len(s.text.split()) >= 8
            and not CUT_MARK.search(s.text)
            and not FILLER.search(s.text)
        ]
        if not extra:
            continue
        sentence = r.choice(extra).text
        if ps.oracle.holds(sentence) or ps.oracle.nearly_holds(sentence):
            continue
        span = r.choice(ps.spans)
        yield _case(
            "appended_sentence",
            page,
            f"{span.text} {sentence}",
            span.text,
            0,
            note=f"appended {sentence!r} from {other.page.id}",
        )
        break

    r = rng("wrong_page")
    # Another ordinary article: a test page with two lines of text is "too little to judge".
    articles = [o for o in others if len(o.spans) >= MIN_SPANS_FOR_ARTICLE]
    prose = [s for s in ps.spans if not FILLER.search(s.text)]
    for _ in range(5):
        if not articles or not prose:
            break
        other = r.choice(articles)
        span = r.choice(prose)
        if other.oracle.holds(span.text) or other.oracle.nearly_holds(span.text):
            continue
        yield _case(
            "wrong_page",
            other.page,
            span.text,
            span.text,
            0,
            note=f"span from {page.id}, checked against {other.page.id}",
            made_from=page,
        )
        break

    if page.authors:
        r = rng("right_author")
        span = r.choice(ps.spans)
        yield _case("right_author", page, span.text, span.text, 0, author=page.authors[0])
        r = rng("wrong_author")
        strangers = [
            a for a in authors if a not in page.authors and not ps.oracle.mentions(_surname(a))
        ]
        if strangers:
            span = r.choice(ps.spans)
            stranger = r.choice(strangers)
            yield _case(
                "wrong_author",
                page,
                span.text,
                span.text,
                0,
                author=stranger,
                note=f"byline: {', '.join(page.authors)}",
            )

    if page.year:
        r = rng("right_year")
        span = r.choice(ps.spans)
        yield _case("right_year", page, span.text, span.text, 0, year=page.year)
        r = rng("wrong_year")
        span = r.choice(ps.spans)
        wrong = page.year + r.choice((-3, 3))
        yield _case(
            "wrong_year", page, span.text, span.text, 0, year=wrong, note=f"published {page.year}"
        )

    if ps.speech:
        r = rng("speech")
        chosen = r.sample(ps.speech, min(SPEECH_PER_PAGE, len(ps.speech)))
        for n, (quote, name) in enumerate(chosen):
            yield _case("speech", page, quote, quote, n, author=name, note=f"speaker {name}")
