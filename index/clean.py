"""Strip site chrome and boilerplate from a scraped news article, keeping its body byte for byte.

The cleaner works on whole lines and never rewrites inside one: its output is a selection of the
input's lines (each stripped of surrounding whitespace), in their original order, joined by blank
lines. Citations quote the cleaned text, so a kept sentence is always a sentence of the source.
:func:`clean_article` also says which input lines it removed and by which rule.

Rules, in order (each has a name, recorded with what it removed):

1. *Line rules* — a line that is chrome wherever it stands: the site widgets, tag, newsletter,
   legal, credit and social patterns below (``widget``, ``tags``, ``newsletter``, ``legal``,
   ``domain``, ``credit``, ``social``, ``teaser``), bylines, publishers, date stamps, lines
   without letters and keyword lists outside the body; and the general shapes of furniture
   (``index.boilerplate``) that every site prints in its own words: ``video-promo``,
   ``media-timestamp``, ``gallery``, ``photo-credit``, ``read-more``, ``related-link``,
   ``promo``, ``consent``, ``contact``, ``signature``, ``wire-credit``, ``dateline``,
   ``update-note``, ``disclosure``.
2. *Byline block* — a name on its own line above a line naming the outlet or a wire agency.
3. *Learned* — with :class:`index.boilerplate.BoilerplateStats` and the article's outlet: a line
   the outlet repeats on many articles (rule ``repeated:<docs>/<outlet docs>``), unless it is a
   short heading over a section of the article's own text. Then the shapes judged with the
   kept lines around them (``index.neighbours``): ``caption`` (a photo caption without a
   credit), ``related-link`` (another story's headline between two paragraphs it shares no
   words with) and ``link-list`` (a list of headlines ending the article).
4. *Duplicates* — an exact repeat of an earlier sentence-like line (short list entries such as
   "Position: LB." repeat legitimately); a short line that is the opening of a longer
   paragraph (a standfirst repeated in the body); a line that repeats the headline.
5. *Footer zone* — a copyright line or an end marker ("Related Topics", "More on this story")
   after the last paragraph of prose: every short line after it is dropped.
6. *Tail rule* — an author bio ("X is a reporter for Y.") among the last three kept lines.

A long line (more than ``PROSE_CHARS`` characters) is prose and only dropped as an exact
duplicate, as learned chrome, by a block shape a paragraph of prose never has (video promo,
gallery, photo credit), or as a promo, consent, contact or disclosure of at most 70 words.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from index.boilerplate import (
    BoilerplateStats,
    block_shape,
    is_name_line,
    is_sentence_like,
    is_wire_credit,
    line_key,
    line_shape,
)
from index.neighbours import neighbour_rules

PROSE_CHARS = 200
"""Lines longer than this are never dropped by a chrome rule, only as exact duplicates."""


GALLERY_PAIRS = 3
"""Doubled lines in a row that make a photo gallery."""
SECTION_WORDS = 5
"""A learned short line stays when it heads at least this many words of the article's own text."""

_I = re.IGNORECASE
_NAME = r"[A-Z][\w.'’-]*(?:\s+(?:[A-Z][\w.'’-]*|van|von|de|da|del|der|bin|al|la|le))*"


def _group(*patterns: str) -> re.Pattern[str]:
    """One pattern matching a line that any of ``patterns`` matches whole."""
    return re.compile("|".join(f"(?:{p})" for p in patterns), _I)


