"""The LLM generator: any OpenAI-compatible chat endpoint (OpenAI, Ollama, vLLM, llama.cpp).

``OpenAIGenerator.complete`` is the one place that calls the API; every failure there becomes a
``GeneratorError`` whose message says what happened and what to do. The model's text is parsed
into a ``Draft``: one claim per sentence, citation markers ([1], [1, 2], [1][3], 【1】) turned into
passage numbers, ids that name no passage kept in ``Draft.invalid_citations`` (never attached,
never dropped), and the refusal sentence recognised.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx
import openai

from index.chunk import sentence_spans
from rag.config import LLMSettings
from rag.errors import ConfigError, GeneratorError
from rag.answer.drafts import REFUSAL_TEXT, Draft, DraftCitation, DraftClaim, OnText
from rag.llm.prompts import Message, answer_messages, judge_messages, rewrite_messages
from rag.records import Passage

log = logging.getLogger(__name__)

PLACEHOLDER_API_KEY = "not-needed"
"""Sent when only a base URL is configured: local servers (Ollama, vLLM, llama.cpp) ignore it."""

# --- parsing the model's answer ---------------------------------------------------------------

# A bracketed group; whether it is a citation is decided by its content (see _citation_items).
_MARKER = r"(?:\[[^\[\]\n]{1,40}\]|【[^【】\n]{1,40}】)"
_MARKER_RE = re.compile(_MARKER)
_MARKER_RUN_RE = re.compile(rf"{_MARKER}(?:\s*{_MARKER})*")
# Sentence-final punctuation (with closing quotes/brackets) followed by a run of markers.
_TRAILING_RUN_RE = re.compile(rf"([.!?…]+[\"'”’)]*)\s*({_MARKER}(?:\s*{_MARKER})*)")
_ITEM_SPLIT_RE = re.compile(r"\s*(?:[,;]|\band\b)\s*")
_ITEM_RE = re.compile(
    r"^(?:(?:source|sources|passage|passages|doc|document|ref|id|p)\.?\s*#?\s*)?\^?\d+"
    r"(?:\s*[-–]\s*\d+)?$|^[A-Za-z]$",
    re.IGNORECASE,
)
_RANGE_RE = re.compile(r"^(\d+)\s*[-–]\s*(\d+)$")
_THINK_RE = re.compile(r"<think>.*?(?:</think>|$)", re.DOTALL | re.IGNORECASE)
_BULLET_RE = re.compile(r"^[ \t]*(?:[-*•]|\d{1,2}[.)])[ \t]+", re.MULTILINE)
_SPACE_BEFORE_PUNCT_RE = re.compile(r"\s+([.,;:!?…])")
_MAX_RANGE = 10


def _citation_items(marker: str) -> list[str] | None:
    """The ids written inside one bracketed marker, or None when it is not a citation (such as
    "[sic]" or "[the deal]", which stay in the text)."""
    inner = marker[1:-1].strip()
    items = [s for s in _ITEM_SPLIT_RE.split(inner) if s]
    if not items or not all(_ITEM_RE.match(s) for s in items):
        return None
    return items


def _is_citation_run(run: str) -> bool:
    return all(_citation_items(m) is not None for m in _MARKER_RE.findall(run))


def _expand(item: str) -> list[str]:
    """ "3" → ["3"]; a small ascending range "1-3" → ["1", "2", "3"]; anything else as written."""
    m = _RANGE_RE.match(item)
    if m:
        lo, hi = int(m.group(1)), int(m.group(2))
        if lo <= hi and hi - lo < _MAX_RANGE:
            return [str(n) for n in range(lo, hi + 1)]
    return [item]


def _normalise_text(raw: str) -> str:
    """Drop reasoning blocks, Markdown emphasis and list bullets; move a marker run written after
    the full stop ("in July. [2]") before it, so that it belongs to its own sentence."""
    text = _THINK_RE.sub("", raw)
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
class _Sentence:
    text: str
    ids: list[str] = field(default_factory=list)


def _extract(sentence: str) -> _Sentence:
    ids: list[str] = []

    def take(m: re.Match[str]) -> str:
        items = _citation_items(m.group(0))
        if items is None:
            return m.group(0)
        for item in items:
            ids.extend(_expand(item))
        return " "

    return _Sentence(_tidy(_MARKER_RE.sub(take, sentence)), ids)


def _sentences(text: str) -> list[_Sentence]:
    """Sentences with their citation ids; a sentence that is only markers ("[2]") gives its ids
    to the sentence before it."""
    out: list[_Sentence] = []
    for start, end in sentence_spans(text):
        s = _extract(text[start:end])
        if not any(ch.isalnum() for ch in s.text):
            if out:
                out[-1].ids.extend(s.ids)
            elif s.ids:
                out.append(_Sentence("", s.ids))
            continue
        out.append(s)
    return out


def is_refusal(text: str) -> bool:
    """The refusal sentence, alone or first (any case, curly apostrophe, final stop optional)."""
    norm = " ".join(text.replace("’", "'").split()).lower()
    refusal = REFUSAL_TEXT.lower()
    return norm.startswith(refusal) or norm == refusal.rstrip(".")


def parse_draft(raw: str, n_passages: int) -> Draft:
    """The model's answer as a Draft; ids outside 1..n_passages go to ``invalid_citations``."""
    text = _normalise_text(raw)
    if not text:
        raise GeneratorError("The model returned an empty answer. Try again, or another model.")
    if is_refusal(text):
        return Draft(claims=[], refused=True, raw=raw)
    claims: list[DraftClaim] = []
    invalid: list[tuple[str, int]] = []
    for s in _sentences(text):
        index = len(claims)
        valid: list[int] = []
        for written in dict.fromkeys(s.ids):
            if written.isdigit() and 1 <= int(written) <= n_passages:
                if int(written) not in valid:
                    valid.append(int(written))
            else:
                invalid.append((written, index))
        claims.append(DraftClaim(s.text, tuple(DraftCitation(passage=n) for n in valid)))
    return Draft(claims=claims, invalid_citations=invalid, raw=raw)


