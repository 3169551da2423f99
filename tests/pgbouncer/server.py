"""A throwaway pgbouncer in transaction-pooling mode, in front of a PostgreSQL server.

Used by the tests in this folder and by ``bench/pgbouncer_bench.py``. It runs Debian's
``pgbouncer`` binary (``make system-deps`` installs it) on a free loopback port with a config,
user list, pid file and log of its own in a fresh folder, and stops it afterwards.

pgbouncer refuses to run as root. Run as root (a CI container), it is started as the
``postgres`` OS user, and its folder is made that user's: it is created directly under
``/tmp``, because pytest's own temporary folders (and a ``TMPDIR``) may be private to root.
"""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import psycopg
from sqlalchemy.engine import URL, make_url

from skill.store.db import normalise_url

POOL_SIZE = 10
"""Server connections per database and user: the pool a fleet of clients shares."""

MAX_CLIENTS = 400
"""Client connections pgbouncer accepts: room for the benchmark's 200 clients and more."""

START_SECONDS = 10.0
"""Longest to wait for pgbouncer to listen, or to exit, before giving up."""

RUN_AS_WHEN_ROOT = "postgres"


_SERVER_STATES = ("sv_active", "sv_idle", "sv_used", "sv_tested", "sv_login")
"""``SHOW POOLS`` columns that count server connections, by state (cancel requests aside)."""


class PgbouncerUnavailable(Exception):
    """pgbouncer is not installed or would not start; the message says why."""


@dataclass(frozen=True)
class Pgbouncer:
    """A running pgbouncer."""

    host: str
    """The loopback address it listens on."""
    port: int
    """Its port (a free one, chosen at start)."""
    folder: Path
    """Its config, user list, pid file and log."""
    pool_size: int
    """``default_pool_size``: server connections per database and user."""
    user: str
    """The one user it admits (the server URL's), also its admin console user."""

    def url(self, database_url: str) -> str:
        """``database_url`` (a PostgreSQL URL) reached through this pgbouncer instead."""
        parsed = make_url(normalise_url(database_url))
        through = parsed.set(host=self.host, port=self.port)
        return through.render_as_string(hide_password=False)

    def pools(self) -> dict[str, dict[str, int]]:
        """``SHOW POOLS`` from the admin console: database -> its counters (``cl_active``,
        ``sv_active``, ``sv_idle``, ...). The console speaks only the simple query protocol,
        which psycopg's ``ClientCursor`` uses."""
        with psycopg.connect(
            host=self.host,
            port=self.port,
            user=self.user,
            dbname="pgbouncer",
            autocommit=True,
            cursor_factory=psycopg.ClientCursor,
            connect_timeout=3,
        ) as conn:
            cursor = conn.execute("SHOW POOLS")
            names = [column.name for column in cursor.description or []]
            found: dict[str, dict[str, int]] = {}
            for row in cursor.fetchall():
                values = dict(zip(names, row, strict=True))
                counters = {k: v for k, v in values.items() if isinstance(v, int)}
                found[str(values["database"])] = counters
            return found

    def server_connections(self, database: str) -> int:
        """How many server connections pgbouncer holds open to ``database`` right now."""
        return server_count(self.pools().get(database, {}))

    def log_tail(self, lines: int = 20) -> str:
        """The end of pgbouncer's log, to explain a failure."""
        text = ""
        for name in ("pgbouncer.log", "stderr.log"):
            with suppress(OSError):
                text += (self.folder / name).read_text(errors="replace")
        return "\n".join(text.splitlines()[-lines:]) or "(no log)"


def server_count(pool: Mapping[str, int]) -> int:
    """Server connections in one ``SHOW POOLS`` row, whatever their state."""
    return sum(pool.get(state, 0) for state in _SERVER_STATES)


def binary() -> str | None:
    """The pgbouncer executable, or None when it is not installed."""
    return shutil.which("pgbouncer") or (
        "/usr/sbin/pgbouncer" if os.access("/usr/sbin/pgbouncer", os.X_OK) else None
    )


@contextmanager
def running(server_url: str, *, pool_size: int = POOL_SIZE) -> Iterator[Pgbouncer]:
    """pgbouncer in transaction-pooling mode in front of the server of ``server_url`` (any
    database on it: clients name theirs), stopped and its folder removed afterwards.

    Raises ``PgbouncerUnavailable`` when it is not installed or does not start.
    """
    executable = binary()
    if executable is None:
        raise PgbouncerUnavailable("pgbouncer is not installed (make system-deps installs it)")
    server = make_url(normalise_url(server_url))
    for _attempt in range(3):  # a free port can be taken between choosing it and binding it
        folder = _private_folder()
        try:
            process, bouncer = _start(executable, server, folder, pool_size)
        except _PortTaken:
            shutil.rmtree(folder, ignore_errors=True)
            continue
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        try:
            yield bouncer
        finally:
            _stop(process, folder)
            shutil.rmtree(folder, ignore_errors=True)
        return
    raise PgbouncerUnavailable("pgbouncer could not bind a free loopback port three times")