# Whole-line patterns (matched against the stripped line), by rule name.
_CHROME: dict[str, re.Pattern[str]] = {
    "widget": _group(
        r"(?:date\s+\S+\s+)?(?:watch|listen)\s+(?:tv\s+)?live",
        r"trending(?: now)?|most (?:read|popular|viewed|shared)|popular now|top stories",
        r"related(?: articles?| stories| story| coverage| topics| content| news)?",
        r"more on this story|\d+ min(?:ute)?s? read|(?:[\w ]+ via )?getty images|shutterstock",
        r"recommended(?: for you)?|read (?:more|next)|see also|you may also like|editor'?s picks?",
        r"share(?: this)?(?: article| story| post)?|share (?:on|via) \w+|tweet|e-?mail|print",
        r"copy link|link copied!?|comments?|globaltalk|top|back to top|menu|search|close",
        r"subscribe|sign in|log ?in|advertisement|ad feedback|video ad feedback",
        r"story continues below(?: advertisement)?|scroll to continue(?: with content)?",
        r"skip to (?:main )?content|listen to this article|play video|watch",
        r"facebook|twitter|whatsapp|linkedin|reddit|telegram|x|messenger|flipboard",
    ),
    "tags": _group(r"(?:tags?|topics?|filed under|categor(?:y|ies)|keywords|related topics)\s*:.*"),
    "newsletter": _group(
        r"(?:sign up|subscribe) (?:for|to|here|now)\b.*",
        r"receive (?:breaking news|our|the latest|daily)\b.*|.*\bsent (?:right )?to your inbox\.?",
        r"\(optional for local news\)|privacy:.*|we never share your (?:e-?mail|data).*",
        r"by (?:signing up|subscribing|clicking)\b.*|get (?:our|the) .*newsletter.*",
        r"join the .{1,40} community|read and post comments|.*\bcommunity guidelines\b.*",
        r"click here to comment.*|(?:leave|post|add|view|show|read) (?:a |the )?comments?\b.*",
        r"\d+ comments?",
    ),
    "legal": _group(
        r".*\btrademarks? of\b.*(?:Inc|LLC|Ltd|plc|Corp|owners?)\.?",
        r"(?:©|\(c\)\s*\d{4}|copyright\s*(?:©|\(c\)|\d{4})).*|.*\ball rights reserved\.?",
        r"our standards:.*|.*\btrust principles\.?",
    ),
    "domain": _group(
        r"(?:https?://)?(?:www\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:com|org|net|co\.uk|news|tv)/?"
    ),
    "credit": _group(
        r"(?:additional )?(?:reporting|writing|editing|research) by\b.*",
        r"(?:photo|image|picture|video|file photo)s?(?: credit)?\s*(?::|by)\s*.{0,100}",
        r"source:\s*.{1,40}",
    ),
    "social": _group(
        r".*\bfollow (?:him|her|them|us|me|the author)\b.{0,20}\bon (?:x|twitter|facebook|"
        r"instagram|threads|bluesky|linkedin|tiktok|telegram|youtube|mastodon)\b.*",
    ),
    "teaser": _group(
        r".*\b(?:see|watch) (?:more )?(?:in )?the (?:full )?video (?:below|above)[.!]?",
        r"(?:click|tap) here\b.*|download (?:the|our) app\b.*",
    ),
}
# Case matters for bylines and publishers: "By Jane Doe" is chrome, "By the end of May" is not.
_BYLINE = re.compile(
    rf"(?:(?i:written|reported|posted|compiled|story|words)\s+by|By):?\s+{_NAME}"
    rf"(?:\s*(?:,|and|&)\s*{_NAME})*(?:\s*[,|/–—-]\s*.{{1,40}})?"
)
_PUBLISHER = re.compile(r"(?:[A-Z][\w&.'’-]*\s?){1,5},? (?:Inc|LLC|Ltd|plc|Corp|GmbH)\.?")
_BIO = re.compile(
    rf"{_NAME} is (?:an?|the) [^.]{{0,60}}\b(?:reporter|editor|correspondent|writer|journalist"
    r"|columnist|contributor|producer|anchor|host|author|freelancer|intern|fellow)s?\b"
    r"[^.]{0,60}\b(?:for|at|with) (?:the )?[A-Z][^.]*\..*"
)
# Markers after which, once the body is over, nothing more is article text.
_END_MARKERS = re.compile(
    r"related(?: articles?| stories| coverage| topics| content)?|more on this story|read more"
    r"|read next|you may also like|more from .{1,40}|most (?:read|popular|viewed)|recommended",
    _I,
)
_COPYRIGHT = re.compile(
    r"(?:©|\(c\)\s*\d{4}|copyright\s*(?:©|\(c\)|\d{4}))|.*\ball rights reserved", _I
)

