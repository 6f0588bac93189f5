"""One writer per index: an ``flock`` on ``<data_dir>/ingest.lock`` and, in server mode, a lock
held on the Chroma server itself — so two data dirs (two machines) pointed at one server cannot
ingest or rebuild the same collections at once. Readers are never blocked.

The server lock is a collection, ``<name>_ingest_lock``: creating a collection is atomic (a
second create of the same name fails), its metadata says who holds it, and the holder refreshes
a heartbeat in it every few seconds. A holder that died (kill -9, a lost machine) leaves it
behind: it is taken over when its process is gone (same host) or its heartbeat is stale.
"""

from __future__ import annotations

import fcntl
import os
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from index.chroma import StoreUnavailableError, collection_names

HEARTBEAT_S = 5.0
STALE_S = 60.0


class IngestBusyError(Exception):
    pass


@contextmanager
def ingest_lock(data_dir: Path, server: tuple[Any, str, str] | None = None) -> Iterator[None]:
    """One ingest at a time per data directory and, with ``server`` (client, index name, URL),
    per index on that Chroma server."""
    data_dir.mkdir(parents=True, exist_ok=True)
    with open(data_dir / "ingest.lock", "w") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise IngestBusyError(
                f"Another ingest is writing to {data_dir}; wait for it to finish."
            ) from exc
        try:
            if server is None:
                yield
            else:
                with _server_lock(*server):
                    yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _alive(meta: dict[str, Any]) -> bool:
    """Is the holder described by ``meta`` still there?"""
    if time.time() - float(meta.get("beat", 0)) > STALE_S:
        return False
    if meta.get("host") == socket.gethostname():
        try:
            os.kill(int(meta.get("pid", 0)), 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
    return True


@contextmanager
def _server_lock(client: Any, name: str, url: str) -> Iterator[None]:
    from chromadb.errors import ChromaError

    lock = f"{name}_ingest_lock"
    me: dict[str, str | int | float] = {
        "owner": uuid.uuid4().hex,
        "host": socket.gethostname(),
        "pid": os.getpid(),
        "since": time.time(),
        "beat": time.time(),
    }
    for _ in range(3):
        try:
            held = client.create_collection(lock, metadata=me)
            break
        except ChromaError:
            if lock not in collection_names(client):
                continue  # released meanwhile
            holder = dict(client.get_collection(lock).metadata or {})
            if _alive(holder):
                since = time.strftime("%H:%M:%S", time.localtime(float(holder.get("since", 0))))
                raise IngestBusyError(
                    f"Another ingest (pid {holder.get('pid')} on {holder.get('host')}, since "
                    f"{since}) is writing to the index {name!r} on the Chroma server at {url}; "
                    "wait for it to finish."
                ) from None
            client.delete_collection(lock)  # its holder died: take it over
    else:
        raise IngestBusyError(f"Could not take the ingest lock of {name!r} on {url}; retry.")
    stop = threading.Event()

    def beat() -> None:
        while not stop.wait(HEARTBEAT_S):
            try:
                held.modify(metadata={**me, "beat": time.time()})
            except StoreUnavailableError:
                return

    thread = threading.Thread(target=beat, name="dossier-ingest-lock", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
        try:
            current = dict(client.get_collection(lock).metadata or {})
            if current.get("owner") == me["owner"]:
                client.delete_collection(lock)
        except StoreUnavailableError:
            pass  # the server is gone: the lock goes stale by itself
