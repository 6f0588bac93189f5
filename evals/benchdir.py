"""Where the benchmark data live: ``shared/bench/`` beside the checkout, or ``$DOSSIER_BENCH_DIR``.

The data are research corpora under their publishers' copyright and are never copied into the
project; every eval and benchmark that reads them finds them here and skips with
:class:`BenchMissing` (whose message says where it looked) when they are absent.
"""

from __future__ import annotations

import os
from pathlib import Path

BENCH_ENV = "DOSSIER_BENCH_DIR"


class BenchMissing(Exception):
    """The benchmark data is not on this machine; ``str(exc)`` says where it was looked for."""


def locate(
    subdir: str, files: tuple[str, ...], label: str, start: Path | None, stop: Path | None
) -> Path:
    """The folder ``<bench>/<subdir>`` that holds every one of ``files``, or raise BenchMissing.

    ``DOSSIER_BENCH_DIR`` wins when set, and is then the only place looked at: it may name the
    bench folder, the data folder itself, or a sibling data folder. Otherwise
    ``shared/bench/<subdir>`` is looked for beside each ancestor of ``start`` (default: this
    repository), nearest first, up to and including ``stop`` (default: the filesystem root).
    """

    def complete(folder: Path) -> bool:
        return all((folder / name).is_file() for name in files)

    env = os.environ.get(BENCH_ENV)
    if env:
        base = Path(env).expanduser()
        for folder in (base / subdir, base, base.parent / subdir):
            if complete(folder):
                return folder
        raise BenchMissing(
            f"{label} data not found: {BENCH_ENV}={env} holds no "
            f"{' and '.join(f'{subdir}/{name}' for name in files)}. Skipping the {subdir} eval."
        )
    origin = (start or Path(__file__).resolve().parents[1]).resolve()
    last = stop.resolve() if stop is not None else None
    for ancestor in (origin, *origin.parents):
        folder = ancestor / "shared" / "bench" / subdir
        if complete(folder):
            return folder
        if ancestor == last:
            break
    raise BenchMissing(
        f"{label} data not found (looked for shared/bench/{subdir} above {origin}; set "
        f"{BENCH_ENV} to the bench folder). Skipping the {subdir} eval."
    )


__all__ = ["BENCH_ENV", "BenchMissing", "locate"]
