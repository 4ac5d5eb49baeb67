"""The hostile corpus (tests/hostile/corpus.py) through the bot: every text and link case is
sent as a chat message, all at once from different chats to one running bot, and each gets
exactly one answer (a brief, or one friendly sentence) in HTML Telegram accepts.

Chat messages cannot carry every input: cases marked ``bot_expect="skip"``, text that is not
UTF-8 and text that is empty once trimmed (Telegram does not send those) are left out, and
file cases are the CLI's.
"""

from __future__ import annotations

from typing import Any, Iterator

import pytest

from bot import texts
from summarizer.errors import ERROR_CODES
from summarizer.render import render_error_text
from summarizer.settings import load_settings
from tests.hostile.corpus import BRIEF, CASES, CORPUS_ENV, Case
from tests.hostile.server import hostile_server
from tests.hostile.telegram_html import telegram_html_problems

from .conftest import STATUS_TEXTS, TOKEN, RunningBot, answers, new_id
from .emulator import BotApiEmulator


def skip_reason(case: Case) -> str | None:
    if case.kind == "file":
        return "a file, not a chat message"
    if case.expected_for_bot == "skip":
        return "a chat message cannot carry this input"
    if case.kind == "text" and case.text is None:
        return "not UTF-8: cannot be a Telegram text message"
    if case.kind == "text" and not case.text.strip():
        return "empty once trimmed: Telegram does not send it"
    return None


BOT_CASES = [c for c in CASES if skip_reason(c) is None]
# Bounds the wait for the slowest answer (the whole corpus takes about a minute on two cores).
ANSWER_WAIT_S = 240
# The friendly sentences a failed request may get, besides the briefs.
FRIENDLY = {texts.EN.short_text_hint, texts.EN.rate_limited, texts.EN.busy}


def expected_replies(case: Case) -> set[str] | None:
    """The sentences that answer an error case right (None: a brief is expected)."""
    code = case.expected_for_bot
    if code == BRIEF:
        return None
    wanted = {render_error_text(code)}
    if code in ("no_article_text", "bad_url", "bad_source"):
        # A chat message that is no link and too short for an article gets the hint instead.
        wanted.add(texts.EN.short_text_hint)
    return wanted


@pytest.fixture(scope="module")
def corpus_answers(settings: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """Send every case at once, each from its own chat; wait until every one is answered."""
    db = tmp_path_factory.mktemp("corpus") / "bot.sqlite3"
    config = load_settings(env=CORPUS_ENV).replace(
        bot={"token": TOKEN, "workers": 4, "user_rate": 1000, "chat_rate": 1000, "queue_size": 1000,
             "job_timeout_s": 60.0},
        storage={"path": str(db)},
    )
    api = BotApiEmulator(TOKEN).start()
    bot = RunningBot(config, api).start()
    try:
        with hostile_server() as base:
            sent = {}
            for case in BOT_CASES:
                user = api.user(new_id())
                chat = api.private_chat(user)
                text = case.link(base) if case.kind == "url" else case.text
                _, msg = api.user_message(chat, user, text)
                sent[case.name] = (chat["id"], msg["message_id"])
            try:
                api.wait_for(lambda: all(answers(api, *key) for key in sent.values()), ANSWER_WAIT_S,
                             "an answer to every case")
            except AssertionError:
                pass  # a case left unanswered fails below, on its own
            # Anything more the bot says to these chats comes now, not later: stop it first.
            bot.stop()
            yield {name: {"replies": api.replies_to(*key), "all": api.bot_messages(key[0])}
                   for name, key in sent.items()}
    finally:
        if bot.thread.is_alive():
            bot.stop()
        api.stop()


@pytest.mark.timeout(900)
@pytest.mark.parametrize("case", BOT_CASES, ids=[c.name for c in BOT_CASES])
def test_corpus_case_through_the_bot(case: Case, corpus_answers: dict[str, Any]) -> None:
    got = corpus_answers[case.name]
    assert got["replies"], "no answer"
    assert len(got["all"]) == len(got["replies"]), "the bot said something that answers nothing"
    for part in got["replies"]:
        assert part["text"] not in STATUS_TEXTS
        # The emulator refuses HTML Telegram would refuse; this checker is stricter still.
        assert not telegram_html_problems(part["html"]), (telegram_html_problems(part["html"]), part["html"][:300])
    reply, *more = got["replies"]
    wanted = expected_replies(case)
    if wanted is None:  # one brief, in as many messages as its length needs
        assert reply["html"].startswith("<b>") and "<b>Summary:</b>" in reply["html"], reply["text"][:200]
        return
    assert not more, "an error is one sentence, once"
    if case.kind == "url" and any(ch.isspace() for ch in case.url or ""):
        wanted = wanted | {code.friendly for code in ERROR_CODES.values()}  # the chat links only the part before the space
    assert reply["text"] in wanted, f"expected one of {wanted}, got {reply['text'][:200]!r}"


def test_corpus_cases_skipped_for_the_bot() -> None:
    """Each case left out has a reason a chat message explains; nothing else is left out."""
    skipped = {c.name: skip_reason(c) for c in CASES if skip_reason(c)}
    assert len(BOT_CASES) + len(skipped) == len(CASES)
    assert all(c.kind in ("text", "url") for c in BOT_CASES)
