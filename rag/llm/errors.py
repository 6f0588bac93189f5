"""What can go wrong at the model's endpoint, said as a ``GeneratorError`` that names the fix.

Every failure of a call ends here: the SDK's and httpx's exceptions, a body that is not an OpenAI
chat completion (an HTML page with status 200, plain text, nothing, JSON of another shape), an
empty answer, a call past its deadline. The answer pipeline and the briefing catch
``GeneratorError`` alone and fall back offline; anything else is a bug and surfaces as one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import httpx
import openai

from rag.errors import GeneratorError

TRANSPORT_ERRORS: tuple[type[BaseException], ...] = (
    openai.OpenAIError,
    httpx.HTTPError,
    json.JSONDecodeError,
)
"""What the SDK and httpx raise for a failed request; ``describe`` maps each."""

_RETRY_STATUSES = frozenset({408, 409, 429})
_MAX_RETRY_AFTER_S = 60.0


def _seconds(value: float) -> str:
    return f"{value:g}"


def _api_message(exc: openai.APIError) -> str:
    body = exc.body
    if isinstance(body, dict) and isinstance(body.get("message"), str):
        return str(body["message"])
    return exc.message


def retryable(exc: BaseException) -> bool:
    """Worth another attempt: timeouts, lost connections, 408/409/429 and 5xx."""
    if isinstance(exc, openai.APIStatusError):
        return exc.status_code in _RETRY_STATUSES or exc.status_code >= 500
    return isinstance(
        exc, openai.APIConnectionError | httpx.TimeoutException | httpx.TransportError
    )


def retry_after(exc: BaseException, attempt: int) -> float:
    """Seconds to wait before attempt ``attempt + 1``: the server's ``Retry-After`` when it
    sends one, else 0.5 s doubling (at most 8 s)."""
    if isinstance(exc, openai.APIStatusError):
        value = exc.response.headers.get("retry-after")
        try:
            if value is not None:
                return min(max(0.0, float(value)), _MAX_RETRY_AFTER_S)
        except ValueError:
            pass
    return float(min(0.5 * 2**attempt, 8.0))


@dataclass(frozen=True)
class Endpoint:
    """Who was called, for the messages."""

    model: str
    url: str

    @property
    def where(self) -> str:
        return f"The model {self.model} at {self.url}"

    def malformed(self, what: str) -> GeneratorError:
        """The one error for every body that is not an OpenAI chat completion."""
        return GeneratorError(
            f"{self.where} sent a malformed response ({what}), not an OpenAI chat completion. "
            "Check that DOSSIER_LLM__BASE_URL points at an OpenAI-compatible /v1 endpoint "
            "(chat-completions protocol)."
        )

    def empty(self) -> GeneratorError:
        return GeneratorError(
            f"{self.where} returned an empty answer. Try again, or check that the model name "
            "(DOSSIER_LLM__MODEL) is a chat model."
        )

    def late(self, seconds: float) -> GeneratorError:
        return GeneratorError(
            f"{self.where} timed out: no complete answer within the {_seconds(seconds)} s "
            "deadline, retries and streaming included. Raise DOSSIER_LLM__DEADLINE_S, or check "
            "the server is not overloaded."
        )

    def describe(self, exc: BaseException, attempts: int, timeout_s: float) -> GeneratorError:
        """``exc``, raised by attempt number ``attempts`` (1-based), as a GeneratorError."""
        where = self.where
        tried = f" (tried {attempts} times)" if attempts > 1 else ""
        if isinstance(exc, openai.APITimeoutError | httpx.TimeoutException):
            return GeneratorError(
                f"{where} timed out after {_seconds(timeout_s)} s{tried}. "
                "Raise DOSSIER_LLM__TIMEOUT_S, or check the server is not overloaded."
            )
        if isinstance(exc, openai.RateLimitError):
            return GeneratorError(
                f"Rate-limited by {self.url} after {attempts - 1} retries "
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
                f"Could not reach the model at {self.url}{tried}. Is the server running? "
                "Check DOSSIER_LLM__BASE_URL / OPENAI_BASE_URL."
            )
        if isinstance(exc, json.JSONDecodeError):
            return self.malformed("not JSON")
        if isinstance(exc, openai.APIResponseValidationError):
            return self.malformed("JSON of another shape")
        return GeneratorError(f"{where} failed: {type(exc).__name__}: {exc}")
