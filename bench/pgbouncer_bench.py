"""Fan-in through pgbouncer: 200 concurrent clients share 10 PostgreSQL server connections.

The scratch database of ``bench/pg_bench.py`` (``vp_bench_<pid>``) is reached through a
pgbouncer of the benchmark's own (``tests/pgbouncer/server.py``: Debian's pgbouncer,
transaction pooling, ``default_pool_size = 10``, a free loopback port). It is migrated and
seeded through pgbouncer, one user per client, then ``PROCESSES`` processes run
``CLIENTS / PROCESSES`` client threads each. Every client has services of its own (own
engine and pool, hence its own pgbouncer connection, as a gunicorn worker or Lambda
container would) and asks "what data do you keep" (``Services.overview``) for its own user,
5 times (``--quick``) or 50; an answer is an error when it raises or counts the wrong
recordings.

Figures: ``pgbouncer_fanin_rps`` (answers a second, all clients together, from the moment
they are released to the last answer), ``pgbouncer_fanin_errors`` (must be 0), and what
pgbouncer's admin console showed at its busiest while they ran:
``pgbouncer_fanin_clients`` (client connections) and ``pgbouncer_fanin_server_connections``
(at most 10). No pgbouncer or no PostgreSQL: no figures, and a note saying why.
"""

from __future__ import annotations

import base64
import multiprocessing
import multiprocessing.synchronize
import os
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from multiprocessing.connection import Connection as Pipe
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bench.notes import note
from bench.pg_bench import ADMIN_URL_ENV, DEFAULT_ADMIN_URL, scratch_database
from skill.config import Config
from skill.services import Services, open_services
from skill.services.models import NewRecording
from tests.pgbouncer.server import Pgbouncer, PgbouncerUnavailable, running, server_count

CLIENTS = 200
SERVER_CONNECTIONS = 10
PROCESSES = max(2, min(4, os.cpu_count() or 2))
"""Client processes, one a CPU (2 to 4): the clients' own Python is not held to one GIL, and
starting more processes than CPUs would only slow the set-up."""
RECORDINGS = 10
"""Recordings per client's user (client ``i`` has ``RECORDINGS + i % 3``)."""
START_SECONDS = 120
"""Longest the clients may take to open their services and connect before the run fails."""


@dataclass(frozen=True)
class _Outcome:
    """What one client process reports."""

    answers: int
    """Right answers."""
    errors: int
    """Exceptions and wrong answers."""
    first_error: str | None
    """The first error's type and first line (no user ids, no parameters), for a note."""
    finished: float
    """``time.monotonic()`` when its last client finished (comparable across processes)."""


def pgbouncer_fanin(quick: bool) -> dict[str, float]:
    """``pgbouncer_fanin_rps`` and ``pgbouncer_fanin_errors`` (with the pool's peak counts)."""
    rounds = 5 if quick else 50
    with scratch_database() as direct:
        if direct is None:
            return {}
        try:
            bouncer_context = running(
                os.environ.get(ADMIN_URL_ENV) or DEFAULT_ADMIN_URL, pool_size=SERVER_CONNECTIONS
            )
            bouncer = bouncer_context.__enter__()
        except PgbouncerUnavailable as exc:
            note(f"pgbouncer figures skipped: {exc}")
            return {}
        try:
            with tempfile.TemporaryDirectory(prefix="bench-pgbouncer-") as tmp:
                return _fan_in(bouncer, direct, Path(tmp), rounds)
        finally:
            bouncer_context.__exit__(None, None, None)


