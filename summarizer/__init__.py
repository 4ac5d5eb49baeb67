"""briefbot's engine: a news article in, a brief of what happened and who said what out.

Usable without Telegram::

    from summarizer import Source, load_settings, make_brief
    brief = make_brief(Source(url="https://example.com/news"), load_settings())

Importing this package loads no model; the models load on the first brief.
"""

from .brief import Source, analyze, load_article, make_brief
from .errors import BriefError
from .settings import Settings, load_settings
from .types import Article, Brief, ErrorInfo, Page, Quote, Speaker

__all__ = [
    "Article", "Brief", "BriefError", "ErrorInfo", "Page", "Quote", "Settings", "Source", "Speaker",
    "analyze", "load_article", "load_settings", "make_brief",
]
