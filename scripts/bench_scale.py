"""Scale-out benchmark: briefs through Celery on Redis and PostgreSQL, with 1, 2, ... worker processes.

    .venv/bin/python scripts/bench_scale.py --workers 1,2 --messages 300 --chats 30

It starts the same real servers as the tests (Redis and PostgreSQL from their wheels, the Bot API
emulator), stores and queues jobs the way the bot front does, runs ``briefbot worker
--concurrency N`` and measures, per N:

- throughput: briefs per second for ``--messages`` pasted articles from ``--chats`` chats (one chat
  sends half of them at once, the others a share each), all queued at once;
- time to answer (queued → answer sent) p50 / p95, and the quiet chats' p95 next to the burst's;
- peak resident memory of each worker child (models loaded);

and once, with one worker and one job at a time, the overhead of the queue, the database and the
delivery per job: the time to answer a job whose brief costs nothing (a text too short to be an
article: the engine answers "no article text" in well under a millisecond), next to the engine's
own time for a medium article (measured in this process, best of two).
The articles are the medium ones of ``../shared/eval/summaries/validation.jsonl``. A benchmark,
not a test: it prints a table and writes JSON (``--json-out``). Timings depend on the machine's load.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import psutil  # noqa: E402

from bot.storage_pg import PostgresStorage  # noqa: E402
from bot.worker import celery_app, enqueue_job  # noqa: E402
from summarizer.settings import PROJECT_ROOT, load_settings  # noqa: E402
from tests.bot.conftest import TOKEN  # noqa: E402
from tests.bot.emulator import BotApiEmulator  # noqa: E402
from tests.scale.cluster import WorkerProcess, write_config  # noqa: E402
from tests.servers import PostgresServer, RedisServer  # noqa: E402

DEFAULT_INPUT = PROJECT_ROOT.parent / "shared" / "eval" / "summaries" / "validation.jsonl"


def medium_articles(path: Path, limit: int) -> list[str]:
    texts = [json.loads(line)["article"] for line in path.open(encoding="utf-8")]
    medium = [t for t in texts if 400 <= len(t.split()) <= 1000]
    return [medium[i % len(medium)] + f"\n\nThe story was updated {i} times." for i in range(limit)]


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


class Front:
    """Stores and queues jobs like the bot front; reads when each was answered from the emulator."""

    def __init__(self, settings, api: BotApiEmulator):
        self.api = api
        self.storage = PostgresStorage(settings.storage.url)
        self.celery = celery_app(settings)
        self.update_ids = itertools.count(1)
        self.users = itertools.count(50_000)
        self.queued: dict[tuple[int, int], float] = {}  # (chat id, message id) -> when queued

    def new_chat(self) -> tuple[dict, dict]:
        user = self.api.user(next(self.users))
        return self.api.private_chat(user), user

    def send(self, chat: dict, user: dict, text: str) -> tuple[int, int]:
        _, msg = self.api.user_message(chat, user, "article", deliver=False)
        job, _ = self.storage.add_job(next(self.update_ids), 0, chat["id"], msg["message_id"], {"text": text}, "normal")
        key = (chat["id"], msg["message_id"])
        self.queued[key] = time.monotonic()
        enqueue_job(self.celery, self.storage, job.id, chat["id"])
        return key

    def answered_at(self) -> dict[tuple[int, int], float]:
        out: dict[tuple[int, int], float] = {}
        for call in self.api.calls_of("sendMessage"):
            reply = (call["params"].get("reply_parameters") or {}).get("message_id")
            if call["ok"] and reply:
                out.setdefault((int(call["params"]["chat_id"]), reply), call["at"])
        return out

    def wait(self, keys: list[tuple[int, int]], timeout: float) -> dict[tuple[int, int], float]:
        deadline = time.monotonic() + timeout
        while True:
            done = self.answered_at()
            if all(k in done for k in keys):
                return done
            if time.monotonic() > deadline:
                raise SystemExit(f"only {sum(k in done for k in keys)} of {len(keys)} answered in {timeout}s")
            time.sleep(0.1)


class PeakMemory:
    """Peak resident memory of each child of a worker, sampled every 0.2 s."""

    def __init__(self, pid: int):
        self.parent = psutil.Process(pid)
        self.peak: dict[int, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while not self._stop.wait(0.2):
            try:
                for child in self.parent.children(recursive=True):
                    rss = child.memory_info().rss
                    self.peak[child.pid] = max(self.peak.get(child.pid, 0), rss)
            except psutil.Error:
                pass

    def stop(self) -> list[float]:
        self._stop.set()
        self._thread.join()
        return sorted(v / 2**20 for v in self.peak.values())


def engine_times(texts: list[str], settings) -> list[float]:
    from summarizer.brief import Source, make_brief
    from summarizer.models import warm_up

    warm_up(settings.models)
    times = []
    for text in texts:
        best = float("inf")
        for _ in range(2):
            t0 = time.perf_counter()
            make_brief(Source(text=text), settings, length="normal")
            best = min(best, time.perf_counter() - t0)
        times.append(best)
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", default="1,2", help="worker processes to measure, comma-separated")
    parser.add_argument("--messages", type=int, default=300)
    parser.add_argument("--chats", type=int, default=30)
    parser.add_argument("--overhead-jobs", type=int, default=15)
    parser.add_argument("--input", type=Path, default=DEFAULT_INPUT)
    parser.add_argument("--json-out", type=Path, default=Path("bench-scale.json"))
    args = parser.parse_args(argv)
    counts = [int(n) for n in args.workers.split(",")]

    texts = medium_articles(args.input, args.messages + args.overhead_jobs)
    tmp = Path(tempfile.mkdtemp(prefix="briefbot-bench-"))
    redis, postgres = RedisServer().start(), PostgresServer().start()
    api = BotApiEmulator(TOKEN).start()
    results: dict = {"load_average": os.getloadavg(), "messages": args.messages, "chats": args.chats, "runs": []}
    try:
        config = write_config(tmp / "briefbot.toml", pg_url=postgres.url, redis_url=redis.url, lease_s=60)
        settings = load_settings(config_path=config)
        front = Front(settings, api)
        for n in counts:
            worker = WorkerProcess(config, TOKEN, api.base_url, tmp / f"worker-{n}.log", concurrency=n)
            try:
                worker.wait_ready(children=n)
                memory = PeakMemory(worker.proc.pid)
                run: dict = {"workers": n}
                if n == counts[0]:
                    # Overhead: one job at a time whose brief costs nothing, next to a medium brief's time.
                    overhead = []
                    for i in range(args.overhead_jobs):
                        key = front.send(*front.new_chat(), f"Too short {i}.")
                        overhead.append(front.wait([key], 120)[key] - front.queued[key])
                    engine = engine_times(texts[args.messages:], settings)
                    run["engine_ms_p50"] = 1000 * statistics.median(engine)
                    run["overhead_ms_p50"] = 1000 * statistics.median(overhead)
                    run["overhead_ms_p95"] = 1000 * percentile(overhead, 95)
                    run["overhead_share"] = statistics.median(overhead) / statistics.median(engine)
                # Throughput and fairness: one chat sends half at once, the others share the rest.
                chats = [front.new_chat() for _ in range(args.chats)]
                burst_n = args.messages // 2
                keys, quiet_keys = [], []
                t0 = time.monotonic()
                for i in range(burst_n):
                    keys.append(front.send(*chats[0], texts[i]))
                for i in range(burst_n, args.messages):
                    key = front.send(*chats[1 + i % (args.chats - 1)], texts[i])
                    keys.append(key)
                    quiet_keys.append(key)
                done = front.wait(keys, 3600)
                wall = max(done[k] for k in keys) - t0
                waits = [done[k] - front.queued[k] for k in keys]
                quiet = [done[k] - front.queued[k] for k in quiet_keys]
                burst = [done[k] - front.queued[k] for k in keys if k not in set(quiet_keys)]
                run.update(briefs_per_s=len(keys) / wall, wall_s=wall, answer_s_p50=percentile(waits, 50),
                           answer_s_p95=percentile(waits, 95), quiet_chats_answer_s_p95=percentile(quiet, 95),
                           burst_chat_answer_s_p95=percentile(burst, 95), peak_rss_mb_per_child=memory.stop())
                results["runs"].append(run)
                print(json.dumps(run), flush=True)
            finally:
                worker.terminate()
        runs = {r["workers"]: r for r in results["runs"]}
        if 1 in runs and 2 in runs:
            results["speedup_2_vs_1"] = runs[2]["briefs_per_s"] / runs[1]["briefs_per_s"]
    finally:
        api.stop()
        redis.close()
        postgres.close()
        shutil.rmtree(tmp, ignore_errors=True)
    args.json_out.write_text(json.dumps(results, indent=2))
    print_table(results)
    return 0


def print_table(results: dict) -> None:
    print(f"\nload average at start: {', '.join(f'{x:.1f}' for x in results['load_average'])}")
    print(f"{results['messages']} messages from {results['chats']} chats (one chat sends half at once)")
    print("workers  briefs/s  p50 s  p95 s  quiet p95 s  burst p95 s  peak MB per child")
    for r in results["runs"]:
        print(f"{r['workers']:>7}  {r['briefs_per_s']:8.2f}  {r['answer_s_p50']:5.1f}  {r['answer_s_p95']:5.1f}  "
              f"{r['quiet_chats_answer_s_p95']:11.1f}  {r['burst_chat_answer_s_p95']:11.1f}  "
              f"{', '.join(f'{m:.0f}' for m in r['peak_rss_mb_per_child'])}")
    first = results["runs"][0]
    if "overhead_ms_p50" in first:
        print(f"per job, one at a time: queue + database + delivery {first['overhead_ms_p50']:.0f} ms p50, "
              f"{first['overhead_ms_p95']:.0f} ms p95; a medium brief's engine time {first['engine_ms_p50']:.0f} ms "
              f"(overhead {100 * first['overhead_share']:.0f}% of it)")
    if "speedup_2_vs_1" in results:
        print(f"2 workers vs 1: {results['speedup_2_vs_1']:.2f}x")


if __name__ == "__main__":
    sys.exit(main())
