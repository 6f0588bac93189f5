"""Reading news sentences for a briefing: quote-aware sentence units, who said what, the figures a
sentence states, and whether it looks ahead.

A *unit* is a sentence, or several when a quotation runs over sentence boundaries: in
``"The visit is being prepared. We will announce the dates," Peskov said.`` the quote and its
attribution stay together, so a cited passage always says who is speaking.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from index.chunk import sentence_spans
from rag.text.dates import find_dates
from rag.text.names import TITLES
from rag.text.terms import STOPWORDS

_OPEN_QUOTES = '"“'
_QUOTED = re.compile(r"\"[^\"]*\"?|“[^”]*”?")


@dataclass(frozen=True)
class Unit:
    """A span of an article's stored text: ``article_text[start:end] == text``."""

    file: str
    start: int
    end: int
    text: str
    n: int  # position in the article (0 = first unit after the title)
    para: int


def _quote_balance(text: str) -> int:
    return (text.count('"') % 2) + text.count("“") - text.count("”")


def units(file: str, text: str, title: str = "", max_words: int = 110) -> list[Unit]:
    """The article's sentence units, leaving out the title line and fragments under 5 words."""
    spans = sentence_spans(text)
    paras: list[int] = []
    p = 0
    prev_end = 0
    for s, _e in spans:
        if "\n" in text[prev_end:s]:
            p += 1
        paras.append(p)
        prev_end = _e
    groups: list[list[int]] = []
    for i, (s, e) in enumerate(spans):
        if groups:
            last = groups[-1]
            joined = text[spans[last[0]][0] : spans[last[-1]][1]]
            open_quote = _quote_balance(joined) > 0
            same_para = paras[last[-1]] == paras[i]
            words = len(joined.split()) + len(text[s:e].split())
            if open_quote and same_para and words <= max_words:
                last.append(i)
                continue
            # A bare quotation right after an attributed one continues the same speaker.
            piece = text[s:e]
            if (
                same_para
                and piece[:1] in _OPEN_QUOTES
                and _quote_balance(piece) == 0
                and piece.rstrip()[-1:] in '"”'
                and not speakers_in(piece)
                and speakers_in(joined)
                and words <= max_words
            ):
                last.append(i)
                continue
        groups.append([i])
    out: list[Unit] = []
    title_norm = " ".join(title.split()).lower()
    for g in groups:
        s, e = spans[g[0]][0], spans[g[-1]][1]
        piece = text[s:e]
        if (
            not out
            and g[0] == 0
            and (
                " ".join(piece.split()).lower() == title_norm or not re.search(r"[.!?\"”]$", piece)
            )
        ):
            continue  # the title line
        if len(piece.split()) < 5:
            continue
        out.append(Unit(file, s, e, piece, len(out), paras[g[0]]))
    return out


def unquoted(text: str) -> str:
    """The text with quoted words blanked out (same length), for reading the reporter's frame."""
    return _QUOTED.sub(lambda m: " " * len(m.group(0)), text)


