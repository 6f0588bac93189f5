"""Deciding whether to write with the language model: one rule for answers and briefings."""

from __future__ import annotations

from rag.errors import ConfigError
from rag.llm.chat import ChatModel

NO_MODEL_HELP = (
    "No language model configured: set OPENAI_API_KEY (or DOSSIER_LLM__API_KEY) for OpenAI, "
    "or OPENAI_BASE_URL / DOSSIER_LLM__BASE_URL for a local server such as Ollama, vLLM or "
    "llama.cpp."
)


def choose(generator: str | None, chat: ChatModel | None) -> bool:
    """Whether to use ``chat``: ``"llm"`` asks for it (ConfigError, saying how to configure one,
    when there is none), ``"extractive"`` declines it, ``None`` or ``"auto"`` uses it when one is
    configured."""
    if generator in (None, "auto"):
        return chat is not None
    if generator == "llm":
        if chat is None:
            raise ConfigError(NO_MODEL_HELP)
        return True
    if generator == "extractive":
        return False
    raise ConfigError(f"Unknown generator {generator!r}: use 'extractive', 'llm' or 'auto'.")
