"""The test servers are real, loopback-only, and survive a restart with their data."""

import psycopg
import redis


def test_redis_answers_on_loopback(redis_server):
    assert redis_server.url.startswith("redis://127.0.0.1:")
    client = redis.Redis.from_url(redis_server.url)
    client.set("k", "v")
    assert client.get("k") == b"v"


def test_postgres_keeps_data_across_a_restart(own_postgres):
    assert own_postgres.url.startswith("postgresql://postgres@127.0.0.1:")
    with psycopg.connect(own_postgres.url, autocommit=True) as conn:
        conn.execute("CREATE TABLE t (x int)")
        conn.execute("INSERT INTO t VALUES (7)")
    own_postgres.stop()
    own_postgres.start()
    with psycopg.connect(own_postgres.url) as conn:
        assert conn.execute("SELECT x FROM t").fetchone() == (7,)