_DATE_WORDS = frozenset(
    re.findall(
        r"\w+",
        "jan january feb february mar march apr april may jun june jul july aug august sep sept "
        "september oct october nov november dec december mon monday tue tues tuesday wed "
        "wednesday thu thur thurs thursday fri friday sat saturday sun sunday am pm a m p utc gmt "
        "z cet cest est edt cst cdt mst mdt pst pdt bst kst jst msk ist eet eest wet west aest "
        "aedt hkt sgt et pt ct date published updated posted last modified first at on of st nd "
        "rd th t ",
    )
)
_WORDS = re.compile(r"[^\W\d_]+")
# A stamp names a year or a clock time; "Tuesday, 1 March" / "2000 GMT" over a fixture do not.
# A heading names a section; a line that tells the reader to do something is a prompt.
_CALL_TO_ACTION = re.compile(
    r"(?:follow|share|sign up|subscribe|read|watch|listen|click|tap|check|get|join|download|see"
    r"|view|connect|find)\b",
    _I,
)
_STAMP = re.compile(
    r"\b(?:1[89]|20)\d\d\b(?!\s*(?:gmt|utc|bst|cet|e[sd]?t|p[sd]?t|hrs?)\b)|\d:\d\d|\d\s*[ap]\.?m\b|\b\d{1,2}\s*[ap]\.?m\.?$",
    _I,
)
# A quantity such as an attendance ("78,000") is match data, not a stray counter.
_QUANTITY = re.compile(r"[$€£]?\d{1,3}(?:,\d{3})+(?:\.\d+)?%?\.?")


def is_date_line(line: str) -> bool:
    """True for a line that is only a date/time stamp ("Saturday, 25 May 2024 06:28 PM EDT")."""
    line = line.strip()
    if not line or len(line) > 80 or not re.search(r"\d", line):
        return False
    return all(w.lower() in _DATE_WORDS for w in _WORDS.findall(line))


def _is_list_line(line: str) -> bool:
    """A comma- or pipe-separated list of short keywords ("russia, north korea, kim jong un")."""
    if len(line) > PROSE_CHARS or re.search(r"[.!?:;\"“”]$|[!?;\"“”]", line):
        return False
    if re.search(r"\d", line):  # "Births: 4,025,933", "2. Dave Tepper, Carolina Panthers"
        return False
    for sep in (",", "|"):
        parts = [p.strip() for p in line.split(sep)]
        if len(parts) >= 3 and all(0 < len(p) <= 30 and len(p.split()) <= 4 for p in parts):
            return True
    return False


def _line_rule(line: str, outlet: str | None) -> str | None:
    """The name of the line rule that makes ``line`` chrome, or None."""
    shape = block_shape(line)
    if shape:
        return shape
    if len(line) > PROSE_CHARS:
        return line_shape(line, outlet)
    if not re.search(r"[^\W\d_]", line):  # no letters: "218", "2024-28-25", "* * *"
        return None if _QUANTITY.fullmatch(line) else "no-letters"
    for name, pattern in _CHROME.items():
        if pattern.fullmatch(line):
            return name
    if _BYLINE.fullmatch(line):
        return "byline"
    if _PUBLISHER.fullmatch(line):
        return "publisher"
    if is_date_line(line) and _STAMP.search(line):
        return "date"
    if _is_list_line(line):
        return "keyword-list"
    return line_shape(line, outlet)


def _norm(line: str) -> str:
    return " ".join(re.sub(r"[\W_]+", " ", line.casefold()).split())


def _words(line: str) -> int:
    return len(line.split())


@dataclass(frozen=True)
class Removal:
    """Input lines ``start``..``end`` (0-based over ``text.split("\\n")``, inclusive) were
    removed by ``rule``; blank lines inside the span were never content."""

    start: int
    end: int
    rule: str


@dataclass(frozen=True)
class CleanResult:
    """The cleaned ``text``, the input line numbers it keeps, what was removed and why, and the
    removed line numbers themselves (``dropped``: non-empty lines only)."""

    text: str
    kept: tuple[int, ...]
    removed: tuple[Removal, ...]
    dropped: tuple[int, ...] = ()

    def spans(self) -> list[list[int | str]]:
        """``removed`` as JSON-ready ``[start, end, rule]`` lists (what ingest stores)."""
        return [[r.start, r.end, r.rule] for r in self.removed]

    def removed_lines(self) -> dict[int, str]:
        """Each removed (non-empty) input line number with the rule that removed it."""
        rule = {i: r.rule for r in self.removed for i in range(r.start, r.end + 1)}
        return {i: rule[i] for i in self.dropped}


