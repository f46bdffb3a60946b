"""The server's workspace store is bounded: entries, bytes of uploads, and age."""

from __future__ import annotations

from fairlab_ui.workspace import Snapshot, WorkspaceStore, new_key


def _snapshot(upload: bytes | None = None) -> Snapshot:
    source = ("bundled", "adult") if upload is None else ("upload", "f.csv", upload)
    return Snapshot(
        owner=None, source=source, spec=None, choices={}, kept={}, trained={}, predictions=None
    )


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_keys_are_random_and_url_safe() -> None:
    keys = {new_key() for _ in range(1000)}
    assert len(keys) == 1000
    assert all(len(k) >= 20 and k.replace("-", "").replace("_", "").isalnum() for k in keys)


def test_the_entry_used_longest_ago_goes_first() -> None:
    store = WorkspaceStore(max_entries=2, ttl_s=100.0, clock=Clock())
    store.put("a", _snapshot())
    store.put("b", _snapshot())
    assert store.get("a") is not None  # "a" is now the most recently used
    store.put("c", _snapshot())
    assert store.get("b") is None
    assert store.get("a") is not None and store.get("c") is not None
    assert len(store) == 2


def test_uploads_are_bounded_in_bytes() -> None:
    store = WorkspaceStore(max_entries=10, ttl_s=100.0, max_bytes=25, clock=Clock())
    store.put("a", _snapshot(b"x" * 10))
    store.put("b", _snapshot(b"y" * 10))
    store.put("c", _snapshot(b"z" * 10))
    assert store.get("a") is None
    assert store.get("b").source[2] == b"y" * 10
    assert store.get("c").source[2] == b"z" * 10


def test_entries_expire_unless_used() -> None:
    clock = Clock()
    store = WorkspaceStore(max_entries=10, ttl_s=100.0, clock=clock)
    store.put("a", _snapshot())
    store.put("b", _snapshot())
    clock.now = 60.0
    assert store.get("a") is not None
    clock.now = 150.0
    assert store.get("b") is None
    assert store.get("a") is not None
    clock.now = 251.0
    assert store.get("a") is None
    assert len(store) == 0
