"""The corpus through `briefbot batch`: one output line per input line, same order, same codes.

Only cases whose input a JSONL line can carry (UTF-8 text, http(s) links); the models run for
two of them only, to keep this cheap. Batch has no input-size cap of its own (it is an
operator's tool reading a file), so the over-cap text case is left out.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from summarizer.cli import main

from .corpus import BRIEF, CASES, CORPUS_ENV, Case
from .server import hostile_server


def _batchable(case: Case) -> bool:
    if case.name in ("five-mb-over-cap", "five-mb-under-cap") or case.expected_for_bot == "skip":
        return False
    if case.kind == "text":
        return case.text is not None and (case.expect != BRIEF or case.name == "plain-article")
    if case.kind == "url":
        url = case.url or ""
        return url.startswith(("http://", "https://", "{base}")) and (case.expect != BRIEF or case.name == "http-article")
    return False


@pytest.mark.timeout(300)
def test_batch_answers_every_hostile_line_in_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    for key, value in CORPUS_ENV.items():
        monkeypatch.setenv(key, value)
    cases = [c for c in CASES if _batchable(c)]
    with hostile_server() as base:
        lines = [json.dumps({"id": c.name, "text": c.text} if c.kind == "text" else {"id": c.name, "url": c.link(base)})
                 for c in cases]
        junk = ["{not json", "[1, 2]", '{"id": "n", "text": 42}', '{"id": "h", "html": "\\u0000\\u0001<p>"}', '"str"']
        src = tmp_path / "in.jsonl"
        src.write_text("\n".join(lines + junk) + "\n", encoding="utf-8")
        out = tmp_path / "out.jsonl"
        assert main(["batch", str(src), str(out)]) == 0
    err = capsys.readouterr().err
    assert "Traceback" not in err
    results = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert len(results) == len(lines) + len(junk)
    for case, result in zip(cases, results):
        assert result["id"] == case.name
        got = result["error"]["code"] if result["error"] else BRIEF
        # Batch hands text to the engine as the bot does, without the CLI's stdin checks.
        assert got == case.expected_for_bot, (case.name, result["error"])
    for result in results[len(cases):]:
        assert result["error"] and result["error"]["code"] in {"bad_source", "bad_encoding", "no_article_text"}