def describe_removed(text: str, spans: Sequence[Sequence[int | str]]) -> list[tuple[int, str, str]]:
    """``(line number, rule, line)`` for each non-empty input line a stored ``spans()`` list
    says was removed from ``text`` (the raw article): what ``dossier status --file`` shows."""
    lines = text.split("\n")
    out: list[tuple[int, str, str]] = []
    for start, end, rule in spans:
        for i in range(int(start), min(int(end), len(lines) - 1) + 1):
            if lines[i].strip():
                out.append((i, str(rule), lines[i].strip()))
    return out


def _result(text: str, kept: list[int], lines: list[str], why: list[str | None]) -> CleanResult:
    dropped = tuple(i for i, ln in enumerate(lines) if ln and why[i] is not None)
    return CleanResult(text, tuple(kept), _spans(lines, why), dropped)


def _spans(lines: list[str], why: list[str | None]) -> tuple[Removal, ...]:
    """Consecutive removed lines with one rule, blank lines between them included, as spans."""
    out: list[Removal] = []
    for i, (line, rule) in enumerate(zip(lines, why, strict=True)):
        if not line or rule is None:
            continue
        last = out[-1] if out else None
        if last and last.rule == rule and all(not lines[j] for j in range(last.end + 1, i)):
            out[-1] = Removal(last.start, i, rule)
        else:
            out.append(Removal(i, i, rule))
    return tuple(out)


def _section_words(lines: list[str], why: list[str | None], learned: set[int], i: int) -> int:
    """Words of kept, unlearned text after line ``i`` up to the next learned line."""
    total = 0
    for j in range(i + 1, len(lines)):
        if j in learned:
            break
        if lines[j] and why[j] is None:
            total += _words(lines[j])
    return total


def _gallery_runs(lines: list[str], named: list[int], why: list[str | None]) -> None:
    """Runs of at least ``GALLERY_PAIRS`` lines each printed twice in a row (a slideshow's
    captions, each in the slide and in its thumbnail) are dropped, both copies."""
    pairs = [k for k in range(len(named) - 1) if lines[named[k]] == lines[named[k + 1]]]
    runs: list[list[int]] = []
    for k in pairs:
        if runs and k == runs[-1][-1] + 2:
            runs[-1].append(k)
        else:
            runs.append([k])
    for run in runs:
        if len(run) >= GALLERY_PAIRS:
            for k in run:
                for i in (named[k], named[k + 1]):
                    why[i] = why[i] or "gallery"


def _apply_learned(
    lines: list[str], why: list[str | None], outlet: str, stats: BoilerplateStats
) -> None:
    found = {i: stats.learned(outlet, ln) for i, ln in enumerate(lines) if ln and why[i] is None}
    learned = {i for i, hit in found.items() if hit}
    for i in sorted(learned):
        line = lines[i]
        words = _words(line)
        # "Maryland." heads a digest's section too: a period is allowed on three words or fewer
        end = r"[!,;:]$" if words <= 3 else r"[.!,;:]$"
        heading = words <= 8 and not re.search(end, line) and not _CALL_TO_ACTION.match(line)
        if heading and _section_words(lines, why, learned, i) >= SECTION_WORDS:
            continue  # a digest's recurring section heading over text of its own
        hit = found[i]
        assert hit is not None
        why[i] = hit.rule


