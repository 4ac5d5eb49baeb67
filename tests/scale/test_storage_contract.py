"""One contract, two storage backends: SQLite (the default) and PostgreSQL (scale-out).

Every test here runs on both (``store`` is parametrized); the PostgreSQL-only parts (claims by
several workers, the poller lock, migrations) follow.
"""

from __future__ import annotations

import threading
import time

import pytest

from bot.storage import ChatSettings
from tests.scale.cluster import job_rows
from bot.stores import StorageUnavailable, open_storage, storage_url
from summarizer.settings import Settings
from summarizer.types import Brief


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path):
    if request.param == "sqlite":
        settings = Settings().replace(storage={"url": f"sqlite:///{tmp_path / 'state.sqlite3'}"})
    else:
        settings = Settings().replace(storage={"url": request.getfixturevalue("pg_url")})
    backend = open_storage(settings)
    yield backend
    backend.close()


def _brief(title: str = "Title") -> Brief:
    return Brief.from_dict({"id": "b", "title": title, "site": "example.com", "url": "https://example.com/a",
                            "published": None, "language": "en", "text": "body " * 50,
                            "summary": ["It happened."], "speakers": [], "timings_ms": {}, "error": None})


def test_chat_settings_default_then_saved(store):
    assert store.chat_settings(-100, "normal") == ChatSettings(length="normal", auto=False)
    store.save_chat_settings(-100, ChatSettings(length="short", auto=True))
    store.save_chat_settings(-100, ChatSettings(length="long", auto=True))  # upsert, not a second row
    assert store.chat_settings(-100, "normal") == ChatSettings(length="long", auto=True)
    assert store.chat_settings(5, "short") == ChatSettings(length="short", auto=False)


def test_brief_cache_expires_and_drops_the_body(store):
    store.cache_brief("k", _brief("First"), ttl_s=60)
    store.cache_brief("k", _brief("Second"), ttl_s=60)
    cached = store.cached_brief("k")
    assert cached is not None and cached.title == "Second" and cached.text == ""
    assert store.cached_brief("k", now=time.time() + 120) is None
    assert store.cached_brief("other") is None


def test_a_sent_brief_is_found_by_its_chat_until_it_expires(store):
    store.remember_sent_brief("tok-1", 7, _brief("Shown"), ttl_s=60)
    sent = store.sent_brief("tok-1", 7)
    assert sent is not None and sent.brief.title == "Shown" and not sent.expanded and sent.continuation == []
    assert store.sent_brief("tok-1", 8) is None  # another chat's button data names nothing
    store.set_sent_brief_view("tok-1", True, [41, 42])
    sent = store.sent_brief("tok-1", 7)
    assert sent is not None and sent.expanded and sent.continuation == [41, 42]
    assert store.sent_brief("tok-1", 7, now=time.time() + 120) is None


def test_updates_recorded_once_and_replayed_until_done(store):
    store.record_update(1, '{"update_id": 1}')
    store.record_update(1, '{"update_id": 1, "again": true}')  # delivered twice: the first is kept
    store.record_update(2, '{"update_id": 2}')
    assert store.unfinished_updates() == ['{"update_id": 1}', '{"update_id": 2}']
    assert not store.update_done(1)
    store.mark_update_done(1)
    assert store.update_done(1) and not store.update_done(3)
    assert store.unfinished_updates() == ['{"update_id": 2}']


def test_an_unfinished_update_is_claimed_a_finished_one_not(store):
    store.record_update(60, '{"update_id": 60}')
    assert store.claim_update(60, lease_s=60)
    store.mark_update_done(60)
    assert not store.claim_update(60, lease_s=60)
    assert store.hold_poller_lock()  # the first poller always gets it
    assert store.stray_updates(older_than_s=0) == []


def test_a_job_is_added_once_per_update_input(store):
    job, new = store.add_job(10, 0, -5, 77, {"url": "https://example.com/a"}, "short")
    again, new_again = store.add_job(10, 0, -5, 77, {"url": "https://example.com/a"}, "short")
    other, _ = store.add_job(10, 1, -5, 77, {"text": "pasted"}, "short")
    assert new and not new_again and again.id == job.id and other.id != job.id
    assert (job.url, job.chat_id, job.reply_to, job.length) == ("https://example.com/a", -5, 77, "short")
    assert other.text == "pasted" and store.has_job(10, 1) and not store.has_job(10, 2)


def test_job_progress_and_completion(store):
    job, _ = store.add_job(11, 0, 3, None, {"url": "https://example.com/b"}, "normal")
    store.set_status_message(job.id, 501)
    store.set_parts_sent(job.id, 2)
    pending = store.pending_job(job.id)
    assert pending is not None and pending.status_message_id == 501 and pending.parts_sent == 2
    assert [j.id for j in store.pending_jobs()] == [job.id]
    store.mark_job_done(job.id)
    assert store.pending_job(job.id) is None and store.pending_jobs() == []
    assert [row["state"] for row in job_rows(store)] == ["done"]


def test_prune_keeps_recent_and_pending(store):
    store.cache_brief("old", _brief(), ttl_s=-1)
    store.cache_brief("new", _brief(), ttl_s=60)
    job, _ = store.add_job(12, 0, 3, None, {"url": "https://example.com/c"}, "normal")
    done, _ = store.add_job(12, 1, 3, None, {"url": "https://example.com/d"}, "normal")
    store.mark_job_done(done.id)
    store.prune()
    assert store.cached_brief("new") is not None
    assert {row["id"] for row in job_rows(store)} == {job.id, done.id}
    store.prune(now=time.time() + 30 * 86_400)  # long after: done rows go, pending ones stay
    assert store.pending_job(job.id) is not None
    assert [row["id"] for row in job_rows(store)] == [job.id]


