"""Keyed pseudonyms for person and worker ids (HMAC-SHA256).

The raw id from the source system never reaches the store: the same id always maps to the
same pseudonym under one key, so records still join, but without the key nobody can go back
from pseudonym to person. The key therefore lives outside the store: in the environment
(EVALUATION_PSEUDONYM_KEY), in Streamlit secrets (passed in by the app), or — for a local
install — in a file generated once beside the DuckDB file, readable by its owner only.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

from evaluation.core.text import normalise

KEY_ENV = "EVALUATION_PSEUDONYM_KEY"


def key_path(db_path: Path) -> Path:
    """Where the local default key lives: beside the store, never inside it."""
    return db_path.with_name(db_path.name + ".key")


def load_key(db_path: Path, explicit: str | None = None) -> bytes:
    """The key from the argument, the environment, or the local key file (created if absent)."""
    configured = explicit or os.environ.get(KEY_ENV)
    if configured:
        return configured.encode("utf-8")
    path = key_path(db_path)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
    return path.read_text().strip().encode("utf-8")


def pseudonym(key: bytes, raw_id: str | None, prefix: str = "P") -> str | None:
    """A stable, keyed, one-way stand-in for a raw id (None stays None).

    The id is normalised first (``core.text.normalise``), as the import normalises it, so an
    id typed for an erasure finds the person however it was spaced or encoded."""
    if raw_id is None:
        return None
    digest = hmac.new(key, normalise(raw_id).encode("utf-8"), hashlib.sha256).hexdigest()
    return f"{prefix}-{digest[:20]}"
