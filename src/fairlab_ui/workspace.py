"""Workspaces: what a session has built, kept on the server so a reload (F5) restores it.

A session gets a random workspace key, which it keeps in its address (``?ws=<key>``). The
address holds only the key, never data. After every run the session's source (an upload's
bytes included), spec, choices and prediction sources are kept under that key in a
bounded server-wide store whose entries expire; a new session opened on the same address
takes them back. An upload's bytes are reachable only with the key of the workspace that
holds them.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import streamlit as st

WORKSPACE_PARAM = "ws"
MAX_WORKSPACES = 256
"""A classroom's worth of sessions; the one used longest ago goes first."""
WORKSPACE_TTL_S = 8 * 3600.0
"""A working day: a workspace left alone longer is forgotten."""
MAX_UPLOAD_BYTES = 200 * 1024 * 1024
"""Streamlit's default upload limit; the store never holds a larger file."""
MAX_STORED_BYTES = 1024 * 1024 * 1024
"""All kept uploads together; the workspaces used longest ago go first beyond it."""

WORKSPACE_UNKNOWN_NOTICE = (
    "The workspace this address names is unknown or has expired (a workspace is kept for "
    "8 hours, for the browser that made it): FairLab started a new one."
)


@dataclass(frozen=True)
class Snapshot:
    """What a session has built, as plain values (the upload's bytes, not its frame)."""

    owner: str | None
    """The browser that made it (a hash of its XSRF token), or None without the cookie."""
    source: tuple[Any, ...]
    """``("bundled", name)``, ``("upload", name, bytes, header, delimiter)`` or
    ``("synthetic", config)``."""
    spec: Any
    choices: dict[str, Any]
    kept: dict[str, Any]
    trained: dict[str, Any]
    predictions: Any

    @property
    def n_bytes(self) -> int:
        """The bytes of the upload it keeps (0 for a bundled or synthetic source)."""
        return len(self.source[2]) if self.source[0] == "upload" else 0


@dataclass
class _Entry:
    snapshot: Snapshot
    touched: float


class WorkspaceStore:
    """A bounded, thread-safe store of snapshots under random keys, with expiry: at most
    ``max_entries`` snapshots and ``max_bytes`` of uploads, none older than ``ttl_s``."""

    def __init__(
        self,
        max_entries: int,
        ttl_s: float,
        max_bytes: int = MAX_STORED_BYTES,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._clock = clock
        self._max_entries = max_entries
        self._ttl_s = ttl_s
        self._max_bytes = max_bytes
        self._items: OrderedDict[str, _Entry] = OrderedDict()
        self._lock = threading.Lock()

    def _expire(self, now: float) -> None:
        for key in [k for k, e in self._items.items() if now - e.touched > self._ttl_s]:
            del self._items[key]

    def get(self, key: str) -> Snapshot | None:
        """The snapshot kept under ``key``, or None if unknown or expired."""
        now = self._clock()
        with self._lock:
            self._expire(now)
            entry = self._items.get(key)
            if entry is None:
                return None
            entry.touched = now
            self._items.move_to_end(key)
            return entry.snapshot

    def put(self, key: str, snapshot: Snapshot) -> None:
        """Keep ``snapshot`` under ``key``, dropping the entry used longest ago if full."""
        now = self._clock()
        with self._lock:
            self._expire(now)
            self._items[key] = _Entry(snapshot, now)
            self._items.move_to_end(key)
            while len(self._items) > self._max_entries or (
                len(self._items) > 1 and self._stored_bytes() > self._max_bytes
            ):
                self._items.popitem(last=False)

    def _stored_bytes(self) -> int:
        return sum(e.snapshot.n_bytes for e in self._items.values())

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)


@st.cache_resource
def store() -> WorkspaceStore:
    """The server's workspace store."""
    return WorkspaceStore(MAX_WORKSPACES, WORKSPACE_TTL_S)


def new_key() -> str:
    """A fresh workspace key: 128 random bits, URL-safe."""
    return secrets.token_urlsafe(16)
