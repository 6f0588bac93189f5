"""Strip site chrome and boilerplate from a scraped news article, keeping its body byte for byte.

The cleaner works on whole lines and never rewrites inside one: its output is a selection of the
input's lines (each stripped of surrounding whitespace), in their original order, joined by blank
lines. Citations quote the cleaned text, so a kept sentence is always a sentence of the source.

Rules, in order:

1. *Line rules* — a line that is chrome wherever it stands: "Share", "Trending Now", "Tags: …",
   newsletter and comment prompts, copyright and trademark notices, bylines, lines that are only a
   date or only numbers, comma- or pipe-separated tag lists, publisher and domain lines,
   "follow him on X" prompts and video teasers ("... See more in the video below.").
2. *Duplicates* — an exact repeat of an earlier line (a lede repeated at the bottom); a short line
   that is the opening of a longer paragraph (a standfirst repeated in the body); a line that
   repeats the headline.
3. *Footer zone* — a copyright line or an end marker ("Related Topics", "More on this story")
   after the last paragraph of prose: every short line after it is dropped.
4. *Tail rule* — an author bio ("X is a reporter for Y.") among the last three kept lines.

A long line (more than ``PROSE_CHARS`` characters) is prose and only ever dropped as a duplicate.
"""

from __future__ import annotations

import bisect
import re

PROSE_CHARS = 200
"""Lines longer than this are never dropped by a chrome rule, only as exact duplicates."""

_I = re.IGNORECASE
_NAME = r"[A-Z][\w.'’-]*(?:\s+(?:[A-Z][\w.'’-]*|van|von|de|da|del|der|bin|al|la|le))*"

# Whole-line patterns (matched against the stripped line).
_CHROME = [
    re.compile(p, _I)
    for p in (
        # live / navigation / share widgets
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
        # tags and categories
        r"(?:tags?|topics?|filed under|categor(?:y|ies)|keywords|related topics)\s*:.*",
        # newsletters and comments
        r"(?:sign up|subscribe) (?:for|to|here|now)\b.*",
        r"receive (?:breaking news|our|the latest|daily)\b.*|.*\bsent (?:right )?to your inbox\.?",
        r"\(optional for local news\)|privacy:.*|we never share your (?:e-?mail|data).*",
        r"by (?:signing up|subscribing|clicking)\b.*|get (?:our|the) .*newsletter.*",
        r"join the .{1,40} community|read and post comments|.*\bcommunity guidelines\b.*",
        r"click here to comment.*|(?:leave|post|add|view|show|read) (?:a |the )?comments?\b.*",
        r"\d+ comments?",
        # legal notices
        r".*\btrademarks? of\b.*(?:Inc|LLC|Ltd|plc|Corp|owners?)\.?",
        r"(?:©|\(c\)\s*\d{4}|copyright\s*(?:©|\(c\)|\d{4})).*|.*\ball rights reserved\.?",
        r"our standards:.*|.*\btrust principles\.?",
        # domain lines
        r"(?:https?://)?(?:www\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:com|org|net|co\.uk|news|tv)/?",
        # credits and social prompts
        r"(?:additional )?(?:reporting|writing|editing|research) by\b.*",
        r"(?:photo|image|picture|video|file photo)s?(?: credit)?\s*(?::|by)\s*.{0,100}",
        r"source:\s*.{1,40}",
        r".*\bfollow (?:him|her|them|us|me|the author)\b.{0,20}\bon (?:x|twitter|facebook|"
        r"instagram|threads|bluesky|linkedin|tiktok|telegram|youtube|mastodon)\b.*",
        r".*\b(?:see|watch) (?:more )?(?:in )?the (?:full )?video (?:below|above)[.!]?",
        r"(?:click|tap) here\b.*|download (?:the|our) app\b.*",
    )
]
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
    for sep in (",", "|"):
        parts = [p.strip() for p in line.split(sep)]
        if len(parts) >= 3 and all(0 < len(p) <= 30 and len(p.split()) <= 4 for p in parts):
            return True
    return False


def _is_chrome(line: str) -> bool:
    if len(line) > PROSE_CHARS:
        return False
    if not re.search(r"[^\W\d_]", line):  # no letters: "218", "2024-28-25", "* * *"
        return True
    return (
        any(p.fullmatch(line) for p in _CHROME)
        or bool(_BYLINE.fullmatch(line) or _PUBLISHER.fullmatch(line))
        or is_date_line(line)
        or _is_list_line(line)
    )


def _norm(line: str) -> str:
    return " ".join(re.sub(r"[\W_]+", " ", line.casefold()).split())


def _words(line: str) -> int:
    return len(line.split())


def clean_lines(text: str) -> list[str]:
    """The kept lines of ``text`` (stripped), in order; see the module docstring for the rules."""
    lines = [ln.strip() for ln in text.split("\n")]
    keep = [bool(ln) and not _is_chrome(ln) for ln in lines]
    kept = [i for i, k in enumerate(keep) if k]
    if not kept:
        return []

    # 2. duplicates: exact repeats, openings of longer paragraphs, repeats of the headline
    title = lines[kept[0]]
    titles = {_norm(title), _norm(re.sub(r"^[^:]{1,25}:\s*", "", title))}
    seen: set[str] = set()
    for i in kept:
        line = lines[i]
        if line in seen:
            keep[i] = False
        seen.add(line)
    longer = sorted(lines[i] for i in kept if keep[i])
    for i in kept[1:]:
        line = lines[i]
        if not keep[i] or len(line) > PROSE_CHARS:
            continue
        if _norm(line) in titles:
            keep[i] = False
        elif len(line) >= 40 and line.endswith((".", "!", "?", '"', "”")):
            # a kept line starting with this one: the first sorted line >= "line "
            n = bisect.bisect_left(longer, line + " ")
            keep[i] = not (n < len(longer) and longer[n].startswith(line + " "))

    # 3. footer zone: after the last prose line, a copyright line or a "Related" marker
    prose = [i for i, k in enumerate(keep) if k and _words(lines[i]) >= 20]
    if prose:
        for i in range(prose[-1] + 1, len(lines)):
            if not keep[i] and (_COPYRIGHT.match(lines[i]) or _END_MARKERS.fullmatch(lines[i])):
                for j in range(i + 1, len(lines)):
                    keep[j] = keep[j] and len(lines[j]) > PROSE_CHARS
                break

    # 4. tail: an author bio or a follow/teaser line among the last three kept lines
    kept = [i for i, k in enumerate(keep) if k]
    for i in kept[-3:]:
        if i != kept[0] and len(lines[i]) <= 300 and _BIO.fullmatch(lines[i]):
            keep[i] = False
    return [ln for ln, k in zip(lines, keep, strict=True) if k]


def clean_text(text: str) -> str:
    """The article body of ``text``: its kept lines, stripped, joined by blank lines."""
    return "\n\n".join(clean_lines(text))


def is_substantive(cleaned: str, min_words: int = 15) -> bool:
    """False when cleaning left no article text (fewer than ``min_words`` words besides a title)."""
    lines = [ln for ln in cleaned.split("\n") if ln.strip()]
    body = lines[1:] if len(lines) > 1 else lines
    return sum(len(_WORDS.findall(ln)) for ln in body) >= min_words