def test_unknown_storage_scheme_is_refused_with_the_allowed_ones():
    with pytest.raises(ValueError, match=r"\[storage\] url .*must start with sqlite:// or postgresql://"):
        Settings().replace(storage={"url": "mysql://db/briefbot"})
    assert storage_url(Settings()) == "sqlite:///var/briefbot.sqlite3"


# -- PostgreSQL only: several processes --------------------------------------------------------
@pytest.fixture
def pg(pg_url):
    from bot.storage_pg import PostgresStorage

    stores = []

    def make():
        stores.append(PostgresStorage(pg_url))
        return stores[-1]

    yield make
    for s in stores:
        s.close()


def test_schema_migrated_once_by_processes_starting_together(pg_url):
    from bot.storage_pg import SCHEMA_VERSION, PostgresStorage

    errors, stores = [], []

    def start():
        try:
            stores.append(PostgresStorage(pg_url))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=start) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and {s.schema_version() for s in stores} == {SCHEMA_VERSION}
    with stores[0]._db() as db:  # noqa: SLF001 (a look at the schema table itself)
        assert [r["version"] for r in db.execute("SELECT version FROM schema_version ORDER BY 1")] == \
            list(range(1, SCHEMA_VERSION + 1))
    for s in stores:
        s.close()


def test_a_newer_schema_is_refused(pg):
    from bot.storage_pg import SCHEMA_VERSION

    store = pg()
    with store._db() as db:
        db.execute("INSERT INTO schema_version VALUES (%s, 0)", (SCHEMA_VERSION + 1,))
    with pytest.raises(RuntimeError, match="upgrade briefbot"):
        store.migrate()


def test_one_worker_claims_a_job_and_a_dead_workers_lease_expires(pg):
    a, b = pg(), pg()
    job, _ = a.add_job(20, 0, 1, None, {"url": "https://example.com/d"}, "normal")
    first = a.claim_job(job.id, "worker-a", lease_s=0.5)
    assert first.job is not None and first.tries == 1
    busy = b.claim_job(job.id, "worker-b", lease_s=0.5)
    assert busy.job is None and not busy.gone and 0 < busy.busy_for_s <= 0.5
    assert a.renew_claim(job.id, "worker-a", lease_s=0.5) and not b.renew_claim(job.id, "worker-b", 0.5)
    time.sleep(0.7)  # worker-a stopped renewing (killed)
    second = b.claim_job(job.id, "worker-b", lease_s=30)
    assert second.job is not None and second.tries == 2
    assert not a.renew_claim(job.id, "worker-a", 30)  # it lost the job
    b.mark_job_done(job.id)
    assert b.claim_job(job.id, "worker-b", 30).gone


def test_concurrent_claims_give_each_job_to_exactly_one_worker(pg):
    setup = pg()
    ids = [setup.add_job(30, seq, 1, None, {"url": f"https://example.com/{seq}"}, "normal")[0].id
           for seq in range(20)]
    won: dict[str, list[int]] = {"w1": [], "w2": [], "w3": []}
    stores = {name: pg() for name in won}

    def claim_all(name):
        for job_id in ids:
            if stores[name].claim_job(job_id, name, lease_s=60).job is not None:
                won[name].append(job_id)

    threads = [threading.Thread(target=claim_all, args=(n,)) for n in won]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    claimed = sorted(i for ids_ in won.values() for i in ids_)
    assert claimed == sorted(ids)


def test_an_update_is_claimed_by_one_front(pg):
    front1, front2 = pg(), pg()
    front1.record_update(40, "{}")
    front2.record_update(40, "{}")  # the same update posted to both fronts
    assert front1.claim_update(40, lease_s=60) is True
    assert front2.claim_update(40, lease_s=60) is False
    front1.mark_update_done(40)
    assert front2.claim_update(40, lease_s=60) is False and front2.update_done(40)


def test_only_one_poller(pg):
    first, second = pg(), pg()
    assert first.hold_poller_lock() and first.hold_poller_lock()
    assert not second.hold_poller_lock()
    first.close()  # the poller stops (or dies): the server drops its lock
    assert second.hold_poller_lock()


def test_a_restarted_server_is_reported_then_reconnected(own_postgres):
    from bot.storage_pg import PostgresStorage

    store = PostgresStorage(own_postgres.url)
    store.save_chat_settings(1, ChatSettings(length="short", auto=False))
    own_postgres.stop()
    with pytest.raises(StorageUnavailable):
        store.chat_settings(1, "normal")
    own_postgres.start()
    assert store.chat_settings(1, "normal").length == "short"  # a fresh connection, nothing lost
    store.close()


def test_an_update_left_by_a_dead_front_is_found_again(pg):
    front1, front2 = pg(), pg()
    front1.record_update(50, '{"update_id": 50}')
    assert front1.claim_update(50, lease_s=0.3)  # then front1 dies before finishing it
    assert front2.stray_updates(older_than_s=0) == []  # still leased
    time.sleep(0.5)
    assert front2.stray_updates(older_than_s=0) == ['{"update_id": 50}']
    assert front2.stray_updates(older_than_s=3600) == []  # too recent to be a stray yet
    assert front2.claim_update(50, lease_s=60)
