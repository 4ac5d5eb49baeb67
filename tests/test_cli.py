"""The `briefbot` command end to end: example article, local HTML over HTTP, stdin, batch, errors."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import pytest

from summarizer.cli import main

from .conftest import EXAMPLE
from .http_server import serve

ARTICLE_HTML = """<!doctype html><html><head><title>Council approves new bridge | Riverside Daily</title>
<meta property="og:site_name" content="Riverside Daily">
<meta property="article:published_time" content="2023-05-02T10:00:00Z"></head>
<body><nav><a href="/">Home</a> <a href="/news">News</a></nav>
<article><h1>Council approves new bridge</h1>
<p>The city council voted on Tuesday to approve a new bridge across the Riverside canal, ending a debate that has lasted nearly a decade.</p>
<p>"This bridge will connect two neighbourhoods that have been cut off from each other for far too long," said Mayor Helen Carter after the vote.</p>
<p>The project is expected to cost 40 million dollars and construction will begin next spring, according to the city's planning department.</p>
<p>Opposition councillor James Brook said the cost was too high and warned that the budget could double before the work is finished.</p>
<p>Residents who attended the meeting were divided, with some cheering the decision and others worried about years of construction noise.</p>
</article><footer>Copyright Riverside Daily</footer></body></html>"""


HTML = {"Content-Type": "text/html; charset=utf-8"}
ROUTES = {
    "/article": (200, HTML, ARTICLE_HTML.encode()),
    "/image.png": (200, {"Content-Type": "image/png"}, b"\x89PNG\r\n\x1a\n" + b"\x00" * 100),
    "/to-emoji-domain": (302, {"Location": "http://xn--ls8h.la/"}, b""),
}


@pytest.fixture(scope="module")
def server():
    with serve(ROUTES) as base_url:
        yield base_url


@pytest.fixture
def local_fetch(monkeypatch):
    monkeypatch.setenv("BRIEFBOT_FETCH_ALLOW_ADDRESSES", "127.0.0.1")


def run_json(capsys, *args):
    code = main(["brief", "--json", *args])
    out = capsys.readouterr()
    return code, json.loads(out.out), out.err


def test_example_brief_names_who_said_what(capsys):
    assert main(["brief", str(EXAMPLE)]) == 0
    out = capsys.readouterr().out
    assert "Who said what" in out and "Summary:" in out
    assert "Dmitry Peskov (Kremlin spokesman)" in out
    assert "Sergey Lavrov (Russian Foreign Minister)" in out
    for furniture in ("Freddie Dawson", "See also", "Leave a Reply", "email address", "Back to top", "Bacon ninja"):
        assert furniture not in out


def test_example_json_contract(capsys):
    code, brief, _ = run_json(capsys, str(EXAMPLE))
    assert code == 0 and brief["error"] is None
    assert set(brief) == {"id", "title", "site", "url", "published", "language", "text", "summary",
                          "speakers", "timings_ms", "error", "paywalled"}
    text = brief["text"]
    assert 2 <= len(brief["summary"]) <= 4 and all(s in text for s in brief["summary"])
    by_name = {s["name"]: s for s in brief["speakers"]}
    peskov = by_name["Dmitry Peskov"]
    assert any("President Putin is, of course, ready to negotiate" in q["text"] for q in peskov["quotes"])
    lavrov_cues = {q["cue"] for q in by_name["Sergey Lavrov"]["quotes"]}
    assert {"specified", "noted"} <= lavrov_cues
    for s in brief["speakers"]:
        assert set(s) == {"name", "role", "quotes", "salience"}
        for q in s["quotes"]:
            assert set(q) == {"text", "direct", "cue", "start", "end", "kind", "confidence", "rule", "shown",
                              "informativeness"}
            assert 0.0 <= q["confidence"] <= 1.0 and q["rule"]
            assert text[q["start"]:q["end"]] == q["text"]
    assert "Freddie Dawson" not in text and "Leave a Reply" not in text


def test_compact_by_default_full_on_demand(capsys):
    assert main(["brief", str(EXAMPLE)]) == 0
    compact = capsys.readouterr().out
    assert main(["brief", str(EXAMPLE), "--full"]) == 0
    full = capsys.readouterr().out
    assert len(compact) < len(full)
    # the full brief shows every statement the JSON has, the compact one the most informative
    _, brief, _ = run_json(capsys, str(EXAMPLE))
    statements = [q for s in brief["speakers"] for q in s["quotes"]]
    fragment = "was only “part of the problem"  # a fragment loses to Peskov's statements of position
    who_said_what = compact[compact.index("Who said what"):]  # (the summary may say it: it is the lead)
    assert fragment in full and fragment not in who_said_what
    assert len(statements) > compact.count("; ") + compact.count("• ")
    # the JSON is the same either way (everything)
    _, full_json, _ = run_json(capsys, str(EXAMPLE), "--full")
    full_json["timings_ms"] = brief["timings_ms"] = {}
    assert full_json == brief


def test_html_article_over_http(capsys, server, local_fetch):
    code, brief, _ = run_json(capsys, f"{server}/article")
    assert code == 0, brief["error"]
    assert brief["title"] == "Council approves new bridge"
    assert brief["site"] == "Riverside Daily"
    assert brief["published"] == "2023-05-02"
    assert "Home" not in brief["text"] and "Copyright" not in brief["text"]
    names = {s["name"] for s in brief["speakers"]}
    assert "Helen Carter" in names and "James Brook" in names


def test_local_html_file_and_stdin(capsys, tmp_path, monkeypatch):
    page = tmp_path / "page.html"
    page.write_text(ARTICLE_HTML)
    code, brief, _ = run_json(capsys, str(page))
    assert code == 0 and brief["title"] == "Council approves new bridge"
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(EXAMPLE.read_bytes())))
    code, brief, _ = run_json(capsys, "-")
    assert code == 0 and any(s["name"] == "Dmitry Peskov" for s in brief["speakers"])


@pytest.mark.parametrize("make_arg, code", [
    (lambda srv, tmp: f"{srv}/missing", "http_error"),
    (lambda srv, tmp: f"{srv}/image.png", "not_html"),
    (lambda srv, tmp: "ftp://example.com/x", "bad_url"),
    (lambda srv, tmp: "http://xn--ls8h.la/", "bad_url"),  # issue 10 finding 5: idna refuses the emoji label
    (lambda srv, tmp: f"{srv}/to-emoji-domain", "bad_url"),
    (lambda srv, tmp: str(tmp / "nope.txt"), "bad_source"),
    (lambda srv, tmp: (tmp / "short.txt").write_text("Too short.") and str(tmp / "short.txt"), "no_article_text"),
    (lambda srv, tmp: (tmp / "bin.txt").write_bytes(b"\xff\xfe\x00\x01" * 50) and str(tmp / "bin.txt"), "bad_encoding"),
])
def test_errors_are_one_line_with_a_code(capsys, server, local_fetch, tmp_path, make_arg, code):
    assert main(["brief", make_arg(server, tmp_path)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"briefbot: {code}: ") and err.count("\n") == 1
    assert "Traceback" not in err


@pytest.mark.parametrize("url", ["http://xn--ls8h.la/", "http://xn--a/"])
def test_emoji_domain_is_one_bad_url_line_without_a_traceback(url):
    """Issue 10 finding 5: the idna error escaped fetch_page (engine_failed and a full traceback)."""
    proc = subprocess.run([sys.executable, "-m", "summarizer", "brief", url], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1
    assert proc.stderr.startswith("briefbot: bad_url: ") and proc.stderr.count("\n") == 1, proc.stderr


def test_private_addresses_refused_by_default(capsys, server, monkeypatch):
    monkeypatch.delenv("BRIEFBOT_FETCH_ALLOW_ADDRESSES", raising=False)
    assert main(["brief", f"{server}/article"]) == 1
    assert capsys.readouterr().err.startswith("briefbot: blocked_address: ")


def test_batch_keeps_order_and_survives_a_failing_item(capsys, tmp_path, server, local_fetch):
    lines = [
        {"id": "a", "text": EXAMPLE.read_text()},
        {"id": "b", "text": "hi"},
        "not json",
        {"id": "c", "html": ARTICLE_HTML, "url": "https://riverside.example/bridge"},
        {"id": "d", "url": f"{server}/article"},
    ]
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join(x if isinstance(x, str) else json.dumps(x) for x in lines) + "\n")
    out = tmp_path / "out.jsonl"
    assert main(["batch", str(src), str(out)]) == 0
    briefs = [json.loads(x) for x in out.read_text().splitlines()]
    assert [b["id"] for b in briefs] == ["a", "b", "line-3", "c", "d"]
    assert [b["error"]["code"] if b["error"] else None for b in briefs] == [
        None, "no_article_text", "bad_source", None, None]
    assert briefs[3]["url"] == "https://riverside.example/bridge"
    assert "5 items, 2 failed" in capsys.readouterr().err

def test_batch_item_that_never_finishes_fails_alone(capsys, tmp_path, monkeypatch):
    """Each batch item is untrusted: one that spins forever is cut off at the job timeout and
    answered as an error; the items after it are still briefed."""
    monkeypatch.setattr("summarizer.cli.BATCH_ENGINE", "tests.bot.hostile_engine:make_brief")
    monkeypatch.setenv("BRIEFBOT_BOT_JOB_TIMEOUT_S", "8")
    flag = tmp_path / "spinning"
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join(json.dumps(x) for x in [
        {"id": "spin", "text": f"SPIN {flag} " + EXAMPLE.read_text()},
        {"id": "after", "text": EXAMPLE.read_text()},
    ]) + "\n")
    out = tmp_path / "out.jsonl"
    assert main(["batch", str(src), str(out)]) == 0
    spin, after = [json.loads(x) for x in out.read_text().splitlines()]
    assert flag.exists()  # the engine really was at it
    assert spin["id"] == "spin" and spin["error"]["code"] == "timeout"
    assert after["error"] is None and any(s["name"] == "Dmitry Peskov" for s in after["speakers"])


def test_real_console_script_prints_the_example():
    proc = subprocess.run([sys.executable, "-m", "summarizer", "brief", str(EXAMPLE)],
                          capture_output=True, text=True, timeout=240)
    assert proc.returncode == 0, proc.stderr
    assert "Dmitry Peskov" in proc.stdout and "Traceback" not in proc.stderr
