"""The pointer's log of recent writes links generations to the files they changed."""

from __future__ import annotations

from index import changes
from index.changes import changed_between, log_change


def test_a_chain_of_writes_names_their_files() -> None:
    log = log_change(None, 1, 2, ["a", "b"])
    log = log_change(log, 2, 5, ["c"])
    log = log_change(log, 5, 9, ["a"])
    assert changed_between(log, 9, 9) == set()
    assert changed_between(log, 5, 9) == {"a"}
    assert changed_between(log, 1, 9) == {"a", "b", "c"}
    assert changed_between(log, 3, 9) is None, "a generation the log does not know"
    assert changed_between(log, 0, 9) is None


def test_unknown_or_forgotten_writes_break_the_chain() -> None:
    log = log_change(None, 1, 2, ["a"])
    log = log_change(log, 2, 3, None)  # e.g. a repair: which files is not said
    log = log_change(log, 3, 4, ["b"])
    assert changed_between(log, 1, 4) is None
    assert changed_between(log, 3, 4) == {"b"}
    big = log_change(None, 1, 2, [f"f{i}" for i in range(changes.MAX_FILES + 1)])
    assert changed_between(big, 1, 2) is None
    long = None
    for g in range(changes.KEEP + 5):
        long = log_change(long, g, g + 1, [f"f{g}"])
    assert changed_between(long, 0, changes.KEEP + 5) is None, "the oldest writes are dropped"
    assert changed_between(long, 10, changes.KEEP + 5) == {f"f{g}" for g in range(10, 37)}
    assert changed_between("not json", 1, 2) is None
