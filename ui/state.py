"""Process-wide resources, built once (``st.cache_resource``) and shared by every session: the
embedder and the ``Dossier`` (which holds the index and the generator). Everything per user —
the conversation, the last ingest report — lives in ``st.session_state`` instead."""

from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path
from typing import Any

import streamlit as st

import ui
from rag import Dossier, Embedder, IndexMissingError, Settings, make_embedder
from ui.components import md_escape, show_error

_ENV_KEYS = ("OPENAI_API_KEY", "OPENAI_BASE_URL")


def settings_key() -> str:
    """A digest of the environment Settings are read from: a new environment, a new Dossier."""
    env = sorted(
        (k, v) for k, v in os.environ.items() if k.startswith("DOSSIER_") or k in _ENV_KEYS
    )
    return hashlib.sha256(repr(env).encode()).hexdigest()


@st.cache_resource(show_spinner=False)
def _embedder(name: str) -> Embedder:
    """Built once per process; the model loads in the background while the first page renders,
    so the first question does not wait for it."""
    embedder = make_embedder(name)
    threading.Thread(
        target=embedder.embed, args=(["warm up"],), daemon=True, name="dossier-embedder-warmup"
    ).start()
    return embedder


@st.cache_resource(show_spinner=False)
def _dossier(key: str) -> Dossier:
    """Built when the app starts; what answering needs (models, index, BM25) loads at once in
    the background, so the first question does not wait for it."""
    settings = Settings()
    d = Dossier(settings, embedder=_embedder(settings.index.embedder))
    threading.Thread(target=d.warm_up, daemon=True, name="dossier-warmup").start()
    return d


# Dossiers built before the first visit (``start``), by settings key.
_started: dict[str, Dossier] = {}


def start() -> Dossier:
    """Build the process's Dossier now and load what answering needs in the background: the
    app's launcher (``ui.serve``) calls it before the server takes its first request."""
    key = settings_key()
    if key not in _started:
        settings = Settings()
        d = Dossier(settings, embedder=make_embedder(settings.index.embedder))
        threading.Thread(target=d.warm_up, daemon=True, name="dossier-warmup").start()
        _started[key] = d
    return _started[key]


def dossier() -> Dossier:
    """The process's Dossier for the settings now in the environment."""
    key = settings_key()
    return _started.get(key) or _dossier(key)


def sample_dir() -> Path:
    """The bundled sample corpus, or where ``DOSSIER_SAMPLE_DIR`` points."""
    env = os.environ.get("DOSSIER_SAMPLE_DIR")
    return Path(env) if env else Path(ui.__file__).resolve().parents[1] / "data" / "articles"


def uploads_dir(d: Dossier) -> Path:
    return Path(d.settings.data_dir).resolve() / "uploads"


def index_status(d: Dossier, stop: bool = True) -> dict[str, Any] | None:
    """``Dossier.status()``, or None when nothing is indexed yet. Any other error (an index built
    with other settings, an unreachable Chroma server) is shown; then the page stops, or with
    ``stop=False`` goes on with ``{"error": message}`` (the Library can still rebuild)."""
    try:
        return d.status()
    except IndexMissingError:
        return None
    except Exception as exc:
        show_error(exc)
        if stop:
            st.stop()
        return {"error": str(exc), "articles": 0, "chunks": 0, "files": []}


def settings_panel(d: Dossier) -> None:
    """Which settings are in force (secrets never shown)."""
    described = d.settings.describe()
    with st.sidebar.expander("Settings in force", icon=":material/tune:"):
        lines = [f"- **{md_escape(k)}**: {md_escape(str(v))}" for k, v in described.items()]
        st.markdown("\n".join(lines))
        st.caption("Set with DOSSIER_* environment variables, OPENAI_API_KEY and OPENAI_BASE_URL.")
