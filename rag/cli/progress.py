"""The one progress bar of the command line: ingest, brief and eval show it on stderr."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any


def progress_bar(desc: str) -> tuple[Callable[[int, int, str], None], Callable[[], None]]:
    """A tqdm bar on stderr (plain lines when stderr is not a terminal)."""
    from tqdm import tqdm

    bar: dict[str, Any] = {}

    def update(done: int, total: int, current: str) -> None:
        if "bar" not in bar:
            bar["bar"] = tqdm(
                total=total,
                desc=desc,
                unit="file",
                file=sys.stderr,
                dynamic_ncols=True,
                mininterval=0.2,
            )
        b = bar["bar"]
        b.total = total
        b.n = done
        b.set_postfix_str(current[-40:], refresh=False)
        b.refresh()

    def close() -> None:
        if "bar" in bar:
            bar["bar"].close()

    return update, close