# ---- names and actors --------------------------------------------------------------------------
_DIRECTIONS = frozenset({"north", "south", "east", "west", "new"})
_LEADING = frozenset(
    {
        "the",
        "but",
        "and",
        "so",
        "yet",
        "asked",
        "meanwhile",
        "however",
        "then",
        "also",
        "as",
        "while",
        "when",
        "after",
        "according",
        "several",
        "some",
        "many",
        "most",
        "other",
        "two",
        "three",
        "four",
        "a",
        "an",
        "its",
        "his",
        "her",
        "their",
        "our",
        "both",
        "all",
        "each",
        "every",
        "few",
    }
)
_SENTENCE_WORDS = frozenset(
    {
        "now",
        "since",
        "both",
        "in",
        "on",
        "at",
        "for",
        "during",
        "over",
        "amid",
        "calling",
        "although",
        "ahead",
        "independent",
    }
)
_GENERIC = frozenset(
    {
        "media",
        "reports",
        "officials",
        "analysts",
        "experts",
        "economists",
        "investors",
        "sources",
        "critics",
        "observers",
        "traders",
        "diplomats",
        "residents",
        "witnesses",
        "authorities",
        "researchers",
        "figures",
        "data",
        "statistics",
        "others",
        "many",
        "some",
        "most",
        "both",
        "all",
        "one",
    }
)
_PRONOUNS = frozenset({"he", "she", "they", "it", "we", "i"})
_SPEECH_VERBS = (
    r"said|says|told|tells|stated|states|confirmed|confirms|announced|announces|added|adds|"
    r"declared|declares|described|describes|warned|warns|accused|accuses|noted|reiterated|"
    r"insisted|argued|claimed|claims|denied|denies|urged|wrote|predicted|reported|"
    r"explained|acknowledged|admitted|estimated|revealed|suggested|went on|continued|promised|"
    r"pledged|vowed|threatened|criticised|criticized|praised|welcomed|replied|responded|asserted"
)
_INSTITUTION_NOUNS = (
    r"government|ministry|military|officials?|intelligence|diplomats|spokesman|spokesperson|"
    r"agency|police|army|press service|analysts|experts|lawmakers|prosecutors|regulators|"
    r"media|authorities|sources"
)
_CAP = r"(?:[A-Z][\w.'’&-]*|U\.S\.|U\.N\.|U\.K\.)"
_NP = rf"{_CAP}(?:\s+(?:{_CAP}|of|for|and|de|von|al|bin|\([A-Z]{{2,6}}\)))*"
_SUBJECT_SPEECH = re.compile(
    rf"(?P<np>{_NP}(?:\s+(?:{_INSTITUTION_NOUNS}))?|(?<![\w])(?:he|she|they|He|She|They))"
    rf",?\s+(?:(?:also|officially|repeatedly|later|earlier|previously|then|has|had|have|"
    rf"separately|publicly|reportedly)\s+){{0,2}}(?P<verb>{_SPEECH_VERBS})\b"
)
_INVERTED_SPEECH = re.compile(
    rf"[,\"”]\s*(?P<verb>said|says|reiterated|added|wrote|stated|told|continued)\s+"
    rf"(?:the\s+)?(?P<np>{_NP})"
)
_ACCORDING = re.compile(
    rf"\b[Aa]ccording to\s+(?:the\s+)?(?P<np>(?:[a-z-]+\s+){{0,3}}{_NP}"
    rf"(?:\s+(?:{_INSTITUTION_NOUNS}))?|{_NP}\s+(?:{_INSTITUTION_NOUNS}))"
)
_ROLE = re.compile(r"((?:[A-Z][\w'’.-]*\s+)?(?:[a-z]+\s+){0,2})$")


@dataclass(frozen=True)
class Speaker:
    name: str  # as written, titles stripped ("Dmitry Peskov", "Kremlin", "he")
    role: str  # "Kremlin spokesman" when written before the name
    verb: str
    start: int  # offset of the name in the unit
    kind: str  # subject | inverted | according


def _strip_name(np: str) -> str:
    np = np.strip(" ,.")
    np = re.sub(r"\s*\([A-Z]{2,6}\)", "", np)
    tokens = np.split()
    # Possessive owners ("South Korea's National Security Council") give way to the owned.
    for i in range(len(tokens) - 1, -1, -1):
        if tokens[i].endswith(("'s", "’s")) and i < len(tokens) - 1:
            owned = tokens[i + 1 :]
            # "the Kremlin's press service" speaks for the Kremlin.
            tokens = tokens[: i + 1] if all(t.islower() for t in owned) else owned
            break
    else:
        if len(tokens) > 1 and tokens[-1].endswith(("'s", "’s")):
            tokens[-1] = tokens[-1][:-2]
    while tokens and tokens[0].lower() in _LEADING:
        tokens = tokens[1:]
    if tokens and tokens[-1].endswith(("'s", "’s")):
        tokens[-1] = tokens[-1][:-2]
    return " ".join(tokens)


def strip_titles(name: str) -> str:
    """'Russian President Vladimir Putin' → 'Vladimir Putin'; 'Kremlin' stays 'Kremlin'."""
    tokens = name.split()
    while len(tokens) > 1 and (
        tokens[0].lower().strip(".") in TITLES
        or (tokens[0].lower() in _DIRECTIONS and len(tokens) > 2)
        or (_nationality(tokens[0]) and tokens[1][:1].isupper())
    ):
        tokens = tokens[1:]
    return " ".join(tokens)


