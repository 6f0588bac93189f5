"""Small typed records that flow through the indexing pipeline."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class RawDoc:
    """A file read from disk, decoded to text, before cleaning.

    ``fields`` carries metadata the container format states explicitly (HTML ``<meta>`` tags,
    Markdown front matter, PDF document info) so metadata extraction can prefer it to guessing.
    ``warnings`` says what was odd but survivable (e.g. invalid UTF-8 bytes replaced).
    """

    path: Path
    text: str
    fields: dict[str, str] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class Meta:
    """News metadata of one article. ``published`` is ISO 8601 or None when the text gives none."""

    title: str
    outlet: str | None = None
    author: str | None = None
    published: str | None = None


@dataclass(frozen=True)
class Article:
    """A cleaned article as stored: ``file`` is the path relative to the ingested folder."""

    file: str
    text: str
    meta: Meta
    sha256: str
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class Chunk:
    """A span of an article's stored text: ``article.text[start:end] == text``."""

    id: str
    file: str
    n: int
    start: int
    end: int
    text: str
    tokens: int
