"""Reading a model's reply: the one place that cleans model output and parses model JSON.

- ``clean_reply``: drop reasoning blocks (``<think>…</think>``, also one left open) and a
  surrounding Markdown code fence.
- ``parse_json(raw, shape)``: the JSON value in a reply, validated with pydantic against
  ``shape`` (a model class or any type pydantic can validate); a reply without one is a
  ``GeneratorError``, so the caller falls back as for any other model failure.
- ``cited_sentences``: a prose answer as sentences, each with the citation ids written in it
  ("[1]", "[1, 3]", "[1-3]", "【2】", "[source 3]"), for ``rag.llm.citations`` to resolve.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import TypeAdapter, ValidationError

from index.chunk import sentence_spans
from rag.errors import GeneratorError

T = TypeVar("T")

_THINK_RE = re.compile(r"<think>.*?(?:</think>|$)", re.DOTALL | re.IGNORECASE)
_FENCE_RE = re.compile(r"^```[a-zA-Z]*[ \t]*\n?|\n?[ \t]*```$")


def clean_reply(raw: str) -> str:
    """``raw`` without reasoning blocks and without a code fence around the whole of it."""
    text = _THINK_RE.sub("", raw).strip()
    return _FENCE_RE.sub("", text).strip()


# --- JSON ---------------------------------------------------------------------------------------


def _candidates(text: str) -> list[str]:
    """The whole text, then the widest ``{…}`` and ``[…]`` spans in it."""
    out = [text]
    for open_, close in ("{}", "[]"):
        start, end = text.find(open_), text.rfind(close)
        if 0 <= start < end:
            out.append(text[start : end + 1])
    return out


def parse_json(raw: str, shape: type[T], what: str = "reply") -> T:
    """The JSON in ``raw`` (after ``clean_reply``) as ``shape``. Raises GeneratorError when
    there is no JSON value of that shape in it; ``what`` names the reply in the message."""
    text = clean_reply(raw)
    adapter: TypeAdapter[T] = TypeAdapter(shape)
    problem = "no JSON in it"
    for candidate in _candidates(text):
        try:
            value = json.loads(candidate)
        except json.JSONDecodeError:
            continue
        try:
            return adapter.validate_python(value)
        except ValidationError as exc:
            problem = f"JSON of another shape: {exc.error_count()} error(s)"
    raise GeneratorError(f"The model's {what} was not the JSON asked for ({problem}).")


def json_list(raw: str) -> list[Any] | None:
    """The JSON array in ``raw``, or None."""
    try:
        return parse_json(raw, list[Any])
    except GeneratorError:
        return None


# --- prose with citation markers ------------------------------------------------------------------

# A bracketed group; whether it is a citation is decided by its content (see marker_ids).
_MARKER = r"(?:\[[^\[\]\n]{1,40}\]|【[^【】\n]{1,40}】)"
_MARKER_RE = re.compile(_MARKER)
# Sentence-final punctuation (with closing quotes/brackets) followed by a run of markers.
_TRAILING_RUN_RE = re.compile(rf"([.!?…]+[\"'”’)]*)\s*({_MARKER}(?:\s*{_MARKER})*)")
_ITEM_SPLIT_RE = re.compile(r"\s*(?:[,;]|\band\b)\s*")
_ITEM_RE = re.compile(
    r"^(?:(?:source|sources|passage|passages|doc|document|ref|id|p)\.?\s*#?\s*)?\^?\d+"
    r"(?:\s*[-–]\s*\d+)?$|^[A-Za-z]$",
    re.IGNORECASE,
)
_BULLET_RE = re.compile(r"^[ \t]*(?:[-*•]|\d{1,2}[.)])[ \t]+", re.MULTILINE)
_SPACE_BEFORE_PUNCT_RE = re.compile(r"\s+([.,;:!?…])")


def marker_ids(marker: str) -> list[str] | None:
    """The ids written inside one bracketed marker ("[1, 3]" → ["1", "3"]), or None when it is
    not a citation (such as "[sic]" or "[the deal]", which stay in the text)."""
    inner = marker[1:-1].strip()
    items = [s for s in _ITEM_SPLIT_RE.split(inner) if s]
    if not items or not all(_ITEM_RE.match(s) for s in items):
        return None
    return items


def _is_citation_run(run: str) -> bool:
    return all(marker_ids(m) is not None for m in _MARKER_RE.findall(run))


def clean_prose(raw: str) -> str:
    """``clean_reply``, then no Markdown emphasis or list bullets, and a marker run written after
    the full stop ("in July. [2]") moved before it, so that it belongs to its own sentence."""
    text = clean_reply(raw)
    text = text.replace("**", "").replace("__", "")
    text = _BULLET_RE.sub("", text)

    def move(m: re.Match[str]) -> str:
        punct, run = m.group(1), m.group(2)
        return f" {run}{punct}" if _is_citation_run(run) else m.group(0)

    return _TRAILING_RUN_RE.sub(move, text).strip()


def _tidy(text: str) -> str:
    text = " ".join(text.split())
    return _SPACE_BEFORE_PUNCT_RE.sub(r"\1", text).strip()


@dataclass
class CitedSentence:
    """A sentence without its markers, and the ids its markers named, as written."""

    text: str
    ids: list[str] = field(default_factory=list)


def _extract(sentence: str) -> CitedSentence:
    ids: list[str] = []

    def take(m: re.Match[str]) -> str:
        items = marker_ids(m.group(0))
        if items is None:
            return m.group(0)
        ids.extend(items)
        return " "

    return CitedSentence(_tidy(_MARKER_RE.sub(take, sentence)), ids)


def cited_sentences(text: str) -> list[CitedSentence]:
    """Sentences of ``text`` (already ``clean_prose``d) with their citation ids; a sentence that
    is only markers ("[2]") gives its ids to the sentence before it."""
    out: list[CitedSentence] = []
    for start, end in sentence_spans(text):
        s = _extract(text[start:end])
        if not any(ch.isalnum() for ch in s.text):
            if out:
                out[-1].ids.extend(s.ids)
            elif s.ids:
                out.append(CitedSentence("", s.ids))
            continue
        out.append(s)
    return out


def first_line(raw: str) -> str:
    """The first non-blank line of the cleaned reply, or ""."""
    lines = [ln.strip() for ln in clean_reply(raw).splitlines() if ln.strip()]
    return lines[0] if lines else ""
