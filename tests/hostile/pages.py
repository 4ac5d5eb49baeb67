"""Fixture texts and pages for the hostile corpus (all written for these tests)."""

from __future__ import annotations

import zlib

ARTICLE_TEXT = """Harbour town votes to close its old ferry pier

The town council of Port Ellis voted on Wednesday to close the old ferry pier after engineers found that two of its supporting pillars had cracked during the winter storms.

"We cannot ask families to walk on a structure that our own engineers say could fail," said Mayor Linda Okafor after the vote, which passed by seven votes to two.

The pier, built in 1932, carried about 300,000 passengers a year before the storms. Ferry services will move to a temporary landing stage at the fishing harbour from next month, the council said.

Councillor Tom Reyes, who voted against the closure, said the town had ignored warnings about the pier for a decade and should have repaired it years ago. "This is the price of doing nothing," he said.

Local businesses are worried. Sarah Lind, who runs a cafe near the pier, told reporters that most of her customers arrive by ferry and that a long closure could force her to shut.

The council expects a report on the cost of rebuilding the pier by the end of the year. Engineers estimate that repairs could take at least eighteen months.
"""


def _paragraphs_html(text: str) -> str:
    lines = [ln for ln in text.strip().split("\n\n")]
    head, body = lines[0], lines[1:]
    return f"<h1>{head}</h1>\n" + "\n".join(f"<p>{p}</p>" for p in body)