def _nationality(word: str) -> bool:
    w = word.lower()
    return w.endswith(("an", "ese", "ish", "ian", "ic")) and w not in {
        "kremlin",
        "pyongyang",
        "taiwan",
        "iran",
        "japan",
        "sudan",
        "oman",
        "pakistan",
        "afghanistan",
        "jordan",
    }


def speakers_in(text: str) -> list[Speaker]:
    """Attributions in a unit: "Peskov said", "said Putin", "according to the Kremlin" —
    outside quotation marks, nearest to the end first (the attribution of a closing quote)."""
    frame = unquoted(text)
    found: list[Speaker] = []
    for rx, kind in (
        (_SUBJECT_SPEECH, "subject"),
        (_INVERTED_SPEECH, "inverted"),
        (_ACCORDING, "according"),
    ):
        # The inverted form starts at the closing quote ('," said Putin'): read the text itself,
        # keeping only matches whose verb stands outside the quotation.
        for m in rx.finditer(text if kind == "inverted" else frame):
            if kind == "inverted" and frame[m.start("verb")] != text[m.start("verb")]:
                continue
            raw = text[m.start("np") : m.end("np")]
            if kind == "according":
                raw = re.sub(r"^(?:[a-z-]+\s+){1,3}(?=[A-Z])", "", raw)
            name = _strip_name(raw)
            if not name or (name.lower() in STOPWORDS and name.lower() not in _PRONOUNS):
                continue
            if name.split()[0].lower() in {"this", "that", "these", "those", "there", "it"}:
                continue
            if re.search(r"\band\b|&", name) or (
                len(name.split()) == 1 and (_nationality(name) or name.lower() in _GENERIC)
            ):
                continue  # compounds ("Washington and Kyiv") and bare adjectives
            if kind != "according" and re.match(r"\s+(?:of|by)\b", frame[m.end() :]):
                continue  # passive: "Pyongyang accused of sending arms"
            role_m = _ROLE.search(frame[: m.start("np")])
            role = role_m.group(1).strip() if role_m and kind == "subject" else ""
            role = role if any(w.lower() in TITLES for w in role.split()) else ""
            verb = m.group("verb") if "verb" in m.groupdict() else "according to"
            found.append(Speaker(name, role, verb, m.start("np"), kind))
    order = {"subject": 0, "inverted": 0, "according": 1}
    return sorted(found, key=lambda s: (order[s.kind], -s.start))


def is_pronoun(name: str) -> bool:
    return name.lower() in _PRONOUNS


_NAME_TOKEN = re.compile(r"[A-Z][a-zA-Z'’-]+")


def person_names(texts: Iterable[str]) -> Counter[str]:
    """Multi-word capitalised names across ``texts`` (titles stripped, hyphens normalised) and
    how often each occurs: the inventory that short names ("Putin", "Kim") resolve against."""
    counts: Counter[str] = Counter()
    run = re.compile(r"(?:[A-Z][a-zA-Z'’-]+)(?:\s+[A-Z][a-zA-Z'’-]+)+")
    for text in texts:
        for m in run.finditer(text):
            tokens = m.group(0).split()
            while tokens and tokens[0].lower() in _LEADING | _SENTENCE_WORDS:
                tokens = tokens[1:]
            name = normalise_name(strip_titles(" ".join(tokens)))
            if len(name.split()) >= 2:
                counts[name] += 1
    return counts


def normalise_name(name: str) -> str:
    """'Kim Jong-un' → 'Kim Jong Un'; possessives and leading determiners dropped."""
    name = re.sub(r"['’]s\b", "", name)
    words = name.split()
    while len(words) > 1 and words[0].lower() in _LEADING:
        words = words[1:]
    name = " ".join(words)
    tokens: list[str] = []
    for t in name.split():
        parts = t.split("-")
        if len(parts) == 2 and all(p.isalpha() for p in parts) and len(name.split()) >= 2:
            tokens.extend(p.capitalize() for p in parts)
        else:
            tokens.append(t)
    return " ".join(tokens)


