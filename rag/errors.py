"""The library's errors. Every message says what to do next; the CLI prints it on one line and
exits with ``exit_code``, the UI shows it with ``st.error``."""

from __future__ import annotations

from index.dates import BadDateError
from index.ingest import IngestBusyError, IngestPathError
from index.store import IndexError_, IndexMismatchError, IndexMissingError, StoreUnavailableError


class DossierError(Exception):
    exit_code = 2


class ConfigError(DossierError):
    """Settings that cannot work together (e.g. ``--generator llm`` with no model configured)."""


class UsageError(DossierError):
    """A command used in a way it cannot run: a missing argument, a bad file name or format."""


class GeneratorError(DossierError):
    """The language model could not be reached or answered unusably (after retries)."""

    exit_code = 3


# Errors raised by the index layer, and the exit code the CLI gives each.
INDEX_ERRORS: dict[type[Exception], int] = {
    IndexMissingError: 4,
    IndexMismatchError: 5,
    StoreUnavailableError: 6,
    IngestBusyError: 7,
    IngestPathError: 2,
    BadDateError: 2,
    IndexError_: 2,
}


def exit_code_for(exc: BaseException) -> int | None:
    """The CLI exit code for an expected error, or None for a bug."""
    if isinstance(exc, DossierError):
        return exc.exit_code
    for cls, code in INDEX_ERRORS.items():
        if isinstance(exc, cls):
            return code
    return None
