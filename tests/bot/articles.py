"""News-like articles for the bot tests, written here (no real articles), served as HTML."""

from __future__ import annotations

import html

SITE = "Riverton Daily"

COUNCIL = [
    "The Riverton city council approved a new budget on Tuesday after a long debate about school funding, "
    "road repairs and the future of the public library.",
    "\u201cThis budget protects our schools and finally fixes the roads people drive every day,\u201d said "
    "Mayor Anna Keller, who proposed the plan in March and defended it at the meeting.",
    "The plan raises spending on schools by four percent and sets aside twelve million dollars for road "
    "repairs over the next two years, according to figures released by the city.",
    "Council member David Ortiz voted against it. \u201cWe are spending money we do not have, and the "
    "library is paying the price,\u201d Ortiz told reporters after the vote.",
    "The library will close on Sundays from next month, a change that drew protests from parents and "
    "students who use it to study at the weekend.",
    "Library director Maria Chen said the staff would try to keep evening hours open. \u201cWe will do "
    "everything we can to stay open when people need us most,\u201d Chen said.",
    "The budget takes effect on the first of July. The council will review spending again in January, "
    "when new tax figures are expected.",
]

HARBOUR = [
    "Workers at the Port of Lennox ended a three-day strike on Friday after the port authority agreed to a "
    "new contract with higher wages and shorter night shifts.",
    "\u201cOur members stood together and won a fair deal,\u201d said union leader Tom Becker, speaking "
    "outside the harbour gates as the first ships began to unload.",
    "The strike had left more than forty container ships waiting at sea and delayed deliveries of fuel "
    "and food to shops across the region, port officials said.",
    "Port director Helen Morris said the agreement would cost the authority nine million dollars a year. "
    "\u201cIt is expensive, but a closed port costs everyone far more,\u201d Morris said.",
    "Shipping companies welcomed the end of the dispute but warned that clearing the backlog could take "
    "two weeks. Trucking firms said they would add extra drivers over the weekend.",
    "The new contract runs for three years and includes a review of safety rules on the night shift, "
    "which the union had demanded after an accident in the spring.",
]

SPEAKER_NAMES = [
    "Anna Keller", "David Ortiz", "Maria Chen", "Tom Becker", "Helen Morris", "James Walker",
    "Laura Fischer", "Peter Novak", "Sarah Lindqvist", "Michael Brennan", "Emma Rossi", "Daniel Weber",
]


def long_quotes_article() -> list[str]:
    """A long report where many people say long things: its brief is longer than one message."""
    paragraphs = [
        "The regional parliament of Westmark debated a sweeping reform of public transport on Monday, "
        "hearing from ministers, mayors, union leaders and passengers in a session that lasted nine hours.",
    ]
    topics = ["the new train timetable", "ticket prices for students", "the closure of rural bus lines",
              "the cost of the electric buses"]
    for i, name in enumerate(SPEAKER_NAMES):
        last = name.split()[1]
        for j, topic in enumerate(topics[:3]):
            paragraphs.append(
                f"\u201cI have spent many months listening to people who depend on {topic}, and I can tell "
                f"you that they are worried, they are tired of promises, and they want this parliament to "
                f"act before the winter comes and the roads close again in the north of the region,\u201d "
                f"said {name if j == 0 else last}, who spoke for {5 + i + j} minutes during the session."
            )
        paragraphs.append(
            f"{last} was followed by a short break, and the debate then returned to the question of money, "
            f"which the finance committee will discuss again next week."
        )
    paragraphs.append("The parliament will vote on the reform in December.")
    return paragraphs


def article_html(title: str, paragraphs: list[str], site: str = SITE, published: str = "2026-11-20") -> bytes:
    body = "\n".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)} | {html.escape(site)}</title>
<meta property="og:title" content="{html.escape(title)}">
<meta property="og:site_name" content="{html.escape(site)}">
<meta property="article:published_time" content="{published}T09:00:00Z">
</head><body>
<header><nav><a href="/">Home</a> <a href="/news">News</a> <a href="/sport">Sport</a></nav></header>
<article><h1>{html.escape(title)}</h1>
<p class="byline">By Staff Reporter</p>
{body}
</article>
<footer><p>&copy; 2026 {html.escape(site)}. All rights reserved.</p></footer>
</body></html>"""
    return page.encode("utf-8")


def not_an_article_html() -> bytes:
    """A page with no article in it: an app shell that renders everything with JavaScript."""
    return (b"<!doctype html><html><head><title>Shop</title></head><body>"
            b"<nav><a href='/'>Home</a> <a href='/cart'>Cart</a></nav><div id='app'></div>"
            b"<script>window.start()</script></body></html>")


def pasted_text() -> str:
    return "\n\n".join(HARBOUR)
