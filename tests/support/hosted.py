"""Stand-ins for what hosted Supabase puts between khepri-db and the database (issue 21).

* :func:`start_pgbouncer`: PgBouncer (Debian's 1.18) in transaction mode, standing in for
  Supavisor's transaction pooler (port 6543): a client's transactions may run on different server
  sessions, and a session is never pinned to a client.
* :func:`start_hot_standby`: a primary cluster of its own and a streaming hot standby made from it
  with ``pg_basebackup -R``, standing in for a read replica (``pg_is_in_recovery()`` is true there,
  every write fails with SQLSTATE 25006).
* :func:`create_hosted_role`: a role with what hosted Supabase's ``postgres`` role has, which is
  not a superuser there.

Everything listens on 127.0.0.1 (or on unix sockets in private directories) and runs, when the
tests run as root, as the unprivileged OS user the engines run PostgreSQL as (``khepri_pg``,
:data:`khepri_db.engines.SERVICE_USER`), through the engines' own helpers (``service_account``,
``run_as`` of :mod:`khepri_db.engines._host`): PgBouncer, like PostgreSQL, refuses to run as
root. Each ``start_*`` cleans up after itself when it fails; its result's ``stop()`` stops every
process by its pid and removes every file. The pytest fixtures over these live in
``tests/conftest.py`` (``pgbouncer``, ``hot_standby``, ``migrated_hot_standby``, ``hosted_role``).
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict

from khepri_db.core.db import connect
from khepri_db.engines import SERVICE_USER, SUPERUSER, ClusterEngine, free_port, make_cluster_root, state_file
from khepri_db.engines._host import ServiceAccount, run_as, service_account
from khepri_db.migrations.apply import migrate

PGBOUNCER_PATHS = (Path("/usr/sbin/pgbouncer"), Path("/usr/bin/pgbouncer"))
"""Where Debian (and most distributions) install PgBouncer, tried after ``PATH``."""

START_TIMEOUT_S = 20.0
"""How long a started PgBouncer may take to listen, and a standby to catch up in :func:`wait_for_replay`."""

STOP_TIMEOUT_S = 10.0
"""How long a stopped process may take to exit after SIGTERM before it gets SIGKILL."""


# -- what the tests need from the machine ----------------------------------------------------------


def find_pgbouncer() -> Path | None:
    """The ``pgbouncer`` executable: on ``PATH``, else at Debian's ``/usr/sbin/pgbouncer``; ``None``
    when it is not installed (Debian: ``apt-get install pgbouncer``)."""
    found = shutil.which("pgbouncer")
    if found:
        return Path(found)
    return next((path for path in PGBOUNCER_PATHS if os.access(path, os.X_OK)), None)


def find_pg_basebackup(bin_dir: Path) -> Path | None:
    """``bin_dir/pg_basebackup`` (the binaries a cluster runs from), or ``None`` when it is missing."""
    path = bin_dir / "pg_basebackup"
    return path if os.access(path, os.X_OK) else None


# -- URLs ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Login:
    """The parts of a ``postgresql://user:password@host:port/dbname`` URL these helpers use."""

    user: str
    password: str
    host: str
    port: int
    dbname: str

    @classmethod
    def of(cls, url: str) -> Login:
        """Parse ``url`` (libpq's parser: percent-escapes decoded)."""
        parts = conninfo_to_dict(url)
        return cls(
            user=str(parts.get("user") or ""),
            password=str(parts.get("password") or ""),
            host=str(parts.get("host") or "127.0.0.1"),
            port=int(parts.get("port") or 5432),
            dbname=str(parts.get("dbname") or parts.get("user") or ""),
        )

    def url(self, *, host: str | None = None, port: int | None = None, dbname: str | None = None) -> str:
        """This login as a URL, with ``host``/``port``/``dbname`` replaced when given."""
        return (
            f"postgresql://{quote(self.user, safe='')}:{quote(self.password, safe='')}"
            f"@{host or self.host}:{port or self.port}/{quote(dbname or self.dbname, safe='')}"
        )


