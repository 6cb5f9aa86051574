"""Original sample texts written for the tests (no third-party pages are committed)."""

ARTICLE_TITLE = "Community Gardens Are Good for Cities"

# Paragraphs of an opinion piece, one per list item; headings are short lines without a period.
ARTICLE_BLOCKS = [
    "A quiet argument about land is spreading through city councils. In 2023, the question "
    "reached the courts, and it has major implications for how neighbourhoods grow their food.",
    "Since the first allotments opened after the war, planners have argued about whether "
    "vacant lots should be sold or shared. \u201cPublic land can be an extraordinary resource "
    "for neighbours,\u201d wrote two council members to the mayor, but \u201cprivate "
    "developers can maintain a site more cheaply.\u201d",
    "The debate is surfacing in recent budget talks. First, the county has just finalized a "
    "zoning code that governs every parcel. Second, the state has begun to collect reports "
    "from the owners of unused lots.",
    "However our councils choose to manage land, we need to keep a diverse food system: from "
    "large farms supplying supermarkets to everyday growers experimenting on rooftops. "
    "Community gardens are the bedrock for local resilience in cities.",
    "I serve as coordinator for the Riverside Garden Trust, where I work with a small team of "
    "volunteers who share seeds and tools with thousands of households. My concern is that "
    "this network is uniquely vulnerable to rising fees. Eventually, these fees may lead to "
    "closures in ways that erode the culture of sharing, which made the gardens possible in "
    "the first place and helps keep them safe.",
    "Gardens promote health and trust",
    "Gardens play a vital role in helping to build health and trust in a neighbourhood. Over "
    "the coming years, they will support schools, clinics and food banks; we will see "
    "rooftop beds, corridor orchards and backyard nurseries. In short, gardens will become "
    "civic infrastructure.",
    "The trust estimates that its 41 gardens produced 12,500 kilograms of vegetables last "
    "year, worth about $86,000 at market prices. Dr. Maria Okafor, who studies urban soils at "
    "the state university, said the figures were \u201cplausible, if anything modest.\u201d",
    "\u201cWe are not asking for money,\u201d said Jonas Whitfield, a volunteer since 2019. "
    "\u201cWe are asking to be left alone on land nobody else wants.\u201d",
]
ARTICLE_TEXT = "\n".join(ARTICLE_BLOCKS)
ARTICLE_AUTHOR = "Priya Raman"
ARTICLE_DATE = "2024-05-14"

OTHER_ARTICLE_TEXT = (
    "Bicycle lanes divide opinion in every city that builds them. Shopkeepers fear losing "
    "parking, while riders point to safer streets. A study of twelve towns found that sales "
    "rose slightly after lanes were added. Critics say the study ignored seasonal effects."
)


def article_html(
    *,
    author: str | None = ARTICLE_AUTHOR,
    date: str | None = ARTICLE_DATE,
    blocks: list[str] | None = None,
) -> str:
    """The sample article as a publisher would show it: nav, byline, date, headings, footer."""
    body = []
    for block in blocks or ARTICLE_BLOCKS:
        if not block.endswith((".", "\u201d", "?", "!")) and len(block) < 60:
            body.append(f"<h2>{block}</h2>")
        else:
            body.append(f"<p>{block}</p>")
    meta = []
    byline = ""
    if author:
        meta.append(f'<meta name="author" content="{author}">')
        byline = f'<p class="byline">By {author}</p>'
    time_tag = ""
    if date:
        meta.append(f'<meta property="article:published_time" content="{date}T09:00:00Z">')
        time_tag = f'<time datetime="{date}">{date}</time>'
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{ARTICLE_TITLE} | The Civic Ledger</title>{''.join(meta)}</head><body>"
        "<nav><a href='/'>Home</a> <a href='/opinion'>Opinion</a></nav>"
        f"<article><h1>{ARTICLE_TITLE}</h1>{byline}{time_tag}{''.join(body)}</article>"
        "<footer><p>Copyright The Civic Ledger. All rights reserved.</p></footer>"
        "</body></html>"
    )
