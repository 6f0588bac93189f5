"""Finding 6: a long-running process (the Streamlit app holds one Dossier) notices another
process's ingest or rebuild — two processes: this one, and the CLI in a child."""

from __future__ import annotations

from pathlib import Path

from index.embed import FakeEmbedder
from rag.service import Dossier
from tests.conftest import make_settings
from tests.reliability.helpers import cli, write_corpus


def test_the_app_sees_another_process_ingest_and_rebuild(tmp_path: Path) -> None:
    corpus, other, data = tmp_path / "corpus", tmp_path / "other", tmp_path / "d"
    write_corpus(corpus, 6)
    app = Dossier(make_settings(data), embedder=FakeEmbedder())
    app.ingest(corpus)
    warm = app.search("officials met", k=50, mode="vector")  # the vector index is loaded
    assert len({p.file for p in warm}) == 6

    (corpus / "new.txt").write_text(
        "Glaciers retreat in Patagonia\n\n"
        + "Scientists measured the Perito Moreno glacier retreating by forty metres. " * 4
    )
    proc = cli("ingest", str(corpus), "--quiet", data=data)
    assert proc.returncode == 0, proc.stderr[-2000:]
    files = {p.file for p in app.search("Perito Moreno glacier", k=50, mode="vector")}
    assert "new.txt" in files, "vector search sees the chunks another process wrote"
    assert app.status()["articles"] == 7

    write_corpus(other, 3, topic="harvest", start=100)
    proc = cli("ingest", str(other), "--rebuild", "--quiet", data=data)
    assert proc.returncode == 0, proc.stderr[-2000:]
    hits = app.search("harvest", k=50)  # no "Collection … does not exist"
    assert {p.file for p in hits} == {"a0100.txt", "a0101.txt", "a0102.txt"}
    assert {p.file for p in app.search("harvest", k=50, mode="vector")} == {
        "a0100.txt",
        "a0101.txt",
        "a0102.txt",
    }
    assert app.status()["articles"] == 3
    answer = app.ask("What did the report on the harvest say?")
    assert {c.file for c in answer.citations} <= {"a0100.txt", "a0101.txt", "a0102.txt"}
