"""A hostile engine for the isolation tests, imported by the bot's engine processes.

Pasted text holding ``SPIN <flag>`` spins the CPU in a regular expression that backtracks
for longer than any test runs (holding the GIL, as the quadratic patterns of the red-team
review did); ``EXPLODE <flag>`` allocates without bound. Both first create the file ``<flag>``
so the test knows the engine process is at it. Anything else is briefed by ``make_brief``.

The engine is a stand-in on purpose: the real engine's slow inputs get fixed over time, and
this test is about the bot surviving whatever input the engine cannot handle.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from summarizer.brief import Source, make_brief as real_make_brief
from summarizer.types import Brief

HOSTILE = re.compile(r"\b(SPIN|EXPLODE) (\S+)")


def make_brief(source: Source, settings: Any, *, id: str | None = None, length: str | None = None) -> Brief:
    found = HOSTILE.search(source.text or "")
    if found:
        kind, flag = found.groups()
        Path(flag).touch()
        if kind == "SPIN":
            re.match(r"(a+)+$", "a" * 64 + "!")  # exponential backtracking: never returns in time
        hoard = []
        while True:
            hoard.append(bytearray(32 * 1024 * 1024))  # zero-filled, so the pages are really used
    return real_make_brief(source, settings, id=id, length=length)
