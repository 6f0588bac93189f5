"""Chrome shapes judged with the lines around them: what one line alone does not give away.

Each shape is a named rule (the name is what ``index.clean`` records with a removed line):

* ``caption`` — a photo caption that carries no credit, in the wire services' caption style: one
  sentence in the simple present about a dated moment ("Demonstrators protest outside the court
  on June 23, 2021."), which news prose tells in the past tense; or a line naming people "From
  left: …" / "(L-R)". Never the first line of an article (that is the headline or the lede).
* ``related-link`` — a headline of another story set between two paragraphs ("Kicker: Headline"
  without a full stop) that shares almost no words with the two lines above it or the two below;
  a section heading or a live blog's entry heading is about the paragraphs under it, so it
  stays, and so do timeline entries ("May 27: …"), values ("Biggest opening: … $75.1 million"),
  rosters, transcripts and quoted titles.
* ``link-list`` — three or more lines in a row at the end of the article (no paragraph of prose
  after them), each led by a dash or bullet and shaped as a headline (no closing punctuation, no
  "Label: value" or "Label - value"), with a short heading line just above the run ("More from
  the network") when there is one. Inside the body the same shape is the article's own list
  (BBC News prints budget measures and award winners so), and neither its wording nor its
  overlap with the article tells the two apart: only the place does.

All three look only at the kept lines (``index.clean`` hands over the non-empty lines that no
earlier rule removed) and at nothing outside the article.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

_DAY = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|March|April|May|June|July|Aug(?:ust)?|Sept?(?:ember)?"
    r"|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
# A dated moment: "June 23", "Sept. 20, 2006", "in 2014", "in November 2021", "back in 2002".
_PHOTO_DATE = re.compile(
    rf"\b{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?\b"
    rf"|\bin\s+(?:(?:early|late|mid-?)\s*)?(?:{_MONTH}\s+)?(?:18|19|20)\d\d\b"
)
_NEXT_SENTENCE = re.compile(r"[.!?][\"'”’)]*\s+[A-Z\"“‘']")
# Words that make a line narrative, reported or scheduled rather than a picture's description.
_NOT_CAPTION = re.compile(
    r"[\"“”]|\b(?:according|ago|this year|last year|next|now|until|through|plans?|begins?"
    r"|starts?|ends?|opens?|closes?|marks?|rises?|falls?|runs?|stands?|was|were|had|did|said"
    r"|says|told|tells|will|would|could|should|can|may|might|has|have|been)\b",
    re.IGNORECASE,
)
# A sentence that leans on the one before it is prose, not a caption.
_LEANS_BACK = re.compile(
    r"^(?:He|She|It|They|We|I|You|This|That|These|Those|There|Here|But|And|So|Or|Yet|Now|Then"
    r"|However|Meanwhile|Still|Also|In|On|At|After|Before|When|While|As|If|According|For|Since"
    r"|By|With|Despite|Although|Though|Last|Earlier|Later|The|Its|Their|His|Her|Our|Some|Many"
    r"|Most|Both|All|Each|One|Two|Three)\b"
)
# Subject then a present-tense verb: "Tesla CEO Elon Musk speaks", "Kyiv citizens take part".
_SINGULAR = re.compile(
    r"^(?:(?:[A-Z][\w.'’-]*|of|the|and|de|van|von|al|[a-z]+,)\s+){1,9}([a-z]+(?<!s)s|[a-z]+es)\b"
)
_PLURAL = re.compile(r"^(?:[A-Z][\w.'’-]*\s+){0,4}[A-Za-z-]+s\s+([a-z]+)\s")
_IRREGULAR_PAST = frozenset(
    "cut rose fell began burst won lost broke hit led took made put set shot struck sold bought "
    "caught held left met ran sent spent stood sat told thought saw found knew grew threw drove "
    "flew became came went got gave brought fought built paid kept wore wrote spoke chose "
    "stopped".split()
)
_AUXILIARY = frozenset("is are be being been was were get gets".split())
_PEOPLE_LIST = re.compile(r"^(?:from left|left to right)\s*[:,]|\((?:from left|l-r|l to r)\)", re.I)

CAPTION_WORDS = (5, 40)
"""A caption without a credit has this many words (fewer is a heading, more is prose)."""


def _past_participle_only(line: str) -> bool:
    """Every ``-ed`` word in ``line`` is a participle ("is amalgamated", "conducted by")."""
    for m in re.finditer(r"\b[a-z]+ed\b", line):
        before = line[: m.start()].split()[-1:]
        after = line[m.end() :].split()[:1]
        if (before and before[0].lower() in _AUXILIARY) or after[:1] == ["by"]:
            continue
        return False
    return True


def is_caption(line: str) -> bool:
    """A photo caption without a credit, in wire caption style (see the module docstring)."""
    words = len(line.split())
    if not CAPTION_WORDS[0] <= words <= CAPTION_WORDS[1]:
        return False
    if _PEOPLE_LIST.search(line):
        return True
    if not line.endswith(".") or _NEXT_SENTENCE.search(line) or _LEANS_BACK.match(line):
        return False
    if _NOT_CAPTION.search(line) or not _PHOTO_DATE.search(line):
        return False
    m = _SINGULAR.match(line) or _PLURAL.match(line)
    if m is None:
        return False
    verb = m.group(1)
    if verb.endswith("ed") or verb in _IRREGULAR_PAST or verb in ("is", "has", "was"):
        return False
    if any(w in _IRREGULAR_PAST for w in re.findall(r"[a-z]+", line)):
        return False
    return _past_participle_only(line)


# --- headlines of other stories --------------------------------------------------------------

_KICKER_HEADLINE = re.compile(r"^[^.!?:•]{2,60}: [‘'\"“A-Z0-9][^:]*[^.!?:;,\"”\s—–-]$")
# A kicker that is a date, a day, a number or a chapter heads a timeline, schedule or section.
_KICKER_NOT_LINK = re.compile(
    rf"^\W*(?:\d|{_MONTH}\s+\d|{_DAY}\b|(?:chapter|part|step|day|week|round|no)\.?\s+\w+$)",
    re.IGNORECASE,
)
_STOP = frozenset(
    "the a an of to in on at for and or but with by from is are was were be as that this it its "
    "his her their our we you they he she i not no after over about into more than new how what "
    "why who when says said will".split()
)
RELATED_MAX_OVERLAP = 0.2
"""A headline sharing more than this share of its words with a neighbour is about it."""
PROSE_WORDS = 12
"""A neighbour this long (words) is a paragraph."""
SECTION_LINES = 2
"""A heading is about the paragraphs under it: the overlap is taken with this many lines on each
side (a live blog's "Speaker: what they said" names the speaker fully a paragraph on). On the
RealTime QA fit half, two lines keep such headings (overlap 0.22-0.8) and still take the links
(mostly 0.0-0.2); one line takes the headings too, three keep a fifth of the links."""
# Not a headline: a kicker with a count or a name and place ("Midfielders (7):", "Joe, Chicago:")
# or not led by a word; a value with money or a year in brackets ("… (2016), $75.1 million"); a
# second sentence (a transcript's "Hunt: 'My wife's Japanese.' (She's Chinese)").
_OPEN_QUOTE = re.compile(r"^\W*['‘\"“][^'’\"”]*$")
_NOT_HEADLINE = re.compile(r"^[^:]*[(,][^:]*:|^[^\w'\"‘“►▶]|\$\d|\(\d{4}\)|[.!?]['\"’”)]*\s+\S")


def _stems(text: str) -> set[str]:
    return {w[:5] for w in re.findall(r"[a-z0-9']+", text.lower()) if len(w) > 2 and w not in _STOP}


def is_related_headline(line: str, before: Sequence[str], after: Sequence[str]) -> bool:
    """``line`` is another story's headline set between paragraphs: ``before`` and ``after`` are
    the kept lines around it (nearest last and first), up to ``SECTION_LINES`` each side."""
    words = len(line.split())
    if not 6 <= words <= 30 or not _KICKER_HEADLINE.match(line) or _NOT_HEADLINE.search(line):
        return False
    kicker, head = line.split(": ", 1)
    if _KICKER_NOT_LINK.match(kicker) or _OPEN_QUOTE.match(kicker):
        return False  # a timeline entry, a schedule; a colon inside a quoted title
    if len(head.split()) < 4 or head.isupper() or _LEANS_BACK.match(line):
        return False  # "CHAPTER TWO: PRACTICING LAW" heads a section
    if not before or not after:
        return False
    if len(before[-1].split()) < PROSE_WORDS or len(after[0].split()) < PROSE_WORDS:
        return False
    own = _stems(line)
    if not own:
        return False
    above = _stems(" ".join(before[-SECTION_LINES:]))
    below = _stems(" ".join(after[:SECTION_LINES]))
    near = max(len(own & above), len(own & below))
    return near / len(own) <= RELATED_MAX_OVERLAP


# --- lists of links at the end ----------------------------------------------------------------

_LIST_ITEM = re.compile(r"^[—–•▪►▶-]+\s*(?=[A-Z0-9‘'\"“])")
_LABELLED = re.compile(r"^[^:]{1,40}:\s|\s[-–—]\s")
LINK_LIST_ITEMS = 3
"""Headline-shaped dash or bullet lines in a row that make a list of links."""
TAIL_PROSE_WORDS = 20
"""A line this long (words) after a list is prose: the list was the body's own."""


def _is_link_item(line: str) -> bool:
    m = _LIST_ITEM.match(line)
    if m is None:
        return False
    rest = line[m.end() :]
    return 4 <= len(rest.split()) <= 25 and not (
        re.search(r"[.!?:;,]$", rest) or _LABELLED.search(rest)
    )


def link_lists(lines: Sequence[str]) -> list[int]:
    """Positions in ``lines`` (the kept lines, in order) of a list of links ending the article."""
    k = len(lines)
    while k and len(lines[k - 1].split()) < TAIL_PROSE_WORDS:
        k -= 1  # lines[k:] are the article's short closing lines
    out: list[int] = []
    j = k
    while j < len(lines):
        start = j
        while j < len(lines) and _is_link_item(lines[j]):
            j += 1
        if j - start >= LINK_LIST_ITEMS:
            head = lines[start - 1] if start > k else ""
            if head and len(head.split()) <= 4 and not re.search(r"[.!?,;:\"”]$", head):
                out.append(start - 1)
            out.extend(range(start, j))
        j = max(j, start + 1)
    return out


def neighbour_rules(lines: Sequence[str]) -> dict[int, str]:
    """Positions in ``lines`` (the article's kept lines, in order) that these shapes remove,
    with the shape's name."""
    found: dict[int, str] = dict.fromkeys(link_lists(lines), "link-list")
    for k in range(1, len(lines)):
        if k in found:
            continue
        if is_caption(lines[k]):
            found[k] = "caption"
        elif is_related_headline(lines[k], lines[:k], lines[k + 1 :]):
            found[k] = "related-link"
    return found


__all__ = ["is_caption", "is_related_headline", "link_lists", "neighbour_rules"]
