"""The one judge step, shared by answers and briefings: the model may lower a verdict, never
raise one.

A claim (an answer's sentence, a briefing's item) is verified only when the offline evidence
check passes: its numbers and dates are found in the cited text and its support score reaches the
threshold (``verified``). With a model configured, the claims that passed are then put to the
model's yes/no judge (``LLMJudge``); a "no" flags the claim (``supported`` false, score at most
``LOWERED_SCORE``), a "yes" changes nothing. A claim the offline check rejected is not even asked
about: however sure the model sounds, "Putin will visit Antarctica in 2030 with 5,000 penguins
[1]" stays unsupported when passage 1 says nothing of the kind. A judge that fails or answers
unusably leaves the offline verdicts as they are.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Protocol

from pydantic import BaseModel, ConfigDict, StrictBool, StrictInt, ValidationError

from rag.errors import GeneratorError
from rag.llm.chat import ChatModel
from rag.llm.parse import json_list
from rag.llm.prompts import judge_messages

log = logging.getLogger(__name__)

Judge = Callable[[Sequence[tuple[str, str]]], list[bool | None]]
"""(claim, the text it cites) per item → True supported, False not, None unjudged."""

LOWERED_SCORE = 0.3
"""The most a claim the judge rejected may score."""


class Evidence(Protocol):
    """What the offline check found (``rag.answer.verify.Support``)."""

    @property
    def score(self) -> float: ...

    @property
    def figures_ok(self) -> bool: ...


def verified(evidence: Evidence, min_support: float) -> bool:
    """The offline verdict: every figure of the claim found in the cited text, and the support
    score at least ``min_support``."""
    return evidence.figures_ok and evidence.score >= min_support


@dataclass(frozen=True)
class Check:
    """One claim to judge: its text, the text of what it cites, and the offline verdict."""

    claim: str
    evidence: str
    supported: bool
    score: float


def judge_checks(checks: Sequence[Check], judge: Judge | None) -> list[Check]:
    """``checks`` after the judge: those the offline check verified are put to ``judge``; a
    "no" lowers one, anything else leaves it. Without a judge, or when it fails, unchanged."""
    out = list(checks)
    asked = [i for i, c in enumerate(out) if c.supported and c.evidence.strip()]
    if judge is None or not asked:
        return out
    try:
        verdicts = judge([(out[i].claim, out[i].evidence) for i in asked])
    except GeneratorError as exc:
        log.warning("support judge failed, keeping the offline verdicts: %s", exc)
        return out
    for i, verdict in zip(asked, verdicts, strict=False):
        if verdict is False:
            out[i] = replace(out[i], supported=False, score=min(out[i].score, LOWERED_SCORE))
    return out


class _Verdict(BaseModel):
    model_config = ConfigDict(extra="ignore")
    i: StrictInt
    supported: StrictBool


def parse_verdicts(text: str, n: int) -> list[bool | None]:
    """``[{"i": 0, "supported": true}, ...]`` (or a bare list of ``n`` booleans) → one verdict
    per item; None for an item the reply does not judge usably."""
    verdicts: list[bool | None] = [None] * n
    array = json_list(text)
    if array is None:
        return verdicts
    if len(array) == n and all(isinstance(v, bool) for v in array):
        return list(array)
    for entry in array:
        try:
            v = _Verdict.model_validate(entry)
        except ValidationError:
            continue
        if 0 <= v.i < n:
            verdicts[v.i] = v.supported
    return verdicts


class LLMJudge:
    """The model as a yes/no support judge (a ``Judge``); never raises GeneratorError."""

    def __init__(self, chat: ChatModel) -> None:
        self.chat = chat

    def __call__(self, items: Sequence[tuple[str, str]]) -> list[bool | None]:
        if not items:
            return []
        try:
            text = self.chat.complete(judge_messages(items))
        except GeneratorError as exc:
            log.warning("support judge failed, keeping the offline verdicts: %s", exc)
            return [None] * len(items)
        return parse_verdicts(text, len(items))
