"""Finding 12: the CLI's edges — `-k`, blank and null questions, `--queries` files that are
folders, special or malformed (validated in full before anything is answered), a closed pipe,
`ingest /dev/null` — and uploads whose content is not what their name says."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from index.embed import FakeEmbedder
from rag.cli import main
from rag.service import Dossier
from tests.conftest import make_settings
from tests.reliability.helpers import REPO, cli, cli_env, write_corpus
from ui.uploads import UploadRejected, save_upload


@pytest.fixture
def indexed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    data = tmp_path / "d"
    write_corpus(tmp_path / "corpus", 8)
    Dossier(make_settings(data), embedder=FakeEmbedder()).ingest(tmp_path / "corpus")
    monkeypatch.setenv("DOSSIER_DATA_DIR", str(data))
    monkeypatch.setenv("DOSSIER_INDEX__EMBEDDER", "fake")
    return data


def _exit(argv: list[str]) -> int:
    try:
        return main(argv)
    except SystemExit as stop:  # argparse's usage errors
        return int(stop.code or 0)


@pytest.mark.parametrize("k", ["0", "-5", "101", "ten"])
def test_k_is_validated(indexed: Path, k: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert _exit(["search", "officials", "-k", k, "--json"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and "-k" in err


def test_k_is_honoured(indexed: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _exit(["search", "officials met", "-k", "1", "--json"]) == 0
    assert len(json.loads(capsys.readouterr().out)["results"]) == 1


@pytest.mark.parametrize("question", ["", "   ", "\n\t"])
def test_blank_questions_exit_2(
    indexed: Path, question: str, capsys: pytest.CaptureFixture[str]
) -> None:
    for verb in ("ask", "search"):
        assert _exit([verb, question, "--json"]) == 2
        out, err = capsys.readouterr()
        assert out == "" and "non-empty" in err


@pytest.mark.parametrize(
    ("lines", "problem"),
    [
        (['{"id": 1, "question": "Where did officials meet?"}', '{"id": 2, "question": null}'],
         "line 2"),
        (['{"id": 1, "question": "Where?"}', "not json"], "line 2 is not JSON"),
        (['{"id": 1, "question": "Where?"}', '{"id": 2, "question": "  "}'], "line 2"),
        (['{"id": 1, "question": 7}'], "line 1"),
        (['["a list"]'], "line 1"),
    ],
)  # fmt: skip
def test_a_bad_queries_line_stops_the_batch_before_any_answer(
    indexed: Path, tmp_path: Path, lines: list[str], problem: str,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    q = tmp_path / "q.jsonl"
    q.write_text("\n".join(lines) + "\n")
    for verb in ("ask", "search"):
        assert _exit([verb, "--queries", str(q)]) == 2
        out, err = capsys.readouterr()
        assert out == "", "nothing is answered before the whole file is valid"
        assert problem in err and "Traceback" not in err


def test_queries_that_are_folders_or_special_files(
    indexed: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for path, says in ((tmp_path, "is a folder"), (Path("/dev/zero"), "not a regular file"),
                       (tmp_path / "missing.jsonl", "No such file")):  # fmt: skip
        assert _exit(["ask", "--queries", str(path)]) == 2
        assert says in capsys.readouterr().err


def test_ingest_of_a_special_file_says_what_it_is(
    indexed: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _exit(["ingest", "/dev/null", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "character device" in err and "No such file" not in err


def test_a_closed_pipe_ends_quietly(indexed: Path, tmp_path: Path) -> None:
    q = tmp_path / "q.jsonl"
    q.write_text("".join(json.dumps({"id": i, "question": "officials met"}) + "\n"
                         for i in range(300)))  # fmt: skip
    proc = subprocess.Popen(
        [sys.executable, "-m", "rag.cli", "search", "--queries", str(q), "-k", "50"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=cli_env(indexed),
        cwd=REPO,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.readline()  # `| head -1`: read one line, then go away
    proc.stdout.close()
    err = proc.stderr.read().decode()
    proc.wait(timeout=120)
    assert "Traceback" not in err and "BrokenPipe" not in err, err[-2000:]
    assert proc.returncode == 141


def test_cli_ingest_of_dev_null_in_a_child(tmp_path: Path) -> None:
    proc = cli("ingest", "/dev/null", data=tmp_path / "d")
    assert proc.returncode == 2 and "not a folder or file of articles" in proc.stderr


@pytest.mark.parametrize(
    ("name", "data", "says"),
    [
        ("setup.txt", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" * 50, "Windows program"),
        ("photo.html", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 20, "PNG image"),
        ("report.pdf", b"Just some text, not a PDF at all.", "not a PDF"),
        ("notes.md", b"\x00\x01\x02\x03binary" * 40, "binary"),
    ],
)
def test_an_upload_that_is_not_what_its_name_says_is_not_saved(
    tmp_path: Path, name: str, data: bytes, says: str
) -> None:
    folder = tmp_path / "uploads"
    with pytest.raises(UploadRejected, match=says):
        save_upload(folder, name, data)
    assert not folder.exists() or not any(folder.iterdir())
    assert save_upload(folder, "fine.txt", b"A short article.").name == "fine.txt"
