"""Gold question sets: one JSON object a line (fields in ``evals/data/README.md``)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class GoldQuestion:
    """One question of a gold set (see ``evals/data/README.md`` for the fields)."""

    id: str
    question: str
    type: str
    gold_files: tuple[str, ...] = ()
    gold_passages: tuple[str, ...] = ()
    answers: tuple[str, ...] = ()
    answers_any: bool = False
    wanted: str | None = None
    note: str | None = None
    near_files: tuple[str, ...] = ()  # an unanswerable near miss: the article it is about
    short_answers: tuple[str, ...] = ()  # the short answer(s) a correct short answer holds
    choices: tuple[str, ...] = ()  # multiple choice (RealTime QA): every choice's text
    correct_choices: tuple[int, ...] = ()  # the indices of the right ones
    asked_on: str | None = None  # ISO date the question was asked (RealTime QA's question_date)

    @property
    def should_refuse(self) -> bool:
        return self.type == "unanswerable"


def load_gold(path: Path, limit: int | None = None) -> list[GoldQuestion]:
    """Read a gold JSONL file (one question object a line)."""
    out: list[GoldQuestion] = []
    with Path(path).open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                q = json.loads(line)
                out.append(
                    GoldQuestion(
                        id=str(q["id"]),
                        question=str(q["question"]),
                        type=str(q["type"]),
                        gold_files=tuple(q.get("gold_files") or ()),
                        gold_passages=tuple(q.get("gold_passages") or ()),
                        answers=tuple(q.get("answers") or ()),
                        answers_any=bool(q.get("answers_any", False)),
                        wanted=q.get("wanted"),
                        note=q.get("note"),
                        near_files=tuple(q.get("near_files") or ()),
                        short_answers=tuple(q.get("short_answers") or ()),
                        choices=tuple(q.get("choices") or ()),
                        correct_choices=tuple(q.get("correct_choices") or ()),
                        asked_on=q.get("asked_on"),
                    )
                )
            except (KeyError, TypeError, ValueError) as exc:
                raise ValueError(f"{path}:{n}: not a gold question ({exc})") from exc
            if limit is not None and len(out) >= limit:
                break
    return out