class ActorNames:
    """Canonical actor names: 'Peskov', 'Dmitry Peskov' and 'Kremlin spokesman Dmitry Peskov' are
    one actor; a single word takes the most frequent full name that begins or ends with it."""

    def __init__(self, inventory: Counter[str]) -> None:
        self.inventory = inventory
        self._by_token: dict[str, list[tuple[int, str]]] = {}
        for full, n in inventory.items():
            tokens = full.split()
            for t in {tokens[0], tokens[-1]}:
                self._by_token.setdefault(t.lower(), []).append((n, full))

    def canonical(self, name: str) -> str:
        name = normalise_name(strip_titles(name))
        tokens = name.split()
        if not tokens:
            return name
        if len(tokens) == 1:
            if tokens[0].isupper():
                return name  # an acronym ("GM", "KCNA") is its own name
            options = self._by_token.get(tokens[0].lower(), [])
            people = [(n, f) for n, f in options if looks_personal(f)]
            if people:
                return max(people)[1]
            return name
        # Same surname and same first initial: "Sergei Lavrov" / "Sergey Lavrov".
        for _n, full in sorted(self._by_token.get(tokens[-1].lower(), []), reverse=True):
            ft = full.split()
            if (
                ft[-1] == tokens[-1]
                and ft[0][0] == tokens[0][0]
                and full != name
                and self.inventory[full] > self.inventory.get(name, 0)
            ):
                return full
        return name


def looks_personal(full: str) -> bool:
    """'Dmitry Peskov' yes; 'GM European', 'Yukos USA', 'Security Council' no."""
    tokens = full.split()
    if not 2 <= len(tokens) <= 4:
        return False
    if any(t.isupper() or _nationality(t) or not t[:1].isupper() for t in tokens):
        return False
    low = {t.lower() for t in tokens}
    return not (
        low
        & {
            "korea",
            "russia",
            "states",
            "union",
            "council",
            "ministry",
            "department",
            "house",
            "forum",
            "news",
            "east",
            "west",
            "north",
            "south",
            "city",
            "bank",
            "court",
            "party",
            "group",
            "inc",
            "corp",
            "ltd",
            "plc",
            "company",
            "association",
            "agency",
            "commission",
            "office",
            "times",
            "post",
            "street",
            "exchange",
            "fund",
            "federation",
            "republic",
            "kingdom",
        }
    )