def through(pooler_url: str, url: str) -> str:
    """``url``'s user, password and database, reached through the pooler at ``pooler_url``.

    Args:
        pooler_url: a URL returned by :func:`start_pgbouncer` (its host and port are used).
        url: any URL of the same server (e.g. a :func:`create_hosted_role` URL).

    Returns:
        ``postgresql://<url's user>:<password>@127.0.0.1:<pooler port>/<url's dbname>``.
    """
    pooler = Login.of(pooler_url)
    return Login.of(url).url(host=pooler.host, port=pooler.port)


# -- processes -------------------------------------------------------------------------------------


def alive(pid: int) -> bool:
    """Whether process ``pid`` exists and is not a zombie (a daemon's parent may never reap it)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return False
    return bool(fields) and fields[0] not in ("Z", "X")


def _command_name(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""


def _terminate(pid: int, name: str) -> None:
    """Stop process ``pid`` (SIGTERM, then SIGKILL after :data:`STOP_TIMEOUT_S`), only if it is still
    a ``name`` process (never another process that reused the pid); wait until it is gone."""
    if not alive(pid) or not _command_name(pid).startswith(name):
        return
    for sig in (signal.SIGTERM, signal.SIGKILL):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, sig)
        deadline = time.monotonic() + STOP_TIMEOUT_S
        while time.monotonic() < deadline:
            if not alive(pid):
                return
            time.sleep(0.05)
    raise RuntimeError(f"process {pid} ({name}) did not exit after SIGKILL")


def _listening(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _private_dir(parent: Path, name: str, account: ServiceAccount | None) -> Path:
    """``parent/name``, mode 0700, owned by ``account`` (the server's OS user) when given."""
    path = parent / name
    path.mkdir(mode=0o700)
    if account is not None:
        os.chown(path, account.uid, account.gid)
    return path


def _write_private(path: Path, text: str, account: ServiceAccount | None) -> None:
    """Write ``path`` (mode 0600, never through a link), owned by ``account`` when given."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    if account is not None:
        os.chown(path, account.uid, account.gid)


def _tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return f"(no {path.name})"


# -- PgBouncer, the stand-in for Supavisor ---------------------------------------------------------


@dataclass
class PgBouncer:
    """A running PgBouncer (see :func:`start_pgbouncer`).

    Attributes:
        url: ``postgresql://<user>:<password>@127.0.0.1:<port>/<dbname>`` through the pooler, with
            the target URL's login and database.
        port: the port it listens on, on 127.0.0.1 only.
        pid: its process id.
        pool_mode: ``"transaction"`` or ``"session"`` (or ``"statement"``).
        root: the directory holding its configuration, user list, log and pid file.
    """

    url: str
    port: int
    pid: int
    pool_mode: str
    root: Path

    def stop(self) -> None:
        """Stop it (by pid: SIGTERM, PgBouncer's immediate shutdown) and remove its files."""
        try:
            _terminate(self.pid, "pgbouncer")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


def _userlist_line(user: str, password: str) -> str:
    def quoted(text: str) -> str:
        return '"' + text.replace('"', '""') + '"'

    return f"{quoted(user)} {quoted(password)}\n"


def start_pgbouncer(
    target_url: str,
    *,
    executable: Path,
    pool_mode: str = "transaction",
    pool_size: int = 2,
    users: Mapping[str, str] | None = None,
    attempts: int = 5,
) -> PgBouncer:
    """Start PgBouncer in front of the server of ``target_url``.

    Clients log in with SCRAM-SHA-256 and the login of ``target_url`` (its password is in the
    pooler's user list, so PgBouncer logs in to the server with it too), or as any other role of
    the server that has a password: PgBouncer looks its SCRAM secret up with ``auth_query`` (the
    default, ``pg_shadow``) as ``target_url``'s user, which therefore must be a superuser for
    that (the session server's ``postgres`` is); PgBouncer then logs in to the server with the
    client's own SCRAM proof. ``users`` adds roles to the user list instead (any target user).
    Every database of the server is reachable (``* = host=127.0.0.1 port=<server port>``).

    Settings: ``pool_mode``; ``default_pool_size = pool_size``; ``max_client_conn = 500``;
    ``listen_addr = 127.0.0.1`` on a free port (tried again on another port, up to ``attempts``
    times, when another program took it between the choice and the bind); no unix socket; no
    ``max_prepared_statements`` (1.18 has none: a statement prepared by name on one server session
    is unknown on the next, as through Supavisor; :func:`khepri_db.core.db.connect` never prepares).
    When the tests run as root, PgBouncer runs as the engines' unprivileged OS user.

    Args:
        target_url: the server's URL (``postgresql://user:password@127.0.0.1:port/dbname``).
        executable: the ``pgbouncer`` program (:func:`find_pgbouncer`).
        pool_mode: ``"transaction"`` (Supavisor's port 6543), ``"session"`` (port 5432) or
            ``"statement"``.
        pool_size: server connections per (database, user) pair.
        users: extra ``{role: password}`` entries of the user list.
        attempts: how many ports to try.

    Returns:
        The running :class:`PgBouncer`; call its ``stop()`` when done.

    Raises:
        RuntimeError: PgBouncer did not start (the message has the end of its log).
    """
    target = Login.of(target_url)
    account = service_account(SERVICE_USER)
    root = make_cluster_root("khepri-pgbouncer-")
    try:
        failure = ""
        for attempt in range(attempts):
            run = _private_dir(root, f"run{attempt}", account)
            port = free_port()
            userlist = run / "userlist.txt"
            entries = {target.user: target.password, **(users or {})}
            _write_private(userlist, "".join(_userlist_line(u, p) for u, p in entries.items()), account)
            ini = run / "pgbouncer.ini"
            _write_private(
                ini,
                "\n".join(
                    [
                        "[databases]",
                        f"* = host=127.0.0.1 port={target.port}",
                        "[pgbouncer]",
                        "listen_addr = 127.0.0.1",
                        f"listen_port = {port}",
                        "unix_socket_dir =",
                        "auth_type = scram-sha-256",
                        f"auth_file = {userlist}",
                        f"auth_user = {target.user}",
                        f"pool_mode = {pool_mode}",
                        f"default_pool_size = {pool_size}",
                        "max_client_conn = 500",
                        "server_tls_sslmode = disable",
                        "ignore_startup_parameters = extra_float_digits",
                        f"logfile = {run / 'pgbouncer.log'}",
                        f"pidfile = {run / 'pgbouncer.pid'}",
                        "",
                    ]
                ),
                account,
            )
            result = run_as(executable, ["-d", "-q", str(ini)], account)
            pid = _wait_for_pgbouncer(run / "pgbouncer.pid", port)
            if pid is not None:
                url = target.url(host="127.0.0.1", port=port)
                return PgBouncer(url=url, port=port, pid=pid, pool_mode=pool_mode, root=root)
            log = _tail(run / "pgbouncer.log")
            failure = f"exit status {result.returncode}: {result.stderr.strip()}\n{log}"
            if "Address already in use" not in log:
                break
        raise RuntimeError(f"PgBouncer ({executable}) did not start: {failure}")
    except BaseException:
        _stop_pgbouncers(root)
        shutil.rmtree(root, ignore_errors=True)
        raise


def _wait_for_pgbouncer(pidfile: Path, port: int) -> int | None:
    """The pid of the PgBouncer that wrote ``pidfile`` once it listens on ``port``; ``None`` when it
    exited or did not listen within :data:`START_TIMEOUT_S` (then it is stopped)."""
    deadline = time.monotonic() + START_TIMEOUT_S
    pid: int | None = None
    while time.monotonic() < deadline:
        if pid is None:
            pid = _read_pid(pidfile)
        if pid is not None:
            if not alive(pid):
                return None
            if _listening(port):
                return pid
        time.sleep(0.05)
    if pid is not None:
        _terminate(pid, "pgbouncer")
    return None


def _stop_pgbouncers(root: Path) -> None:
    """Stop every PgBouncer whose pid file is under ``root`` (a start that failed half-way)."""
    for pidfile in root.glob("run*/pgbouncer.pid"):
        pid = _read_pid(pidfile)
        if pid is not None:
            _terminate(pid, "pgbouncer")


def _read_pid(pidfile: Path) -> int | None:
    """The pid PgBouncer wrote to ``pidfile``, or ``None`` while the file is missing or not yet
    whole: PgBouncer creates the file before it writes ``"<pid>\\n"`` into it, so a reader can find
    it empty (CI did, 2026-12-07) or holding only the first digits; the newline marks it complete."""
    try:
        text = pidfile.read_text()
    except OSError:
        return None
    if not text.endswith("\n") or not text.strip().isdigit():
        return None
    return int(text)


# -- a streaming hot standby, the stand-in for a read replica -------------------------------------

EngineFactory = Callable[[Path, int, Mapping[str, str]], ClusterEngine]
"""``(data_dir, port, settings) -> engine``, e.g. ``lambda d, p, s: EmbeddedEngine(d, port=p, settings=s)``."""


@dataclass
class HotStandby:
    """A primary cluster and its streaming hot standby (see :func:`start_hot_standby`).

    Attributes:
        primary_url: ``postgresql://postgres:<password>@127.0.0.1:<port>/postgres`` (superuser).
        standby_url: the same login on the standby (its own port, database ``postgres``).
        root: the directory holding both data directories (``primary/``, ``standby/``).
        primary: the primary's engine.
        standby: the standby's engine (started through it, stopped with ``pg_ctl`` directly:
            the engine reports a standby's postmaster, whose status is ``standby``, not
            ``ready``, as not running, so ``standby.stop()`` would do nothing).
    """

    primary_url: str
    standby_url: str
    root: Path
    primary: ClusterEngine
    standby: ClusterEngine | None = None
    _account: ServiceAccount | None = field(default=None, repr=False)

    def stop(self) -> None:
        """Stop the standby, then the primary (fast shutdown, waited for), and remove both."""
        try:
            if self.standby is not None:
                _pg_ctl_stop(self.standby.data_dir, self._account)
        finally:
            try:
                self.primary.stop()
            finally:
                shutil.rmtree(self.root, ignore_errors=True)


def _server_bin_dir(data_dir: Path) -> Path:
    """The binaries the cluster in ``data_dir`` was made with (recorded in its state file): those
    the server's OS user can run (the engine may have copied the embedded wheel's)."""
    return Path(json.loads(state_file(data_dir).read_text())["bin_dir"])


def _pg_ctl_stop(data_dir: Path, account: ServiceAccount | None) -> None:
    if not (data_dir / "postmaster.pid").is_file():
        return
    pg_ctl = _server_bin_dir(data_dir) / "pg_ctl"
    result = run_as(pg_ctl, ["-D", str(data_dir), "-m", "fast", "-w", "-t", "60", "stop"], account)
    if result.returncode != 0 and (data_dir / "postmaster.pid").is_file():
        raise RuntimeError(f"could not stop the server in {data_dir}: {result.stderr.strip()}")


def start_hot_standby(
    make_engine: EngineFactory,
    settings: Mapping[str, str],
    *,
    migrations_dir: Path | None = None,
) -> HotStandby:
    """Start a new primary cluster and a streaming hot standby of it.

    The primary is a cluster of its own (never the session's server), made by ``make_engine`` in a
    new temporary directory, on a free port. With ``migrations_dir``, its ``postgres`` database
    gets khepri-db's Supabase compatibility layer and those migrations
    (:func:`khepri_db.migrations.apply.migrate`) before the backup, so that the standby has them.
    The standby is made with ``pg_basebackup -R -X stream -c fast`` (``standby.signal`` and
    ``primary_conninfo`` written by it) over a replication connection from 127.0.0.1 as
    ``postgres`` (initdb's pg_hba.conf admits it with scram-sha-256; ``wal_level = replica`` and
    ``max_wal_senders`` are PostgreSQL's defaults), run as the server's OS user, then started by a
    second engine on its own free port (it stages the same extension stand-ins).

    Args:
        make_engine: builds a :class:`~khepri_db.engines.ClusterEngine` (embedded or system).
        settings: server settings for both (the standby needs ``max_connections`` at least the
            primary's, so both get the same).
        migrations_dir: apply the compatibility layer and these migrations to the primary first.

    Returns:
        The running :class:`HotStandby`; call its ``stop()`` when done.

    Raises:
        FileNotFoundError: the binaries have no ``pg_basebackup`` (message names the path).
        RuntimeError: ``pg_basebackup`` failed.
        EngineError: a server did not start.
    """
    account = service_account(SERVICE_USER)
    root = make_cluster_root("khepri-replica-")
    primary = make_engine(root / "primary", free_port(), settings)
    pair = HotStandby(primary_url="", standby_url="", root=root, primary=primary, _account=account)
    try:
        pair.primary_url = primary.start()
        if migrations_dir is not None:
            migrate(pair.primary_url, migrations_dir)
        bin_dir = _server_bin_dir(primary.data_dir)
        basebackup = find_pg_basebackup(bin_dir)
        if basebackup is None:
            raise FileNotFoundError(f"{bin_dir / 'pg_basebackup'} is missing")
        login = Login.of(pair.primary_url)
        standby_dir = _private_dir(root, "standby", account)
        result = run_as(
            basebackup,
            ["-D", str(standby_dir), "-R", "-X", "stream", "-c", "fast", "--no-sync",
             "-h", "127.0.0.1", "-p", str(login.port), "-U", login.user],
            account,
            {"PGPASSWORD": login.password},
        )  # fmt: skip
        if result.returncode != 0:
            raise RuntimeError(f"pg_basebackup failed: {result.stderr.strip()}")
        # The standby's state file: the primary's password (the roles are a copy), its own port.
        _write_private(
            state_file(standby_dir),
            json.dumps({"password": login.password, "port": None, "superuser": SUPERUSER, "bin_dir": str(bin_dir)}),
            None,
        )
        pair.standby = make_engine(standby_dir, free_port(), settings)
        pair.standby_url = pair.standby.start()
    except BaseException:
        pair.stop()
        raise
    return pair


def wait_for_replay(primary_url: str, standby_url: str, *, timeout_s: float = START_TIMEOUT_S) -> None:
    """Wait until the standby has replayed everything the primary had written when called.

    The test clusters run with ``synchronous_commit = off``: a commit returns before its WAL is
    flushed, and a record no commit follows (the bgwriter's running-xacts record) may stay
    unflushed, so unsent to the standby, for many seconds. So a transaction that writes WAL is
    committed with ``synchronous_commit = on`` on the primary first (its commit flushes everything
    inserted before it; one that only takes an xid writes nothing and would not flush), then
    ``pg_current_wal_flush_lsn()`` is the target, and ``pg_last_wal_replay_lsn()`` is polled on the
    standby every 50 ms.

    Raises:
        TimeoutError: not replayed within ``timeout_s`` seconds.
    """
    with connect(primary_url) as conn:
        conn.execute("set local synchronous_commit = on")
        # A transaction that writes WAL (a temporary table's catalog rows): its commit flushes.
        conn.execute("create temporary table khepri_replay_marker () on commit drop")
        conn.commit()
        row = conn.execute("select pg_current_wal_flush_lsn()::text").fetchone()
        conn.rollback()
    assert row is not None
    target = row[0]
    deadline = time.monotonic() + timeout_s
    with connect(standby_url, autocommit=True) as conn:
        while True:
            done = conn.execute("select pg_last_wal_replay_lsn() >= %s::pg_lsn", [target]).fetchone()
            if done is not None and done[0]:
                return
            if time.monotonic() > deadline:
                raise TimeoutError(f"the standby did not replay up to {target} within {timeout_s} s")
            time.sleep(0.05)


# -- a role shaped like hosted Supabase's postgres -------------------------------------------------


@dataclass
class HostedRole:
    """A role made by :func:`create_hosted_role`.

    Attributes:
        name: the role's name (``hosted_postgres_<random>``).
        url: ``postgresql://<name>:<password>@<host>:<port>/<dbname>`` of the database it was made in.
        admin_url: the superuser URL it was made with (used to drop it).
    """

    name: str
    url: str
    admin_url: str

    def drop(self) -> None:
        """End its sessions, ``drop owned by`` it in its database (when that still exists), and
        ``drop role`` it."""
        admin = Login.of(self.admin_url)
        role = sql.Identifier(self.name)
        with connect(admin.url(dbname="postgres"), autocommit=True) as conn:
            conn.execute("select pg_terminate_backend(pid) from pg_stat_activity where usename = %s", [self.name])
            exists = conn.execute("select 1 from pg_database where datname = %s", [admin.dbname]).fetchone()
        if exists:
            with connect(self.admin_url, autocommit=True) as conn:
                conn.execute(sql.SQL("drop owned by {}").format(role))
        with connect(admin.url(dbname="postgres"), autocommit=True) as conn:
            conn.execute(sql.SQL("drop role if exists {}").format(role))


HOSTED_POSTGRES_GRANTS = """
grant anon, authenticated, service_role, authenticator to {role}{admin_option};
grant pg_monitor, pg_read_all_data, pg_signal_backend to {role};
grant all on database {database} to {role};
grant usage, create on schema public to {role};
alter default privileges for role {role} in schema public grant all on tables to anon, authenticated, service_role;
alter default privileges for role {role} in schema public grant all on functions to anon, authenticated, service_role;
alter default privileges for role {role} in schema public grant all on sequences to anon, authenticated, service_role;
grant all on schema extensions to {role};
grant all on all tables in schema extensions to {role};
grant all on all sequences in schema extensions to {role};
grant all on all routines in schema extensions to {role};
grant usage on schema auth to {role};
grant all on all tables in schema auth to {role};
grant all on all sequences in schema auth to {role};
grant all on all routines in schema auth to {role};
revoke all on auth.schema_migrations from {role};
"""
"""What hosted Supabase's ``postgres`` holds, granted to a role named ``{role}`` (see
:func:`create_hosted_role` for the sources)."""


def create_hosted_role(db_url: str) -> HostedRole:
    """Create, in the database of ``db_url``, a role shaped like hosted Supabase's ``postgres``.

    On hosted Supabase, ``postgres`` is not a superuser (``supabase_admin`` is). What it has, as
    supabase/postgres's migrations give it:

    * ``NOSUPERUSER CREATEDB CREATEROLE LOGIN REPLICATION BYPASSRLS``
      (``migrations/db/migrations/10000000000000_demote-postgres.sql``);
    * membership of ``anon``, ``authenticated`` and ``service_role``, with ADMIN OPTION from
      PostgreSQL 16 on (``20250605172253_grant_with_admin_to_postgres_16_and_above.sql``), and of
      ``authenticator``, ``pg_monitor``, ``pg_read_all_data`` and ``pg_signal_backend`` (the role
      memberships of hosted projects' ``pg_dumpall --roles-only``, as khepri-db's compatibility
      layer records them in ``sql/compat/install/010_roles.sql``);
    * all privileges on its database and on the tables, sequences and routines of ``auth`` and
      ``extensions`` (the demote migration), but none on ``auth.schema_migrations`` and no CREATE on
      schema ``auth`` (``20250421084701_revoke_admin_roles_from_postgres.sql``);
    * what it creates in ``public`` it owns, granted to the API roles by its default privileges
      (``migrations/db/init-scripts/00000000000000-initial-schema.sql``); here it gets USAGE and
      CREATE on ``public`` so that it can create there.

    The database must already have the compatibility layer (``khepri_clone_url``, or a database of
    ``khepri_database_factory`` that was migrated): its roles and schemas are granted.

    Args:
        db_url: a superuser URL of that database (the session server's ``postgres`` login).

    Returns:
        The :class:`HostedRole` (a unique name and a random password); its ``url`` reaches the same
        database as that role. Call its ``drop()`` when done.
    """
    admin = Login.of(db_url)
    name = f"hosted_postgres_{secrets.token_hex(5)}"
    password = secrets.token_urlsafe(18)
    role = sql.Identifier(name)
    with connect(db_url) as conn:
        major = int(conn.execute("select current_setting('server_version_num')::int / 10000").fetchone()[0])  # type: ignore[index]
        conn.execute(
            sql.SQL(
                "create role {} with login password {} nosuperuser inherit createdb createrole replication bypassrls"
            ).format(role, sql.Literal(password))
        )
        statements = HOSTED_POSTGRES_GRANTS.format(
            role="{role}", database="{database}", admin_option=" with admin option" if major >= 16 else ""
        )
        conn.execute(sql.SQL(statements).format(role=role, database=sql.Identifier(admin.dbname)))
        conn.commit()
    return HostedRole(
        name=name, url=Login(name, password, admin.host, admin.port, admin.dbname).url(), admin_url=db_url
    )


def backend_pid(conn: psycopg.Connection) -> int:
    """``pg_backend_pid()`` of the server session ``conn``'s current statement runs on."""
    row = conn.execute("select pg_backend_pid()").fetchone()
    assert row is not None
    return int(row[0])