def _fan_in(bouncer: Pgbouncer, direct_url: str, tmp: Path, rounds: int) -> dict[str, float]:
    config = Config(
        database_url=bouncer.url(direct_url),
        audio_dir=tmp / "audio",
        keystore_url=f"sqlite:///{tmp / 'bench.keystore.db'}",
        master_key=base64.b64encode(bytes(range(32))).decode(),  # a benchmark's throwaway key
        default_timezone=ZoneInfo("UTC"),
    )
    services = open_services(config)  # migrates, through pgbouncer
    try:
        _seed(services)
    finally:
        services.close()

    spawn = multiprocessing.get_context("spawn")  # no forked copies of open connections
    go = spawn.Event()
    pipes: list[Pipe] = []
    workers = []
    for index in range(PROCESSES):
        receive, send = spawn.Pipe(duplex=False)
        clients = list(range(index, CLIENTS, PROCESSES))
        worker = spawn.Process(target=_client_process, args=(config, clients, rounds, go, send))
        worker.start()
        send.close()
        pipes.append(receive)
        workers.append(worker)
    peak = _Peak(bouncer, direct_url.rsplit("/", 1)[1])
    try:
        for receive, worker in zip(pipes, workers, strict=True):
            _expect(receive, worker, "connected", START_SECONDS)
        go.set()  # every client has its services open and its connection made
        started = time.monotonic()
        peak.start()
        outcomes: list[_Outcome] = [
            _expect(receive, worker, "finished", START_SECONDS + rounds * 10)
            for receive, worker in zip(pipes, workers, strict=True)
        ]
        peak.stop()
    finally:
        for worker in workers:
            worker.join(timeout=30)
            if worker.is_alive():
                worker.kill()
                worker.join(timeout=10)
    elapsed = max(o.finished for o in outcomes) - started
    errors = sum(o.errors for o in outcomes)
    answers = sum(o.answers for o in outcomes)
    if errors:
        first = next(o.first_error for o in outcomes if o.first_error)
        note(f"pgbouncer_fanin_errors: {errors} of {answers + errors} answers failed; {first}")
    return {
        "pgbouncer_fanin_rps": answers / elapsed,
        "pgbouncer_fanin_errors": float(errors),
        "pgbouncer_fanin_clients": float(peak.clients),
        "pgbouncer_fanin_server_connections": float(peak.servers),
    }


def _expect(receive: Pipe, worker: BaseProcess, what: str, seconds: float) -> Any:
    """The next message of a client process, which has ``seconds`` to send it."""
    deadline = time.monotonic() + seconds
    while not receive.poll(0.2):
        if not worker.is_alive():
            raise RuntimeError(
                f"a client process exited (status {worker.exitcode}) before it {what}; "
                "its traceback is above"
            )
        if time.monotonic() > deadline:
            raise RuntimeError(f"a client process had not {what} after {seconds:.0f} s")
    return receive.recv()


def _user(client: int) -> str:
    return f"amzn1.ask.account.FANIN{client:04d}"


def _seed(services: Services) -> None:
    start = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
    services.recordings.ingest(
        [
            NewRecording(_user(c), start + timedelta(minutes=i), f"utterance {i}")
            for c in range(CLIENTS)
            for i in range(RECORDINGS + c % 3)
        ]
    )


class _Peak:
    """Samples ``SHOW POOLS`` while the clients run: the most client and server connections
    of the benchmark's database seen at once."""

    def __init__(self, bouncer: Pgbouncer, database: str):
        self.bouncer = bouncer
        self.database = database
        self.clients = 0
        self.servers = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _sample(self) -> None:
        while True:
            pool = self.bouncer.pools().get(self.database, {})
            self.clients = max(self.clients, pool.get("cl_active", 0) + pool.get("cl_waiting", 0))
            self.servers = max(self.servers, server_count(pool))
            if self._stop.wait(0.02):
                return


def _client_process(
    config: Config,
    clients: list[int],
    rounds: int,
    go: multiprocessing.synchronize.Event,
    report: Pipe,
) -> None:
    """One process's clients: open each one's services, connect, say so, wait for the
    start, run, report."""
    opened = [open_services(config, migrate=False) for _ in clients]
    release = threading.Event()
    connected = threading.Barrier(len(clients) + 1, timeout=START_SECONDS)
    lock = threading.Lock()
    tally = {"answers": 0, "errors": 0}
    first_error: list[str] = []

    def client(services: Services, client: int) -> None:
        user, expected = _user(client), RECORDINGS + client % 3
        services.ping()  # its connection to pgbouncer, made before the clock starts
        connected.wait()
        release.wait()
        answers = errors = 0
        for _ in range(rounds):
            try:
                right = services.overview(user).summary.total == expected
            except Exception as exc:  # counted, and the first one named in a note
                right = False
                with lock:
                    if not first_error:
                        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()
                        first_error.append(f"{type(exc).__name__}: {reason[0][:120]}")
            answers += right
            errors += not right
        with lock:
            tally["answers"] += answers
            tally["errors"] += errors

    threads = [
        threading.Thread(target=client, args=(services, c))
        for services, c in zip(opened, clients, strict=True)
    ]
    for thread in threads:
        thread.start()
    connected.wait()
    report.send("connected")
    if not go.wait(START_SECONDS):
        return
    release.set()
    for thread in threads:
        thread.join()
    finished = time.monotonic()
    for services in opened:
        services.close()
    report.send(
        _Outcome(
            tally["answers"], tally["errors"], first_error[0] if first_error else None, finished
        )
    )
    report.close()