class _PortTaken(Exception):
    """pgbouncer could not bind the port picked for it (another process took it first)."""


def _os_user() -> str:
    return pwd.getpwuid(os.geteuid()).pw_name


def _private_folder() -> Path:
    root = os.geteuid() == 0
    # As root, /tmp itself: TMPDIR (like pytest's folders) may be private to root.
    parent = "/tmp" if root and os.path.isdir("/tmp") else tempfile.gettempdir()
    folder = Path(tempfile.mkdtemp(prefix="vp-pgbouncer-", dir=parent))
    if root:
        try:
            owner = pwd.getpwnam(RUN_AS_WHEN_ROOT)
        except KeyError:
            shutil.rmtree(folder, ignore_errors=True)
            raise PgbouncerUnavailable(
                f"running as root, pgbouncer must run as another user, and there is no "
                f"{RUN_AS_WHEN_ROOT!r} user"
            ) from None
        os.chown(folder, owner.pw_uid, owner.pw_gid)
    folder.chmod(0o700)
    return folder


def _free_port(host: str) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        port: int = probe.getsockname()[1]
        return port


def _quote(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


def _write_config(folder: Path, server: URL, port: int, pool_size: int) -> Path:
    user = server.username or _os_user()
    # The user list names who may connect; with auth_type=trust pgbouncer checks no password
    # itself but logs in to the server with the one given here (empty for a trust server).
    userlist = folder / "userlist.txt"
    userlist.write_text(f"{_quote(user)} {_quote(server.password or '')}\n")
    ini = folder / "pgbouncer.ini"
    ini.write_text(
        "\n".join(
            [
                "[databases]",
                f"* = host={server.host or '127.0.0.1'} port={server.port or 5432}",
                "",
                "[pgbouncer]",
                "listen_addr = 127.0.0.1",
                f"listen_port = {port}",
                "unix_socket_dir =",
                "auth_type = trust",
                f"auth_file = {userlist}",
                f"admin_users = {user}",
                "pool_mode = transaction",
                f"default_pool_size = {pool_size}",
                "min_pool_size = 0",
                "reserve_pool_size = 0",
                f"max_client_conn = {MAX_CLIENTS}",
                "max_db_connections = 0",
                # A client that waits this long for a server connection gets an error, so a
                # stuck pool fails a test rather than hanging it.
                "query_wait_timeout = 30",
                f"logfile = {folder / 'pgbouncer.log'}",
                f"pidfile = {folder / 'pgbouncer.pid'}",
                "",
            ]
        )
    )
    if os.geteuid() == 0:
        owner = pwd.getpwnam(RUN_AS_WHEN_ROOT)
        for path in (userlist, ini):
            os.chown(path, owner.pw_uid, owner.pw_gid)
            path.chmod(0o600)
    return ini


def _start(
    executable: str, server: URL, folder: Path, pool_size: int
) -> tuple[subprocess.Popen[bytes], Pgbouncer]:
    """Start pgbouncer and wait until it listens; ``_PortTaken`` when its port was taken."""
    host = "127.0.0.1"
    port = _free_port(host)
    ini = _write_config(folder, server, port, pool_size)
    command = [executable, str(ini)]
    if os.geteuid() == 0:
        command = ["runuser", "-u", RUN_AS_WHEN_ROOT, "--", *command]
    # What it prints goes to a file, not a pipe nobody reads (a full pipe would stall it).
    with open(folder / "stderr.log", "wb") as stderr:
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=stderr, stderr=stderr)
    bouncer = Pgbouncer(host, port, folder, pool_size, server.username or _os_user())
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log = bouncer.log_tail()
            if "Address already in use" in log:
                raise _PortTaken
            raise PgbouncerUnavailable(
                f"pgbouncer exited with status {process.returncode}: {log.splitlines()[-1]}"
            )
        try:
            socket.create_connection((host, port), timeout=0.2).close()
        except OSError:
            time.sleep(0.05)
            continue
        return process, bouncer
    _stop(process, folder)
    raise PgbouncerUnavailable(f"pgbouncer did not listen within {START_SECONDS:.0f} s")


def _stop(process: subprocess.Popen[bytes], folder: Path) -> None:
    """SIGTERM (pgbouncer's immediate shutdown) to pgbouncer itself, by the pid it wrote;
    ``runuser`` (when root) then exits with it. Signalling ``runuser`` instead would cost
    two seconds: it forwards the signal and waits that long before a SIGKILL. SIGKILL to
    both if pgbouncer lingers."""
    try:
        pid: int | None = int((folder / "pgbouncer.pid").read_text().strip())
    except (OSError, ValueError):
        pid = None
    if process.poll() is None:
        with suppress(ProcessLookupError):
            os.kill(pid if pid is not None else process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        if pid is not None:
            with suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        process.kill()
        process.wait(timeout=10)