ARTICLE_HTML = f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Harbour town votes to close its old ferry pier | Coast Herald</title>
<meta property="og:site_name" content="Coast Herald">
<meta property="article:published_time" content="2024-03-06T09:00:00Z"></head>
<body><nav><a href="/">Home</a> <a href="/news">News</a> <a href="/sport">Sport</a></nav>
<article>{_paragraphs_html(ARTICLE_TEXT)}</article>
<footer>Copyright Coast Herald. All rights reserved.</footer></body></html>"""

LATIN1_HTML = """<!doctype html><html lang="es"><head><meta charset="iso-8859-1">
<title>Caf\u00e9 owner Jos\u00e9 Mu\u00f1oz wins award</title></head><body><article>
<h1>Caf\u00e9 owner Jos\u00e9 Mu\u00f1oz wins award</h1>
<p>Jos\u00e9 Mu\u00f1oz, who has run the small caf\u00e9 on the corner of the market square for thirty years, won the town's business award on Friday for his work with young apprentices.</p>
<p>"I did not expect this at all, it belongs to everyone who has worked in my kitchen," Mu\u00f1oz said at the ceremony, holding the trophy above his head.</p>
<p>The award jury said the caf\u00e9 had trained more than forty apprentices, many of whom now run their own restaurants in the region and abroad.</p>
<p>Mayor Ren\u00e9e Dubois said the town was proud of him and announced that the square would host a small celebration next weekend.</p>
</article></body></html>"""

GERMAN_HTML = """<!doctype html><html lang="de"><head><meta charset="utf-8"><title>Stadtrat beschlie\u00dft neue Radwege</title></head>
<body><article><h1>Stadtrat beschlie\u00dft neue Radwege</h1>
<p>Der Stadtrat hat am Dienstag beschlossen, in den n\u00e4chsten drei Jahren zw\u00f6lf Kilometer neue Radwege zu bauen. Die Kosten werden auf rund acht Millionen Euro gesch\u00e4tzt.</p>
<p>\u201eWir wollen, dass Kinder sicher mit dem Rad zur Schule fahren k\u00f6nnen\u201c, sagte B\u00fcrgermeisterin Anna Becker nach der Abstimmung im Rathaus.</p>
<p>Die Opposition kritisierte den Plan als zu teuer. Der Fraktionschef Klaus Weber sagte, das Geld w\u00e4re besser in die Sanierung der Schulen investiert.</p>
<p>Die Bauarbeiten sollen im Fr\u00fchjahr beginnen. Zuerst wird die Verbindung zwischen dem Bahnhof und der Universit\u00e4t gebaut, teilte die Stadtverwaltung mit.</p>
</article></body></html>"""

ARABIC_HTML = """<!doctype html><html lang="ar" dir="rtl"><head><meta charset="utf-8"><title>\u0627\u0641\u062a\u062a\u0627\u062d \u0645\u0643\u062a\u0628\u0629 \u062c\u062f\u064a\u062f\u0629 \u0641\u064a \u0627\u0644\u0645\u062f\u064a\u0646\u0629</title></head>
<body><article><h1>\u0627\u0641\u062a\u062a\u0627\u062d \u0645\u0643\u062a\u0628\u0629 \u062c\u062f\u064a\u062f\u0629 \u0641\u064a \u0627\u0644\u0645\u062f\u064a\u0646\u0629</h1>
<p>\u0627\u0641\u062a\u062a\u062d\u062a \u0627\u0644\u0628\u0644\u062f\u064a\u0629 \u064a\u0648\u0645 \u0627\u0644\u0633\u0628\u062a \u0645\u0643\u062a\u0628\u0629 \u0639\u0627\u0645\u0629 \u062c\u062f\u064a\u062f\u0629 \u0641\u064a \u0648\u0633\u0637 \u0627\u0644\u0645\u062f\u064a\u0646\u0629\u060c \u062a\u0636\u0645 \u0623\u0643\u062b\u0631 \u0645\u0646 \u0639\u0634\u0631\u064a\u0646 \u0623\u0644\u0641 \u0643\u062a\u0627\u0628 \u0648\u0642\u0627\u0639\u0629 \u0644\u0644\u0623\u0637\u0641\u0627\u0644.</p>
<p>\u0648\u0642\u0627\u0644 \u0631\u0626\u064a\u0633 \u0627\u0644\u0628\u0644\u062f\u064a\u0629 \u0625\u0646 \u0627\u0644\u0645\u0643\u062a\u0628\u0629 \u0633\u062a\u0643\u0648\u0646 \u0645\u0641\u062a\u0648\u062d\u0629 \u0644\u0644\u062c\u0645\u064a\u0639 \u0645\u062c\u0627\u0646\u0627\u064b \u0637\u0648\u0627\u0644 \u0623\u064a\u0627\u0645 \u0627\u0644\u0623\u0633\u0628\u0648\u0639\u060c \u0648\u0625\u0646 \u0627\u0644\u0647\u062f\u0641 \u0647\u0648 \u062a\u0634\u062c\u064a\u0639 \u0627\u0644\u0642\u0631\u0627\u0621\u0629 \u0628\u064a\u0646 \u0627\u0644\u0634\u0628\u0627\u0628.</p>
<p>\u0648\u0623\u0636\u0627\u0641 \u0623\u0646 \u0627\u0644\u0628\u0644\u062f\u064a\u0629 \u062a\u062e\u0637\u0637 \u0644\u0641\u062a\u062d \u0641\u0631\u0639\u064a\u0646 \u0622\u062e\u0631\u064a\u0646 \u0641\u064a \u0627\u0644\u0623\u062d\u064a\u0627\u0621 \u0627\u0644\u0634\u0645\u0627\u0644\u064a\u0629 \u062e\u0644\u0627\u0644 \u0627\u0644\u0639\u0627\u0645 \u0627\u0644\u0645\u0642\u0628\u0644\u060c \u0628\u062a\u0643\u0644\u0641\u0629 \u062a\u0642\u062f\u0631 \u0628\u0645\u0644\u064a\u0648\u0646\u064a \u062f\u0648\u0644\u0627\u0631.</p>
</article></body></html>"""

# Markup and link injection, the way a hostile page would try it: in the title (raw text
# inside <title> is literal), in the site name, in the text (as entities, so the extracted
# text holds the literal characters) and inside a quote attributed to a speaker.
INJECTION = '<a href="javascript:alert(1)">click</a> <script>alert(1)</script> </b><i> &amp; &lt; [x](http://evil.example) *bold*'
HOSTILE_TITLE = '</b><a href="http://evil.example/">Win</a> <script>alert(1)</script> & "quotes" <tg-spoiler>'


def _entities(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


HOSTILE_HTML = f"""<!doctype html><html><head><meta charset="utf-8"><title>{_entities(HOSTILE_TITLE)}</title>
<meta property="og:site_name" content="{_entities('<b>Evil</b> News" onclick="x')}">
<meta property="og:title" content="{_entities(HOSTILE_TITLE)}"></head>
<body><article><h1>{_entities(HOSTILE_TITLE)}</h1>
<p>The council met on Monday to discuss the new parking rules, which {_entities(INJECTION)} will apply from May in the whole city centre.</p>
<p>"{_entities('<b>This</b> is <a href="http://evil.example">our plan</a> & it works')}," said Mayor Linda Okafor after the meeting, adding that the rules would be reviewed after a year.</p>
<p>Councillor Tom Reyes said the plan {_entities('</i></b><a href="tg://user?id=1">')} was rushed and that residents had not been asked for their opinion at all.</p>
<p>Shop owners in the centre said they were worried that fewer customers would come if parking became more expensive, and asked for a meeting with the mayor.</p>
</article></body></html>"""

# An article wrapped in 100 nested <div>s, followed by 5,000 more nested <div>s of junk:
# deep enough to trip recursive tree walkers, while the article itself is easy to find.
DEEP_HTML = (
    "<!doctype html><html><head><title>Harbour town votes to close its old ferry pier</title></head><body>"
    + "<div>" * 100 + f"<article>{_paragraphs_html(ARTICLE_TEXT)}</article>" + "</div>" * 100
    + "<div>x " * 5000 + "</div>" * 5000 + "</body></html>"
)
DEEP_EMPTY_HTML = "<html><body>" + "<div><span>" * 20000 + "</span></div>" * 20000 + "</body></html>"

NAV_ONLY_HTML = "<!doctype html><html><head><title>Coast Herald - Home</title></head><body>" + "<nav><ul>" + "".join(
    f'<li><a href="/section/{i}">Section number {i} of our website</a></li>' for i in range(30)
) + "</ul></nav><div class='cookie'>We use cookies. <button>Accept all</button> <button>Reject</button></div>" + (
    "<footer><a href='/about'>About us</a> <a href='/contact'>Contact</a> <a href='/privacy'>Privacy</a> "
    "&copy; 2024 Coast Herald</footer></body></html>"
)

PNG_BYTES = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89" + zlib.compress(b"\x00" * 4000)
PDF_BYTES = (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
             + b"2 0 obj\n<< /Length 3000 /Filter /FlateDecode >>\nstream\n" + zlib.compress(bytes(range(256)) * 40)
             + b"\nendstream\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n")

QUOTES_NO_SPEAKER = """The "new" plan for the "smart" district was presented on Thursday. It includes "green" corridors, "shared" streets and a "digital" twin of the whole area.

