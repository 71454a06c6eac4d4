"""Uploaded files, kept under UPLOAD_DIR by random names and tied to the database transaction.

A file written during a request is removed again if that request's transaction rolls back; a file
that a change stops using is removed only once that change is committed. So the disk never holds a
file the database does not know, nor loses one the database still points to.
"""

import re
import secrets
from pathlib import Path

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

_STORED_NAME = re.compile(r"^[0-9a-f]{32}\.[a-z]{2,5}$")
_WRITTEN = "uploads_written"
_UNUSED = "uploads_unused"


def upload_dir(folder: str) -> Path:
    base = current_app.config.get("UPLOAD_DIR") or Path(current_app.instance_path) / "uploads"
    path = Path(base) / folder
    path.mkdir(parents=True, exist_ok=True)
    return path


def path_of(folder: str, stored_name: str) -> Path:
    """Where a stored file is; refuses anything that is not one of our random names."""
    if not _STORED_NAME.match(stored_name or ""):
        raise ValueError(f"not a stored file name: {stored_name!r}")
    return upload_dir(folder) / stored_name


def store(session: Session, folder: str, data: bytes, extension: str) -> str:
    """Write `data` under a new random name; returns the name to keep in the database."""
    stored_name = f"{secrets.token_hex(16)}.{extension}"
    path = path_of(folder, stored_name)
    path.write_bytes(data)
    session.info.setdefault(_WRITTEN, []).append(path)
    return stored_name


def discard_after_commit(session: Session, folder: str, stored_name: str | None) -> None:
    if stored_name:
        session.info.setdefault(_UNUSED, []).append(path_of(folder, stored_name))


def _remove(paths) -> None:
    for path in paths:
        path.unlink(missing_ok=True)


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    session.info.pop(_WRITTEN, None)
    _remove(session.info.pop(_UNUSED, []))


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    session.info.pop(_UNUSED, None)
    _remove(session.info.pop(_WRITTEN, []))
