"""Who "he" is: the referent of a quoted sentence's pronoun subject, shown as journalists do.

A sentence quoted on its own loses the sentence before it, so "He also confirmed the visit" no
longer says who confirmed it. When a quoted sentence opens with a personal pronoun that is its
subject ("He", "She"), the person it stands for is the nearest person named before it in the
article — in the closest earlier sentence that names one, its subject first — and the quote reads
"[Peskov] also confirmed the visit": the name in square brackets, the cited span the sentence
without its pronoun, still the article's exact text.
"""

from __future__ import annotations

from dataclasses import dataclass

from index.chunk import sentence_spans
from rag.answer.nlp import parse, parse_many

_PRONOUNS = frozenset({"he", "she"})
_SUBJECTS = frozenset({"nsubj", "nsubjpass"})
_LOOK_BACK = 4  # sentences before the quoted one that are searched for the referent


@dataclass(frozen=True)
class Referent:
    name: str  # the person the pronoun stands for ("Dmitry Peskov")
    skip: int  # characters of the sentence the pronoun and the space after it take


def pronoun_subject(sentence: str) -> int:
    """Characters taken by the sentence's opening pronoun subject and the spaces after it; 0 when
    it does not open with one."""
    doc = parse(sentence)
    first = next((t for t in doc if not t.is_space), None)
    if first is None or first.lower_ not in _PRONOUNS or first.dep_ not in _SUBJECTS:
        return 0
    end = first.idx + len(first.text)
    while end < len(sentence) and sentence[end] == " ":
        end += 1
    return end if end < len(sentence) else 0


def nearest_person(before: str) -> str | None:
    """The person named closest before the end of ``before``: in the last sentence that names
    one, its subject (or the head of a phrase the subject is in) first, else the first named."""
    spans = sentence_spans(before)[-_LOOK_BACK:]
    docs = parse_many([before[s:e] for s, e in spans])
    for doc in reversed(docs):
        people = [e for e in doc.ents if e.label_ == "PERSON"]
        if not people:
            continue
        subject = next((e for e in people if e.root.dep_ in _SUBJECTS), None)
        if subject is None:  # "spokesperson Dmitry Peskov said": the name in apposition
            subject = next((e for e in people if e.root.head.dep_ in _SUBJECTS), None)
        chosen = subject or people[0]
        name = chosen.text.strip()
        return name[:-2] if name.endswith(("'s", "’s")) else name
    return None


def referent(sentence: str, before: str) -> Referent | None:
    """The referent of ``sentence``'s opening pronoun subject, found in the article text
    ``before`` it; None when the sentence does not open with one or no person is named."""
    skip = pronoun_subject(sentence)
    if not skip:
        return None
    name = nearest_person(before)
    return Referent(name, skip) if name else None
