"""Shared fixtures: settings for tests and the path of the shared evaluation data."""

from __future__ import annotations

from pathlib import Path

import pytest

from summarizer.settings import PROJECT_ROOT, Settings, load_settings

EVAL_DIR = PROJECT_ROOT.parent / "shared" / "eval"
EXAMPLE = PROJECT_ROOT / "examples" / "peskov-lavrov.txt"


@pytest.fixture(scope="session")
def settings() -> Settings:
    """Project defaults, except that the tests' own HTTP servers on 127.0.0.1 may be fetched."""
    return load_settings(env={}).replace(fetch={"allow_addresses": ["127.0.0.1"]})


@pytest.fixture(scope="session")
def eval_dir() -> Path:
    if not EVAL_DIR.is_dir():
        pytest.skip("../shared/eval is not present")
    return EVAL_DIR