"Yes." "No." "Maybe." The posters in the hall carried only those three words, in large "bold" letters, next to a drawing of the "future" tram line.

The word "sustainable" appears 48 times in the 60-page document, and "innovative" another 31 times, while the "budget" section is a single page long.

"Phase one" is planned for next year, "phase two" for the year after, and "phase three" has no date. The "consultation" will run until the end of the month.
"""

UNBALANCED_QUOTES = """\u201cThe water supply will be restored by Friday, the utility company said on Tuesday, after a burst main left four thousand homes without running water for three days.

Engineers worked through the night to replace a 40-metre section of pipe under the high street. \u201cWe are doing everything we can, said a spokeswoman for the company, who asked residents to boil tap water until further notice.

Residents said the company had been slow to respond." The council has opened two distribution points for bottled water at the sports centre and the library.

The company's director, Mark Evans, said an investigation into the cause of the burst would be published within a month\u201d and promised compensation \u201d for every affected household\u201d.
"""

EMOJI_RTL_TEXT = """\U0001F680 Startup from Haifa raises $20m \U0001F525\U0001F525

The Israeli company \u05d0\u05d5\u05e8 \u05d8\u05e7 (Or Tech), founded by \u05e0\u05d5\u05e2\u05d4 \u05dc\u05d5\u05d9 and \u0645\u062d\u0645\u062f \u0627\u0644\u0639\u0644\u064a, said on Monday it had raised 20 million dollars \U0001F4B0 to build batteries for electric buses \U0001F68C.

"This money lets us hire fifty engineers this year \U0001F44D\U0001F3FD," said co-founder Noa Levi, whose family \U0001F468\u200d\U0001F469\u200d\U0001F467 moved to Haifa in 2010. \u202eThis line is reversed by an override character.\u202c

The round was led by a fund based in Dubai, \u062f\u0628\u064a, and included investors from Europe and Asia. The company plans to open a factory \U0001F3ED near the port next spring.

Analysts said the deal showed that cross-border investment in the region is growing\u200b\u200b quickly, despite political tensions \U0001F30D.
"""

INJECTION_TEXT = f"""{HOSTILE_TITLE}

The council met on Monday to discuss the new parking rules, which {INJECTION} will apply from May in the whole city centre.

"<b>This</b> is <a href="http://evil.example">our plan</a> & it works," said Mayor Linda Okafor after the meeting, adding that the rules would be reviewed after a year.

Councillor Tom Reyes said the plan </i></b><a href="tg://user?id=1"> was rushed and that residents had not been asked for their opinion at all.

Shop owners in the centre said they were worried that fewer customers would come if parking became more expensive, and asked for a meeting with the mayor.
"""

CONTROL_CHARS_TEXT = ARTICLE_TEXT.replace(" the ", " the\u0007 ", 3).replace("pier", "pi\u00ader", 2).replace(
    "council", "coun\u200bcil\u0008", 2).replace("\n\n", "\r\n\f\r\n", 3)

# One stray character reference that XML forbids (a BEL, a noncharacter) in an otherwise
# ordinary page: the article must survive it, as a browser shows the page anyway.
CONTROL_ENTITY_HTML = ARTICLE_HTML.replace("Port Ellis voted", "Port Ellis&#x7; voted", 1)
NONCHAR_ENTITY_HTML = ARTICLE_HTML.replace("The pier, built", "The pier&#xFFFE;, built", 1)
INVALID_ENTITIES_HTML = ARTICLE_HTML.replace("The pier, built", "The pier &#xD800; &#0; &#1114112; &#99999999999;, built", 1)
