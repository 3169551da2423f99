"""`privacy-skill serve`: the web service on gunicorn with gevent workers (see ``worker``).

gunicorn gives worker management and graceful shutdown (SIGTERM lets requests in flight finish
within ``graceful_timeout``). Each worker builds its own app, services and database pool after
forking, once gevent has patched the standard library.

Before any worker starts, a child process migrates the database (once, not in every worker at
once). It is a child so that the master never imports the PostgreSQL driver: psycopg picks its
way of waiting when it is imported, and only a worker that imports it after gevent's patching
waits cooperatively.

A sweeper process, also a child, runs the retention sweep and the storage repair every
``PRIVACY_SKILL_SWEEP_INTERVAL`` (``run_maintenance``): outside the workers, so a long sweep
never holds up a request. It exits with the server (and on its own if the server dies).
"""

from __future__ import annotations

import logging
import logging.config
import multiprocessing
import os
import shutil
import signal
import tempfile
import time
from pathlib import Path
from typing import Any

from gunicorn.app.base import BaseApplication

from skill.config import Config, ConfigError
from skill.errors import ProductError

DEFAULT_WORKERS = max(2, min(4, os.cpu_count() or 2))
WORKER_CONNECTIONS = 1000
"""Connections one worker holds at once (each a greenlet)."""
KEEPALIVE_SECONDS = 5
"""Also the time a client has to send a request's headers."""


class _Server(BaseApplication):  # type: ignore[misc]
    def __init__(self, options: dict[str, Any], config: Config, dev_trust: Path | None):
        self.options = options
        self.config = config
        self.dev_trust = dev_trust
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        from skill.startup import loading

        # In each worker: the app's modules and services load with the GC paused and are then
        # frozen, so the collections requests trigger do not walk them again and again.
        with loading():
            from skill.web.app import create_app
            from skill.web.trust import dev_trust

            trust = dev_trust(self.dev_trust) if self.dev_trust else None
            return create_app(self.config, trust=trust)


def serve(
    config: Config,
    host: str,
    port: int,
    workers: int = DEFAULT_WORKERS,
    dev_trust: Path | None = None,
) -> None:
    """Run until SIGTERM or SIGINT."""
    from skill.web.logs import skip_unused_record_fields

    if dev_trust is not None and not (dev_trust / "ca.pem").is_file():
        raise ConfigError(
            f"--dev-trust {dev_trust}: no ca.pem there; create it with: "
            f"privacy-skill dev-certs {dev_trust}"
        )
    prepare_database(config)
    sweeper = start_sweeper(config) if config.sweep_interval else None
    metrics_dir = Path(tempfile.mkdtemp(prefix="privacy-skill-metrics-"))
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_dir)  # workers inherit it
    options = server_options(host, port, workers)
    skip_unused_record_fields()  # before the workers fork: they inherit it
    master = os.getpid()
    try:
        _Server(options, config, dev_trust).run()
    finally:
        # gunicorn's workers are forked inside run() and leave it by SystemExit: only the
        # master (this process) cleans up.
        if os.getpid() == master:
            shutil.rmtree(metrics_dir, ignore_errors=True)
            if sweeper is not None:
                stop_sweeper(sweeper)


def server_options(host: str, port: int, workers: int = DEFAULT_WORKERS) -> dict[str, Any]:
    """gunicorn's settings for ``serve`` (the benchmark's peer server runs with the same)."""
    from skill.web.logs import logging_config

    return {
        "bind": f"{host}:{port}",
        "workers": workers,
        "worker_class": "skill.web.worker.SkillWorker",
        "worker_connections": WORKER_CONNECTIONS,
        "timeout": 30,
        "graceful_timeout": 10,
        "keepalive": KEEPALIVE_SECONDS,
        "limit_request_line": 4094,
        "limit_request_fields": 100,
        "limit_request_field_size": 8190,
        "accesslog": None,  # the app logs each request itself, without bodies
        "logconfig_dict": logging_config(),
        "loglevel": "info",
        "proc_name": "privacy-skill",
        "control_socket_disable": True,  # no admin socket in the home directory
        "child_exit": _worker_exited,
    }


def prepare_database(config: Config) -> None:
    """Open the services once in a child process (migrating the database); a failure there is
    this process's ``ProductError``, with the child's message."""
    context = multiprocessing.get_context("fork")
    results = context.SimpleQueue()
    child = context.Process(target=_open_and_close, args=(config, results), daemon=True)
    child.start()
    child.join()
    failure = results.get() if not results.empty() else "the database could not be prepared"
    if failure is not None:
        raise DatabaseNotReady(failure)


class DatabaseNotReady(ProductError):
    """Opening the database before the workers start failed (reported as the child's error)."""

    kind = "database"


def _open_and_close(config: Config, results: Any) -> None:
    try:
        from skill.services import open_services

        services = open_services(config)
        try:
            # A restored backup's deleted rows, files a crash left: repaired before serving.
            services.storage.check(repair=True)
        finally:
            services.close()
    except ProductError as error:
        results.put(str(error))
    except Exception as error:  # reported to the parent, which exits with it
        results.put(f"the database could not be prepared ({type(error).__name__})")
    else:
        results.put(None)


def start_sweeper(config: Config) -> int:
    """Fork the sweeper process (see the module docstring); returns its pid.

    A bare fork, not ``multiprocessing``: gunicorn's workers are forked from this process
    later, and would inherit multiprocessing's list of children and try to join the
    sweeper when they exit.
    """
    parent = os.getpid()
    pid = os.fork()
    if pid == 0:
        try:
            _sweep_forever(config, parent)
        finally:
            os._exit(0)
    return pid


def stop_sweeper(pid: int) -> None:
    """End the sweeper and reap it."""
    try:
        os.kill(pid, signal.SIGTERM)
        os.waitpid(pid, 0)
    except (ProcessLookupError, ChildProcessError):
        pass  # already gone and reaped


SWEEPER_TICK = 60.0
"""Longest the sweeper sleeps before it looks again whether a sweep is due."""


def _sweep_forever(config: Config, parent: int) -> None:
    from skill.services import open_services
    from skill.services.maintenance import run_maintenance
    from skill.web.logs import logging_config

    logging.config.dictConfig(logging_config())
    log = logging.getLogger("skill.sweeper")
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C: the server stops, then this
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    interval = config.sweep_interval
    assert interval is not None
    services = open_services(config, migrate=False, seal=False)
    log.info("retention sweeps every %d seconds", interval)
    while os.getppid() == parent:
        try:
            result = run_maintenance(services, schedule=interval)
            if result.ran:
                log.info(
                    "retention sweep: %d recordings of %d accounts deleted",
                    result.deleted,
                    result.users,
                )
        except Exception as error:  # a database outage: try again at the next tick
            log.error("retention sweep failed (%s); trying again later", type(error).__name__)
        due = services.retention.next_due()
        wait = SWEEPER_TICK if due is None else (due - services.retention.clock()).total_seconds()
        deadline = time.monotonic() + max(1.0, min(wait, SWEEPER_TICK))
        while time.monotonic() < deadline and os.getppid() == parent:
            time.sleep(min(1.0, max(0.0, deadline - time.monotonic())))


def _worker_exited(server: Any, worker: Any) -> None:
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)  # type: ignore[no-untyped-call]