# ---- figures -----------------------------------------------------------------------------------
_QUALIFIER = (
    r"(?:(?:around|about|roughly|nearly|almost|some|over|more than|less than|fewer than|"
    r"up to|at least|at most|approximately|an estimated|just over|just under)\s+)?"
)
_FIGURE = re.compile(
    _QUALIFIER
    + r"(?:(?:[$£€¥]|US\$)\s?\d+(?:,\d{3})*(?:\.\d+)?(?:\s?(?:bn|mn|m|k|million|billion|trillion|"
    r"thousand)\b)?|\d+(?:,\d{3})*(?:\.\d+)?(?:\s?(?:%|per\s?cent\b|percent\b|bn\b|mn\b|m\b|k\b|"
    r"million\b|billion\b|trillion\b|thousand\b|hundred\b))?|"
    r"(?:hundreds|thousands|millions|billions|tens|dozens)(?:\s+of\s+(?:thousands|millions|"
    r"billions))?\b)",
    re.IGNORECASE,
)
_UNIT_STOP = frozenset(
    STOPWORDS
    | {
        "per",
        "than",
        "ago",
        "year-old",
        "years-old",
        "last",
        "next",
        "this",
        "year",
        "month",
        "week",
        "earlier",
        "later",
    }
)
_MAGNITUDE = re.compile(
    r"%|per\s?cent|percent|bn|mn|million|billion|trillion|thousand|hundred|"
    r"[$£€¥]|\d{2,}",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Figure:
    phrase: str  # "around 5 million artillery shells"
    value: str  # "5 million"
    unit: str  # "artillery shells"
    start: int
    end: int

    @property
    def specific(self) -> bool:
        return any(ch.isdigit() for ch in self.value)


def figures_in(text: str) -> list[Figure]:
    """Numbers with their units in a sentence — not dates, years, ages or times."""
    date_spans = [(d.start, d.end) for d in find_dates(text)]
    out: list[Figure] = []
    for m in _FIGURE.finditer(text):
        s, e = m.span()
        core = m.group(0).strip()
        if not core or any(s < de and ds < e for ds, de in date_spans):
            continue
        digits = re.sub(r"[^\d]", "", core)
        if re.fullmatch(r"(?:1[89]|20)\d\d", core):
            continue  # a year
        if text[e : e + 1] in ":/" or text[e : e + 1] == "-" or text[max(0, s - 1) : s] in "-/":
            continue  # times, ratios, "70-year-old", "one-on-one"
        if re.match(r"\s*(?:st|nd|rd|th)\b", text[e : e + 3]):
            continue
        if (
            digits
            and re.fullmatch(r",\s*", text[max(0, s - 2) : s] or "x")
            and text[e : e + 1] == ","
        ):
            continue  # "Kim, 39," — an age
        unit, unit_len = _unit_after(text[e:])
        if not digits and not unit:
            continue
        if not _MAGNITUDE.search(core) and not unit:
            continue  # a bare small number says nothing on its own
        value = re.sub(_QUALIFIER, "", core, count=1, flags=re.IGNORECASE).strip()
        out.append(Figure(text[s : e + unit_len].strip(), value, unit, s, e + unit_len))
    return out


_WORD_AFTER = re.compile(r"\s+([A-Za-z][\w'’-]*)")


def _unit_after(rest: str) -> tuple[str, int]:
    """Up to three words naming what is counted ("artillery shells", "of Russians") and the
    length of text they take."""
    pos = 0
    words: list[str] = []
    lead = re.match(r"\s+of(?=\s)", rest)
    if lead:
        pos = lead.end()
    while len(words) < 3:
        m = _WORD_AFTER.match(rest, pos)
        if not m or m.group(1).lower() in _UNIT_STOP:
            break
        words.append(m.group(1))
        pos = m.end()
        if m.group(1).endswith("s") and len(m.group(1)) > 3:
            break  # a plural noun ends the phrase
    if not words:
        return "", 0
    return " ".join(words), pos


# ---- outlook -----------------------------------------------------------------------------------
_OUTLOOK = (
    (
        re.compile(
            r"\b(?:unclear|uncertain|remains? to be seen|did not (?:specify|say|give)|"
            r"declined to (?:say|specify|comment)|not (?:yet )?(?:known|specified|clear)|"
            r"no (?:details|date|timetable)|in due course)\b",
            re.I,
        ),
        1.0,
    ),
    (
        re.compile(
            r"\b(?:being prepared|is expected|are expected|expected to|is due|are due|"
            r"is set to|are set to|plans to|scheduled|will|won't|upcoming|prospective)\b",
            re.I,
        ),
        0.8,
    ),
    (
        re.compile(
            r"\b(?:likely|unlikely|may|might|could|fears?|possible|possibility|would|"
            r"considering|being considered|warned)\b",
            re.I,
        ),
        0.5,
    ),
)


def outlook(text: str) -> float:
    """How strongly a unit looks ahead or names an open question (0 = not at all); markers in
    the reporter's own words count fully, markers inside a quotation count half."""
    frame = unquoted(text)
    best = 0.0
    for rx, weight in _OUTLOOK:
        if rx.search(frame):
            best = max(best, weight)
        elif rx.search(text):
            best = max(best, weight * 0.5)
    return best


_AHEAD = re.compile(
    r"\b(?:will|won't|being prepared|is expected|are expected|expected to|is due|are due|"
    r"is set to|are set to|plans to|scheduled|upcoming|prospective|in due course|"
    r"coming (?:days|weeks|months))\b",
    re.IGNORECASE,
)


def looks_ahead(text: str) -> bool:
    """Does the unit (quotations included) speak of something still to come?"""
    return bool(_AHEAD.search(text))


# ---- small helpers -----------------------------------------------------------------------------
def shorten(text: str, max_words: int = 60) -> str:
    """A long quotation cut at a sentence end (or a word) with an ellipsis."""
    words = text.split()
    if len(words) <= max_words:
        return text
    cut = " ".join(words[:max_words])
    ends = [m.end() for m in re.finditer(r"[.!?][\"”’]?(?=\s)", cut)]
    if ends and ends[-1] > len(cut) // 2:
        cut = cut[: ends[-1]]
    return cut.rstrip(" ,;:") + " …"


def first_words(texts: Sequence[str], n: int = 8) -> list[str]:
    return [" ".join(t.split()[:n]) for t in texts]