# --- parsing the judge's verdicts -------------------------------------------------------------

_FENCE_RE = re.compile(r"^```[a-zA-Z]*\s*|\s*```$")


def _json_array(text: str) -> list[Any] | None:
    text = _FENCE_RE.sub("", _THINK_RE.sub("", text).strip())
    start, end = text.find("["), text.rfind("]")
    if start < 0 or end <= start:
        return None
    try:
        value = json.loads(text[start : end + 1])
    except json.JSONDecodeError:
        return None
    return value if isinstance(value, list) else None


def parse_verdicts(text: str, n: int) -> list[bool | None]:
    """``[{"i": 0, "supported": true}, ...]`` (or a bare list of n booleans) → one verdict per
    item; None for an item the reply does not judge usably."""
    verdicts: list[bool | None] = [None] * n
    array = _json_array(text)
    if array is None:
        return verdicts
    if len(array) == n and all(isinstance(v, bool) for v in array):
        return list(array)
    for entry in array:
        if not isinstance(entry, dict):
            continue
        i, supported = entry.get("i"), entry.get("supported")
        valid_index = isinstance(i, int) and not isinstance(i, bool) and 0 <= i < n
        if valid_index and isinstance(supported, bool):
            verdicts[i] = supported
    return verdicts


def _clean_rewrite(text: str, question: str) -> str:
    lines = [ln.strip() for ln in _THINK_RE.sub("", text).strip().splitlines() if ln.strip()]
    if not lines:
        return question
    line = re.sub(
        r"^(?:standalone question|rewritten question|question)\s*:\s*",
        "",
        lines[0],
        flags=re.IGNORECASE,
    )
    line = line.strip().strip("\"'“”‘’`").strip()
    if not line or len(line) > max(300, 4 * len(question)):
        return question
    return line


