"""Every hostile case through `briefbot brief`: a brief, or one clear line with the right code.

Runs in-process (models load once per test process) with ``--json`` so each brief can also
be checked structurally and rendered for Telegram. A few cases run as real subprocesses
to prove that no traceback escapes the console entry point.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from summarizer.cli import main
from summarizer.languages import unsupported_message
from summarizer.render import TELEGRAM_LIMIT, render_telegram_html, render_text, split_message
from summarizer.settings import load_settings
from summarizer.textrules import CONTROLS
from summarizer.types import Brief

from .corpus import BRIEF, CASES, CORPUS_ENV, Case
from .server import hostile_server
from .telegram_html import links, telegram_html_problems

MAX_CHARS = load_settings(env=CORPUS_ENV).extract.max_chars

# Cases that fail because of a known bug in a stage owned by someone else: the test stays
# here, strict, so it turns red (XPASS) the moment the bug is fixed and this mark can go.
KNOWN_BUGS: dict[str, str] = {
}


def _params() -> list:
    return [pytest.param(c, id=c.name, marks=pytest.mark.xfail(strict=True, reason=KNOWN_BUGS[c.name]))
            if c.name in KNOWN_BUGS else pytest.param(c, id=c.name) for c in CASES]


@pytest.fixture(scope="module")
def base() -> str:
    with hostile_server() as url:
        yield url


@pytest.fixture
def corpus_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in CORPUS_ENV.items():
        monkeypatch.setenv(key, value)


def source_arg(case: Case, base: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """The SOURCE argument for `briefbot brief`, with stdin or a file prepared for it."""
    if case.kind == "url":
        return case.link(base)
    if case.kind == "text":
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(case.data or b"")))
        return "-"
    if case.filename == "/":
        return str(tmp_path)
    path = tmp_path / case.filename
    if case.data is not None:
        path.write_bytes(case.data)
    return str(path)


def check_brief(brief: dict, case: Case) -> None:
    """What a demanding reader expects of any brief, hostile input or not."""
    assert brief["error"] is None
    text = brief["text"]
    assert 0 < len(text) <= MAX_CHARS, "the models must never see more than extract.max_chars"
    assert brief["summary"], "a brief without a summary"
    assert all(s in text for s in brief["summary"]), "an extractive summary quotes the article's own sentences"
    assert len(set(brief["summary"])) == len(brief["summary"]), "the summary repeats a sentence"
    for needle in case.must_contain:
        assert needle in text or needle in (brief["title"] or ""), f"{needle!r} was lost"
    shown = [text, brief["title"] or "", brief["site"] or "", *brief["summary"],
             *(s["name"] + (s["role"] or "") for s in brief["speakers"])]
    assert not [ch for field in shown for ch in field if ch in CONTROLS], "control characters reach the output"
    if case.max_speakers is not None:
        assert len(brief["speakers"]) <= case.max_speakers, [s["name"] for s in brief["speakers"]]
    for speaker in brief["speakers"]:
        assert speaker["name"].strip()
        for q in speaker["quotes"]:
            assert text[q["start"]:q["end"]] == q["text"]
    # The same brief as the bot would send it: safe markup, no links but the source's.
    obj = Brief.from_dict(brief)
    assert obj.to_dict() == brief
    chunks = split_message(render_telegram_html(obj))
    for chunk in chunks:
        assert not telegram_html_problems(chunk), (telegram_html_problems(chunk), chunk[:500])
        assert all(href == brief["url"] for href in links(chunk))
    assert render_text(obj).strip()


@pytest.mark.timeout(120)
@pytest.mark.parametrize("case", _params())
def test_cli_case(case: Case, base: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, corpus_env: None,
                  capsys: pytest.CaptureFixture[str]) -> None:
    arg = source_arg(case, base, tmp_path, monkeypatch)
    code = main(["brief", "--json", arg])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    brief = json.loads(out)
    if case.expect == BRIEF:
        assert code == 0, err
        # Library chatter on stderr is checked once, in a fresh process (test_success_keeps_stderr_clean):
        # in-process, only the first case that loads a model would see it. Our own error lines never.
        assert "briefbot:" not in err, err
        check_brief(brief, case)
    else:
        assert (brief["error"] or {}).get("code") == case.expect, (brief["error"], case.why)
        assert code == 1
        assert err.endswith("\n") and err.count("\n") == 1, err
        assert err.startswith(f"briefbot: {case.expect}: ") and len(err) > len(f"briefbot: {case.expect}: ") + 5
        assert len(err) <= 400, "an error is one short line, whatever the input was"
        if case.language:  # a refused language is named: "This article looks German; ..."
            assert brief["error"]["message"] == unsupported_message(case.language)


def test_corpus_is_big_enough() -> None:
    assert len(CASES) >= 40
    assert {c.kind for c in CASES} == {"text", "url", "file"}


def test_loopback_is_refused_by_default(base: str, monkeypatch: pytest.MonkeyPatch,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    """Without the test-only allow list, the local server itself is off limits."""
    monkeypatch.delenv("BRIEFBOT_FETCH_ALLOW_ADDRESSES", raising=False)
    assert main(["brief", f"{base}/article"]) == 1
    assert capsys.readouterr().err.startswith("briefbot: blocked_address: ")
    # By name, on the server's odd port: refused too (the port check may come first).
    assert main(["brief", base.replace("127.0.0.1", "localhost") + "/article"]) == 1
    assert capsys.readouterr().err.startswith(("briefbot: blocked_address: ", "briefbot: blocked_port: "))


# ------------------------------------------------------------------ real processes

SUBPROCESS_CASES = ["empty-text", "binary-png", "html-file-hostile", "pdf-file", "missing-file", "url-plain-words",
                    "cloud-metadata", "http-read-timeout", "http-gzip-bomb", "http-redirect-loop"]


@pytest.mark.timeout(180)
@pytest.mark.parametrize("name", SUBPROCESS_CASES)
def test_real_process_prints_no_traceback(name: str, base: str, tmp_path: Path) -> None:
    case = next(c for c in CASES if c.name == name)
    stdin = None
    if case.kind == "url":
        arg = case.link(base)
    elif case.kind == "text":
        arg, stdin = "-", case.data
    else:
        arg = str(tmp_path / case.filename)
        if case.data is not None:
            Path(arg).write_bytes(case.data)
    env = {**os.environ, **CORPUS_ENV}
    proc = subprocess.run([sys.executable, "-m", "summarizer", "brief", arg], input=stdin or b"",
                          capture_output=True, timeout=170, env=env)
    out, err = proc.stdout.decode(), proc.stderr.decode()
    assert "Traceback" not in out + err
    if case.expect == BRIEF:
        assert proc.returncode == 0, err
        assert "Summary:" in out
        if case.name == "html-file-hostile":
            # Plain text keeps a hostile title verbatim: a terminal is not a browser, nothing to escape.
            assert "<script>alert(1)</script>" in out
    else:
        assert proc.returncode == 1
        assert err.count("\n") == 1 and err.startswith(f"briefbot: {case.expect}: "), err


@pytest.mark.timeout(180)
def test_success_keeps_stderr_clean(tmp_path: Path) -> None:
    """A successful brief prints the brief and nothing else: no progress bars, no warnings."""
    path = tmp_path / "article.txt"
    path.write_bytes(next(c for c in CASES if c.name == "plain-article").data or b"")
    proc = subprocess.run([sys.executable, "-m", "summarizer", "brief", str(path)], capture_output=True, timeout=170)
    assert proc.returncode == 0
    assert proc.stderr.decode() == ""


def test_split_limit_is_telegrams() -> None:
    assert TELEGRAM_LIMIT == 4096
