"""Start-up checks of the Celery queue, shared by the bot's fronts and ``briefbot worker``: a setting
that cannot work or a broker that cannot be reached stops the process with one clear line."""

from __future__ import annotations

from summarizer.settings import Settings


def check_queue_settings(settings: Settings) -> None:
    """The celery backend needs state every front and worker shares (each key itself is checked with
    the settings)."""
    if settings.queue.backend == "celery" and not settings.storage.url.startswith(("postgresql:", "postgres:")):
        raise SystemExit("[queue] backend = 'celery' needs [storage] url = 'postgresql://…' "
                         "(the state every front and worker shares)")


def check_broker(settings: Settings) -> None:
    """Fail at once, with one clear line, when Redis cannot be reached (no crash loop of retries)."""
    import redis

    client = redis.Redis.from_url(settings.queue.broker_url, socket_connect_timeout=3, socket_timeout=3)
    try:
        client.ping()
    except redis.RedisError as exc:
        raise SystemExit(f"cannot reach the Redis broker at [queue] broker_url ({exc}); "
                         "start Redis or fix the setting") from None
    finally:
        client.close()