# --- the client -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Completion:
    text: str
    finish_reason: str | None


def _seconds(value: float) -> str:
    return f"{value:g}"


class OpenAIGenerator:
    """Drafts cited answers with a chat model at an OpenAI-compatible endpoint."""

    def __init__(self, settings: LLMSettings, client: openai.OpenAI | None = None) -> None:
        self.settings = settings
        self.name = settings.model
        self._client = client if client is not None else _make_client(settings)
        self._endpoint = str(self._client.base_url).rstrip("/")

    # --- the Generator protocol ---------------------------------------------------------------

    def draft(
        self,
        question: str,
        passages: Sequence[Passage],
        on_text: OnText | None = None,
        history: Sequence[tuple[str, str]] = (),
    ) -> Draft:
        """Ask the model; stream deltas to ``on_text`` when given. Raises GeneratorError."""
        if not passages:
            if on_text is not None:
                on_text(REFUSAL_TEXT)
            return Draft(claims=[], refused=True, raw=REFUSAL_TEXT)
        result = self._complete(answer_messages(question, passages, history), on_text)
        draft = parse_draft(result.text, len(passages))
        if result.finish_reason == "length":
            draft.warnings.append(
                "The model's answer was cut off at its length limit; the last sentence may be "
                "incomplete."
            )
        return draft

    # --- helpers for the answer pipeline -------------------------------------------------------

    def rewrite(self, question: str, history: Sequence[str | tuple[str, str]]) -> str:
        """The follow-up ``question`` as a standalone question; unchanged when there is no
        history or on any error."""
        if not history:
            return question
        try:
            return _clean_rewrite(self.complete(rewrite_messages(question, history)), question)
        except GeneratorError as exc:
            log.warning("question rewrite failed, using the question as asked: %s", exc)
            return question

    def judge(self, items: Sequence[tuple[str, str]]) -> list[bool | None]:
        """One verdict per (claim, cited passages text): True supported, False not, None where
        the judge could not be asked or its output is unusable. Never raises GeneratorError."""
        if not items:
            return []
        try:
            text = self.complete(judge_messages(items))
        except GeneratorError as exc:
            log.warning("support judge failed, falling back: %s", exc)
            return [None] * len(items)
        return parse_verdicts(text, len(items))

    def complete(
        self, messages: Sequence[Message], stream_cb: Callable[[str], None] | None = None
    ) -> str:
        """The model's reply text (non-empty). Streams deltas to ``stream_cb`` when given."""
        return self._complete(messages, stream_cb).text

    # --- the one place that calls the API ------------------------------------------------------

    def _complete(
        self, messages: Sequence[Message], stream_cb: Callable[[str], None] | None
    ) -> _Completion:
        try:
            if stream_cb is None:
                result = self._create(messages)
            else:
                result = self._stream(messages, stream_cb)
        except (openai.OpenAIError, httpx.HTTPError, json.JSONDecodeError) as exc:
            raise self._error(exc) from exc
        if not result.text.strip():
            raise GeneratorError(
                f"The model {self.name} at {self._endpoint} returned an empty answer. Try "
                "again, or check that the model name (DOSSIER_LLM__MODEL) is a chat model."
            )
        return result

    def _create(self, messages: Sequence[Message]) -> _Completion:
        resp = self._client.chat.completions.create(
            model=self.settings.model,
            messages=list(messages),  # type: ignore[arg-type]
            temperature=self.settings.temperature,
        )
        if not resp.choices:
            raise GeneratorError(
                f"The endpoint {self._endpoint} answered without any choices: it does not seem "
                "to speak OpenAI's chat-completions protocol (check DOSSIER_LLM__BASE_URL)."
            )
        choice = resp.choices[0]
        return _Completion(choice.message.content or "", choice.finish_reason)

    def _stream(self, messages: Sequence[Message], stream_cb: Callable[[str], None]) -> _Completion:
        stream = self._client.chat.completions.create(
            model=self.settings.model,
            messages=list(messages),  # type: ignore[arg-type]
            temperature=self.settings.temperature,
            stream=True,
        )
        parts: list[str] = []
        finish: str | None = None
        with stream:
            for chunk in stream:
                if not chunk.choices:
                    continue
                choice = chunk.choices[0]
                finish = choice.finish_reason or finish
                delta = choice.delta.content if choice.delta is not None else None
                if delta:
                    parts.append(delta)
                    stream_cb(delta)
        return _Completion("".join(parts), finish)

    def _error(self, exc: BaseException) -> GeneratorError:
        where = f"The model {self.name} at {self._endpoint}"
        retries = self.settings.max_retries
        tried = f" (tried {retries + 1} times)" if retries else ""
        if isinstance(exc, openai.APITimeoutError | httpx.TimeoutException):
            return GeneratorError(
                f"{where} timed out after {_seconds(self.settings.timeout_s)} s{tried}. "
                "Raise DOSSIER_LLM__TIMEOUT_S, or check the server is not overloaded."
            )
        if isinstance(exc, openai.RateLimitError):
            return GeneratorError(
                f"Rate-limited by {self._endpoint} after {retries} retries "
                f"({_api_message(exc)}). Wait a minute and try again, raise "
                "DOSSIER_LLM__MAX_RETRIES, or check your plan's limits."
            )
        if isinstance(exc, openai.AuthenticationError | openai.PermissionDeniedError):
            return GeneratorError(
                f"{where} refused the API key ({exc.status_code}: {_api_message(exc)}). Check "
                "OPENAI_API_KEY or DOSSIER_LLM__API_KEY."
            )
        if isinstance(exc, openai.NotFoundError):
            return GeneratorError(
                f"{where} was not found (404: {_api_message(exc)}). Check DOSSIER_LLM__MODEL "
                "and DOSSIER_LLM__BASE_URL (it usually ends in /v1)."
            )
        if isinstance(exc, openai.APIStatusError):
            return GeneratorError(
                f"{where} answered with an error ({exc.status_code}: {_api_message(exc)})"
                f"{tried}. Try again later, or try another model."
            )
        if isinstance(exc, openai.APIConnectionError | httpx.HTTPError):
            return GeneratorError(
                f"Could not reach the model at {self._endpoint}{tried}. Is the server running? "
                "Check DOSSIER_LLM__BASE_URL / OPENAI_BASE_URL."
            )
        if isinstance(exc, json.JSONDecodeError | openai.APIResponseValidationError):
            return GeneratorError(
                f"{where} sent a malformed response ({type(exc).__name__}: {exc}). Check that "
                "DOSSIER_LLM__BASE_URL points at an OpenAI-compatible /v1 endpoint."
            )
        return GeneratorError(f"{where} failed: {type(exc).__name__}: {exc}")


def _api_message(exc: openai.APIError) -> str:
    body = exc.body
    if isinstance(body, dict) and isinstance(body.get("message"), str):
        return str(body["message"])
    return exc.message


def _make_client(settings: LLMSettings) -> openai.OpenAI:
    if settings.api_key is not None:
        api_key = settings.api_key.get_secret_value()
    elif settings.base_url is not None:
        api_key = PLACEHOLDER_API_KEY
    else:
        raise ConfigError(
            "No language model configured: set OPENAI_API_KEY (or DOSSIER_LLM__API_KEY) for "
            "OpenAI, or DOSSIER_LLM__BASE_URL for a local server such as Ollama."
        )
    return openai.OpenAI(
        api_key=api_key,
        base_url=settings.base_url,
        timeout=settings.timeout_s,
        max_retries=settings.max_retries,
    )
