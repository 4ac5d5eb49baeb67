"""Plain dataclasses that travel between the stages.

fetch -> Page, extract -> Article, analyze -> summary sentences + Speakers,
brief -> Brief (whose ``to_dict`` is the JSON contract other tools rely on).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Page:
    """A fetched web page: the body decoded to text and where it really came from."""

    url: str  # the URL asked for
    final_url: str  # after redirects
    html: str
    content_type: str


@dataclass
class Article:
    """The article body the analysis runs on, plus what the page says about it."""

    text: str
    title: str | None = None
    site: str | None = None
    url: str | None = None
    published: str | None = None  # ISO date
    author: str | None = None
    language: str | None = None


@dataclass
class Quote:
    """One statement: a direct quote (the words inside the marks) or reported speech.

    ``start``/``end`` are character offsets into ``Article.text``; ``text`` is
    always ``article.text[start:end]``. ``kind`` says what the cue makes of it: "said" (a plain
    saying), "denied", "asked", "belief", "intention", "negated" (refused or did not say), or
    "source" (a document or poll, never a person's words: the brief does not show it).
    ``confidence`` (0-1) says how directly it was attributed, ``rule`` which construction found it,
    ``shown`` whether the brief shows it (the JSON keeps every statement).
    """

    text: str
    direct: bool
    cue: str | None
    start: int
    end: int
    kind: str = "said"  # said | denied | asked | belief | intention | negated | source (the cue's meaning)
    confidence: float = 1.0  # how sure the construction that found it is (0..1)
    rule: str = ""  # the name of the construction that found it

    shown: bool = True  # the brief shows it: confidence at or above [speakers] min_confidence, not a source

    def lead(self) -> str | None:
        """The cue to show before the words when it changes their meaning ("denied", "asked why",
        "refused to acknowledge"); None for a plain saying."""
        return self.cue if self.kind not in ("said", "source") and self.cue else None


@dataclass
class Speaker:
    name: str
    role: str | None = None
    quotes: list[Quote] = field(default_factory=list)


@dataclass
class ErrorInfo:
    code: str
    message: str


@dataclass
class Brief:
    id: str | None
    title: str | None
    site: str | None
    url: str | None
    published: str | None
    language: str | None
    text: str
    summary: list[str] = field(default_factory=list)
    speakers: list[Speaker] = field(default_factory=list)
    timings_ms: dict[str, float] = field(default_factory=dict)
    error: ErrorInfo | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Brief":
        speakers = [
            Speaker(
                name=s["name"],
                role=s.get("role"),
                quotes=[Quote(**q) for q in s.get("quotes", [])],
            )
            for s in data.get("speakers") or []
        ]
        error = ErrorInfo(**data["error"]) if data.get("error") else None
        return cls(
            id=data.get("id"),
            title=data.get("title"),
            site=data.get("site"),
            url=data.get("url"),
            published=data.get("published"),
            language=data.get("language"),
            text=data.get("text") or "",
            summary=list(data.get("summary") or []),
            speakers=speakers,
            timings_ms=dict(data.get("timings_ms") or {}),
            error=error,
        )

    @classmethod
    def failed(cls, id: str | None, url: str | None, error: "ErrorInfo") -> "Brief":
        return cls(id=id, title=None, site=None, url=url, published=None, language=None, text="", error=error)
