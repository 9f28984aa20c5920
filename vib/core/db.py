"""The database: engine, a session per app context, the declarative Base, and Alembic migrations.

The transaction rule: operations change and flush, never commit. One wrapper commits: per request
(`_commit_request`: a response below 400 commits, anything else rolls back), per CLI command and per
job (`unit_of_work`). Work that must wait for the commit (a job that reads the new row, an e-mail)
is handed to `on_commit`; undoing what the database cannot undo (a file moved into place) to
`on_rollback`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from alembic import command
from alembic.config import Config
from flask import Flask, current_app, g
from sqlalchemy import DateTime, MetaData, create_engine, event, make_url
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

from vib.core import errors

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC datetimes on every database (SQLite forgets the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


# Ids are 32-bit integers on PostgreSQL: a larger number from a request names no row (and must not
# reach the database, which would refuse it with an error instead of "not found").
ID_MAX = 2**31 - 1


def is_id(value) -> bool:
    """Whether `value` can be the id of a row (a whole number from 1 to ID_MAX; never a bool)."""
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= ID_MAX


def utcnow() -> datetime:
    return datetime.now(UTC)


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        _private_file(make_url(url).database)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True)


def _private_file(path: str | None) -> None:
    """Make the SQLite file readable by vib's own account only, before SQLite creates it (its -wal
    and -shm files take the same permissions)."""
    if not path or path == ":memory:":
        return
    os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    os.chmod(path, 0o600)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # WAL lets the job thread write progress while requests read; foreign keys are off by default.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def init_app(app: Flask) -> None:
    engine = make_engine(app.config["VIB_DATABASE_URL"])
    factory = sessionmaker(engine, expire_on_commit=False)
    event.listen(factory, "after_commit", _run_commit_callbacks)
    event.listen(factory, "after_soft_rollback", _run_rollback_callbacks)
    app.extensions["vib.db"] = factory
    app.after_request(_commit_request)
    app.teardown_appcontext(_close_session)


def session() -> Session:
    """The session of the current app context (a request, a CLI command or a job)."""
    if "db_session" not in g:
        g.db_session = current_app.extensions["vib.db"]()
    return g.db_session


def engine() -> Engine:
    return current_app.extensions["vib.db"].kw["bind"]


def new_session() -> Session:
    """A session of its own, outside the request's or job's transaction (a job's progress, which
    others must see before the job ends). The caller commits and closes it."""
    return current_app.extensions["vib.db"]()


def _commit_request(response):
    db_session = g.get("db_session")
    if db_session is None:
        return response
    try:
        if response.status_code < 400:
            db_session.commit()
        else:
            db_session.rollback()
    except SQLAlchemyError as exc:
        if not errors.database_away(exc):
            raise
        # Nothing was stored (a commit that fails stores nothing); a refusal already says why.
        return errors.database_away_response(exc) if response.status_code < 400 else response
    return response


def _close_session(_exc) -> None:
    db_session = g.pop("db_session", None)
    if db_session is not None:
        # Closing undoes whatever was not committed (and, unlike rollback, keeps loaded objects readable).
        undo = db_session.info.pop("vib.on_rollback", [])
        db_session.close()
        for callback in undo:
            callback()


@contextmanager
def unit_of_work() -> Iterator[Session]:
    """The current app context's session, committed when the block ends, rolled back on an error:
    the wrapper of a CLI command and of a job."""
    db_session = session()
    try:
        yield db_session
        db_session.commit()
    except BaseException:
        db_session.rollback()
        raise


def on_commit(db_session: Session, callback: Callable[[], None]) -> None:
    """Call `callback` once the session's transaction has committed (never if it rolls back)."""
    _in_transaction(db_session).info.setdefault("vib.on_commit", []).append(callback)


def on_rollback(db_session: Session, callback: Callable[[], None]) -> None:
    """Call `callback` if the session's transaction rolls back (never once it has committed)."""
    _in_transaction(db_session).info.setdefault("vib.on_rollback", []).append(callback)


def _in_transaction(db_session: Session) -> Session:
    # A rollback of a session that has not begun does nothing, not even its events: begin now, so
    # that the callbacks belong to this transaction.
    if not db_session.in_transaction():
        db_session.begin()
    return db_session


def _run_commit_callbacks(db_session: Session) -> None:
    db_session.info.pop("vib.on_rollback", None)
    for callback in db_session.info.pop("vib.on_commit", []):
        callback()


def _run_rollback_callbacks(db_session: Session, _previous_transaction) -> None:
    db_session.info.pop("vib.on_commit", None)
    for callback in db_session.info.pop("vib.on_rollback", []):
        callback()


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def migrate(url: str) -> None:
    """Create or upgrade the database schema to the newest migration."""
    command.upgrade(alembic_config(url), "head")
