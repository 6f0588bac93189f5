"""Chroma clients: an embedded ``PersistentClient`` in ``data_dir/chroma`` by default, an
``HttpClient`` when a server URL is configured — behind one guard, so that every read and write
of either reports a lost server as :class:`StoreUnavailableError` (exit 6) with the fix in its
message, and a collection deleted under a reader (another process's ``--rebuild``) as
:class:`IndexReplacedError`, instead of a transport traceback.
"""

from __future__ import annotations

import functools
import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
logging.getLogger("chromadb.telemetry").setLevel(logging.CRITICAL)


class IndexError_(Exception):
    """Base of the index layer's errors; messages say what to do next."""


class IndexMismatchError(IndexError_):
    pass


class IndexMissingError(IndexError_):
    pass


class StoreUnavailableError(IndexError_):
    pass


class IndexReplacedError(StoreUnavailableError):
    """The collections being read were deleted meanwhile (a rebuild by another process)."""


def _transient() -> tuple[type[BaseException], ...]:
    """What a lost or failing server raises: transport errors, never our own bugs."""
    import httpx

    return (httpx.HTTPError, ConnectionError, TimeoutError)


class Guarded:
    """A Chroma client or collection whose method calls raise :class:`StoreUnavailableError`
    (with ``fix``) when the store cannot be reached; collections it returns are guarded too."""

    def __init__(self, target: Any, where: str, fix: str) -> None:
        self._target = target
        self._where = where
        self._fix = fix

    @property
    def unwrapped(self) -> Any:
        return self._target

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._target, name)
        if name.startswith("_") or not callable(attr):
            return attr
        return self._guard(attr)

    def _guard(self, fn: Callable[..., Any]) -> Callable[..., Any]:
        from chromadb.api.models.Collection import Collection
        from chromadb.errors import NotFoundError

        transient = _transient()

        @functools.wraps(fn)
        def call(*args: Any, **kwargs: Any) -> Any:
            try:
                result = fn(*args, **kwargs)
            except NotFoundError as exc:
                raise IndexReplacedError(
                    f"The index was replaced while it was being read ({exc}): another process "
                    "rebuilt it. Run the command again."
                ) from exc
            except transient as exc:
                raise StoreUnavailableError(
                    f"{self._where} stopped answering ({exc.__class__.__name__}: {exc}). "
                    f"{self._fix}"
                ) from exc
            if isinstance(result, Collection):
                return Guarded(result, self._where, self._fix)
            return result

        return call


def _server_fix(url: str) -> str:
    parsed = urlparse(url if "://" in url else f"http://{url}")
    host, port = parsed.hostname or "127.0.0.1", parsed.port or 8000
    return (
        f"Start it (again) with `chroma run --host {host} --port {port} --path DIR`, or unset "
        "DOSSIER_CHROMA_URL to use the embedded index."
    )


def open_client(data_dir: Path, chroma_url: str | None = None, token: str | None = None) -> Any:
    """An embedded Chroma in ``data_dir/chroma``, or an ``HttpClient`` for ``chroma_url``;
    guarded (:class:`Guarded`)."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    settings = ChromaSettings(anonymized_telemetry=False)
    if chroma_url:
        url = urlparse(chroma_url if "://" in chroma_url else f"http://{chroma_url}")
        headers = {"Authorization": f"Bearer {token}"} if token else None
        fix = _server_fix(chroma_url)
        try:
            client = chromadb.HttpClient(
                host=url.hostname or "127.0.0.1",
                port=url.port or (443 if url.scheme == "https" else 8000),
                ssl=url.scheme == "https",
                headers=headers,
                settings=settings,
            )
            client.heartbeat()
        except Exception as exc:
            raise StoreUnavailableError(
                f"Cannot reach the Chroma server at {chroma_url} "
                f"({exc.__class__.__name__}: {exc}). {fix}"
            ) from exc
        return Guarded(client, f"The Chroma server at {chroma_url}", fix)
    path = Path(data_dir) / "chroma"
    path.mkdir(parents=True, exist_ok=True)
    client = chromadb.PersistentClient(path=str(path), settings=settings)
    return Guarded(
        client, f"The index in {path}", "Check that the disk is mounted and readable, then retry."
    )


def reopen_client(client: Any, data_dir: Path) -> Any:
    """A fresh embedded client for ``data_dir``: Chroma caches one system per folder in each
    process, and that system's vector index does not see what another process wrote. The old
    system is left to its current holders (it is no longer handed out)."""
    from chromadb.api.shared_system_client import SharedSystemClient

    ident = getattr(getattr(client, "unwrapped", client), "_identifier", None)
    if ident is not None:
        SharedSystemClient._identifier_to_system.pop(ident, None)
        SharedSystemClient._identifier_to_refcount.pop(ident, None)
    return open_client(data_dir)


def collection_names(client: Any) -> set[str]:
    return {getattr(c, "name", c) for c in client.list_collections()}
