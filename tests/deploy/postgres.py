"""A throwaway PostgreSQL cluster on a loopback port, made with Debian's ``initdb``/``pg_ctl``.

PostgreSQL refuses to run as root, so as root the cluster belongs to (and runs as) the ``postgres`` user that
Debian's package creates. When PostgreSQL is missing and we are root with apt-get, it is installed first.
"""

from __future__ import annotations

import logging
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

log = logging.getLogger(__name__)

SERVICE_USER = "postgres"


class PostgresUnavailable(RuntimeError):
    """PostgreSQL is not installed and cannot be installed here, or there is no user to run it as (tests skip)."""


class PostgresCommandError(RuntimeError):
    """``initdb``/``pg_ctl`` failed although PostgreSQL is installed (a real failure: tests fail)."""


def _bin_dir() -> Path | None:
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0)
    if candidates:
        return candidates[-1].parent
    found = shutil.which("pg_ctl")
    return Path(found).resolve().parent if found else None


def find_or_install_bin_dir() -> Path:
    """The folder holding ``initdb``, ``pg_ctl`` and ``postgres``; installs Debian's postgresql when missing (as root)."""
    found = _bin_dir()
    if found is not None:
        return found
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        raise PostgresUnavailable("PostgreSQL is not installed and cannot be installed here (needs root and apt-get): "
                                  "apt-get install postgresql")
    log.info("postgres.installing")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "postgresql"]):
        result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
        if result.returncode != 0:
            raise PostgresUnavailable(f"{' '.join(command)} failed: {result.stderr[-500:]}")
    found = _bin_dir()
    if found is None:
        raise PostgresUnavailable("apt-get installed postgresql but no pg_ctl was found under /usr/lib/postgresql")
    return found


class PostgresCluster:
    """``init()`` once, then ``start()``/``stop()`` as often as a test needs; ``destroy()`` removes everything."""

    def __init__(self, port: int, user: str = "shopassist", database: str = "shopassist") -> None:
        self.bin_dir = find_or_install_bin_dir()
        self.port = port
        self.user = user
        self.database = database
        self.run_as = SERVICE_USER if os.geteuid() == 0 else None
        if self.run_as is not None:
            try:
                pwd.getpwnam(self.run_as)
            except KeyError as exc:
                raise PostgresUnavailable(f"running as root, but there is no {self.run_as!r} user to run PostgreSQL as") from exc
        self.root = Path(tempfile.mkdtemp(prefix="shopassist-pg-"))
        self.data_dir = self.root / "data"
        self.log_file = self.root / "postgres.log"
        if self.run_as is not None:
            account = pwd.getpwnam(self.run_as)
            os.chown(self.root, account.pw_uid, account.pw_gid)

    @property
    def url(self) -> str:
        """The SQLAlchemy URL of the database (trust authentication on loopback only)."""
        return f"postgresql+psycopg://{self.user}@127.0.0.1:{self.port}/{self.database}"

    def _run(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        command = [str(self.bin_dir / args[0]), *args[1:]]
        if self.run_as is not None:
            command = ["runuser", "-u", self.run_as, "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, timeout=timeout, cwd=self.root)
        if result.returncode != 0:
            tail = self.log_file.read_text()[-1500:] if self.log_file.exists() else ""
            raise PostgresCommandError(f"{' '.join(args[:2])} failed ({result.returncode}): {result.stderr[-1500:]}\n{tail}")
        return result

    def init(self) -> PostgresCluster:
        self._run("initdb", "-D", str(self.data_dir), "-U", self.user, "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8")
        self.start()
        self._create_database()
        return self

    def start(self, timeout_s: float = 60) -> None:
        """Listen on 127.0.0.1 only, no Unix socket outside the cluster folder; fsync off (throwaway data)."""
        options = (f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.root} -c fsync=off -c full_page_writes=off "
                   "-c max_connections=200")
        self._run("pg_ctl", "-D", str(self.data_dir), "-l", str(self.log_file), "-o", options, "-w", "-t", str(int(timeout_s)), "start",
                  timeout=timeout_s + 10)
        log.info("postgres.started port=%d", self.port)

    def stop(self, mode: str = "fast") -> None:
        """``fast`` ends every session at once (what a restart does to the API's connections)."""
        self._run("pg_ctl", "-D", str(self.data_dir), "-m", mode, "-w", "stop")
        log.info("postgres.stopped port=%d mode=%s", self.port, mode)

    def is_running(self) -> bool:
        command = [str(self.bin_dir / "pg_ctl"), "-D", str(self.data_dir), "status"]
        if self.run_as is not None:
            command = ["runuser", "-u", self.run_as, "--", *command]
        return subprocess.run(command, capture_output=True, timeout=30).returncode == 0

    def wait_accepting(self, timeout_s: float = 30) -> None:
        import psycopg

        deadline = time.monotonic() + timeout_s
        while True:
            try:
                psycopg.connect(host="127.0.0.1", port=self.port, user=self.user, dbname="postgres", connect_timeout=2).close()
                return
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)

    def _create_database(self) -> None:
        import psycopg

        self.wait_accepting()
        with psycopg.connect(host="127.0.0.1", port=self.port, user=self.user, dbname="postgres", autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{self.database}"')

    def destroy(self) -> None:
        if self.data_dir.exists() and self.is_running():
            try:
                self.stop("immediate")
            except PostgresCommandError as exc:
                log.warning("postgres.stop_failed %s", exc)
        shutil.rmtree(self.root, ignore_errors=True)