def clean_article(
    text: str,
    outlet: str | None = None,
    stats: BoilerplateStats | None = None,
    restore: Collection[int] = (),
) -> CleanResult:
    """Clean ``text``; with ``outlet`` and ``stats``, also drop what the outlet repeats.

    ``restore`` names input line numbers (0-based over ``text.split("\\n")``) a reader put back:
    they are kept whatever the rules say.
    """
    lines = [ln.strip() for ln in text.split("\n")]
    why: list[str | None] = [_line_rule(ln, outlet) if ln else None for ln in lines]

    # keyword lists are tags only outside the body (BBC prints lists of clubs inside it)
    prose_at = [i for i, ln in enumerate(lines) if why[i] is None and _words(ln) >= 20]
    if prose_at:
        for i in range(prose_at[0], prose_at[-1]):
            if why[i] == "keyword-list":
                why[i] = None

    # 2. byline block: a name over the outlet's or an agency's name; a gallery of doubled captions
    named = [i for i, ln in enumerate(lines) if ln]
    _gallery_runs(lines, named, why)
    for a, b in itertools.pairwise(named):
        if why[a] is None and is_name_line(lines[a]) and is_wire_credit(lines[b], outlet):
            why[a] = why[b] = "byline-block"

    # 3. learned from repetition; then the shapes judged with their neighbours
    if stats is not None and outlet:
        _apply_learned(lines, why, outlet, stats)
    present = [i for i, ln in enumerate(lines) if ln and why[i] is None]
    for k, rule in neighbour_rules([lines[i] for i in present]).items():
        why[present[k]] = rule

    restored = {i for i in restore if 0 <= i < len(lines) and lines[i]}
    for i in restored:
        why[i] = None
    keep = [bool(ln) and why[i] is None for i, ln in enumerate(lines)]
    kept = [i for i, k in enumerate(keep) if k]
    if not kept:
        return _result("", [], lines, why)

    def drop(i: int, rule: str) -> None:
        if i not in restored:
            keep[i] = False
            why[i] = rule

    # 4. duplicates: exact repeats, openings of longer paragraphs, repeats of the headline
    title = lines[kept[0]]
    titles = {_norm(title), _norm(re.sub(r"^[^:]{1,25}:\s*", "", title))}
    seen: set[str] = set()
    for i in kept:
        line = lines[i]
        if line in seen and is_sentence_like(line):
            drop(i, "duplicate")
        seen.add(line)
    longer = sorted(lines[i] for i in kept if keep[i])
    for i in kept[1:]:
        line = lines[i]
        if not keep[i] or len(line) > PROSE_CHARS:
            continue
        if _norm(line) in titles:
            drop(i, "headline-repeat")
        elif len(line) >= 40 and line.endswith((".", "!", "?", '"', "”")):
            # a kept line starting with this one: the first sorted line >= "line "
            n = bisect.bisect_left(longer, line + " ")
            if n < len(longer) and longer[n].startswith(line + " "):
                drop(i, "standfirst")

    # 5. footer zone: after the last prose line, a copyright line or a "Related" marker
    prose = [i for i, k in enumerate(keep) if k and _words(lines[i]) >= 20]
    if prose:
        for i in range(prose[-1] + 1, len(lines)):
            if not keep[i] and (_COPYRIGHT.match(lines[i]) or _END_MARKERS.fullmatch(lines[i])):
                for j in range(i + 1, len(lines)):
                    if keep[j] and len(lines[j]) <= PROSE_CHARS:
                        drop(j, "footer")
                break

    # 6. tail: an author bio among the last three kept lines
    kept = [i for i, k in enumerate(keep) if k]
    for i in kept[-3:]:
        if i != kept[0] and len(lines[i]) <= 300 and _BIO.fullmatch(lines[i]):
            drop(i, "bio")
    kept = [i for i, k in enumerate(keep) if k]
    return _result("\n\n".join(lines[i] for i in kept), kept, lines, why)


def clean_lines(text: str) -> list[str]:
    """The kept lines of ``text`` (stripped), in order; see the module docstring for the rules."""
    lines = text.split("\n")
    return [lines[i].strip() for i in clean_article(text).kept]


def clean_text(text: str) -> str:
    """The article body of ``text``: its kept lines, stripped, joined by blank lines."""
    return clean_article(text).text


def headline_text(title: str | None, outlet: str | None, min_words: int = 4) -> str | None:
    """The headline of an article whose body cleaning left empty (a page that came back as
    nothing but site chrome), as the text to index it by; None when there is none worth
    indexing: no title, one of fewer than ``min_words`` words, or one that is itself chrome."""
    if not title:
        return None
    text = " ".join(title.split())
    if len(_WORDS.findall(text)) < min_words or _line_rule(text, outlet) is not None:
        return None
    return text


def is_substantive(cleaned: str, min_words: int = 15) -> bool:
    """False when cleaning left no article text (fewer than ``min_words`` words besides a title)."""
    lines = [ln for ln in cleaned.split("\n") if ln.strip()]
    body = lines[1:] if len(lines) > 1 else lines
    return sum(len(_WORDS.findall(ln)) for ln in body) >= min_words


__all__ = [
    "PROSE_CHARS",
    "CleanResult",
    "Removal",
    "clean_article",
    "clean_lines",
    "clean_text",
    "describe_removed",
    "headline_text",
    "is_date_line",
    "is_substantive",
    "line_key",
]
