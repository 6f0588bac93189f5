"""The offline answerer's refusal floor is a setting (``DOSSIER_ANSWER__REFUSE_BELOW``)."""

from __future__ import annotations

import pytest

from rag.answer.extractive import ExtractiveGenerator
from rag.config import AnswerSettings, Settings
from rag.service import Dossier

QUESTION = "When did Putin visit Pyongyang?"


def test_the_floor_defaults_to_the_calibrated_value_and_reads_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert Settings().answer.refuse_below == 0.40
    monkeypatch.setenv("DOSSIER_ANSWER__REFUSE_BELOW", "0.55")
    assert Settings().answer.refuse_below == 0.55
    monkeypatch.setenv("DOSSIER_ANSWER__REFUSE_BELOW", "-1")
    with pytest.raises(ValueError):
        Settings()


@pytest.mark.slow
def test_a_higher_floor_refuses_what_the_default_answers(minilm_dossier: Dossier) -> None:
    assert not minilm_dossier.ask(QUESTION, generator="extractive").refused
    strict = Dossier(
        Settings(
            data_dir=minilm_dossier.settings.data_dir, answer=AnswerSettings(refuse_below=1.9)
        ),
        embedder=minilm_dossier.embedder,
    )
    generator = strict.pipeline("extractive").generator
    assert isinstance(generator, ExtractiveGenerator) and generator.refuse_below == 1.9
    assert strict.ask(QUESTION, generator="extractive").refused
