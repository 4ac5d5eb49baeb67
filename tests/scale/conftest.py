"""Real servers for the scale-out tests: a Redis (valkey-server) and a PostgreSQL on 127.0.0.1.

One of each per test session (starting PostgreSQL costs about a second); each test gets its own
schema (``pg_url``) and an emptied Redis database (``redis_url``), so tests do not see
each other's rows or queues. A test that stops or restarts a server uses its own (``own_postgres``).
"""

from __future__ import annotations

import itertools

import pytest

from tests.servers import PostgresServer, RedisServer, ServerUnavailable

_schemas = itertools.count()


def _started(server_class):
    try:
        server = server_class()
        return server.start()
    except ServerUnavailable as exc:
        pytest.skip(f"{server_class.__name__} cannot run on this machine: {exc}")


@pytest.fixture(scope="session")
def postgres_server():
    server = _started(PostgresServer)
    yield server
    server.close()


@pytest.fixture(scope="session")
def redis_server():
    server = _started(RedisServer)
    yield server
    server.close()


@pytest.fixture
def pg_url(postgres_server):
    """A fresh, empty schema on the shared server, first on the search path of every connection
    made with this URL (a schema is made in milliseconds; a database takes seconds)."""
    import psycopg

    name = f"test_{next(_schemas)}"
    with psycopg.connect(postgres_server.url, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {name}")
    yield f"{postgres_server.url}?options=-csearch_path%3D{name}"


@pytest.fixture
def own_postgres():
    """A server of this test's own, which it may stop and start."""
    server = _started(PostgresServer)
    yield server
    server.close()


_redis_dbs = itertools.count()


@pytest.fixture
def redis_url(redis_server):
    """An emptied Redis database of its own (1-15; 0 is left to module-wide clusters), so no other
    test's workers read this test's queue."""
    import redis

    url = f"{redis_server.url.rsplit('/', 1)[0]}/{next(_redis_dbs) % 15 + 1}"
    client = redis.Redis.from_url(url)
    client.flushdb()
    client.close()
    yield url


# The Bot API emulator and the article site of the bot tests (fixtures imported to be used here).
from tests.bot.conftest import TOKEN, api, fresh_api, site  # noqa: E402,F401
