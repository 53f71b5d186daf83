"""A throwaway PostgreSQL cluster for the tests: Debian's postgresql binaries, a temp folder,
a free port on 127.0.0.1, one cluster per test process (pytest-xdist workers each get their
own) and a fresh database per test.

PostgreSQL refuses to run as root, so as root the cluster is made and run as the `postgres`
user (the Debian package creates it) in a folder handed over to it. The fixture skips, with
the reason, only when the binaries are absent (and fails instead when REPORTGEN_REQUIRE_POSTGRES
is set, as .ci/run does); .ci/install installs them for CI.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest


def pg_bindir() -> Path | None:
    """The newest installed PostgreSQL's bin folder (Debian: /usr/lib/postgresql/N/bin)."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Cluster:
    bindir: Path
    datadir: Path
    port: int
    as_user: list[str]  # prefix that runs a command as the cluster's owner

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self) -> str:
        import psycopg

        name = "t_" + uuid.uuid4().hex[:12]
        with psycopg.connect(f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres", autocommit=True) as c:
            c.execute(f'CREATE DATABASE "{name}"')
        return name

    def stop(self) -> None:
        subprocess.run(
            [*self.as_user, str(self.bindir / "pg_ctl"), "-D", str(self.datadir), "-m", "immediate", "stop"],
            capture_output=True,
            check=False,
        )


def start_cluster() -> Cluster:
    bindir = pg_bindir()
    if bindir is None:
        reason = "PostgreSQL is not installed (Debian: apt-get install postgresql; .ci/install does it)"
        if os.environ.get("REPORTGEN_REQUIRE_POSTGRES"):
            pytest.fail(reason + ", and REPORTGEN_REQUIRE_POSTGRES is set (CI)")
        pytest.skip(reason)
    # as root, somewhere the postgres user can reach whatever TMPDIR says
    root = Path(tempfile.mkdtemp(prefix="reportgen-pg-", dir="/tmp" if os.geteuid() == 0 else None))
    as_user: list[str] = []
    if os.geteuid() == 0:
        # postgres will not run as root: give the folder to the package's `postgres` user
        shutil.chown(root, "postgres", "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    datadir = root / "data"
    port = _free_port()
    subprocess.run(
        [
            *as_user,
            str(bindir / "initdb"),
            "-D",
            str(datadir),
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--no-sync",
            "--locale=C",
        ],
        check=True,
        capture_output=True,
    )
    options = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off"
    subprocess.run(
        [*as_user, str(bindir / "pg_ctl"), "-D", str(datadir), "-o", options, "-l", str(root / "log"), "-w", "start"],
        check=True,
        capture_output=True,
    )
    return Cluster(bindir, datadir, port, as_user)


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[Cluster]:
    cluster = start_cluster()
    try:
        yield cluster
    finally:
        cluster.stop()
        shutil.rmtree(cluster.datadir.parent, ignore_errors=True)


@pytest.fixture
def pg_url(pg_cluster: Cluster) -> str:
    """A fresh, empty PostgreSQL database for one test."""
    return pg_cluster.url(pg_cluster.create_database())
