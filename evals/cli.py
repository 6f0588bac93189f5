"""`dossier eval` — registered through the ``dossier.commands`` entry point."""

from __future__ import annotations

from typing import Any


def register(sub: Any) -> None:
    return None
