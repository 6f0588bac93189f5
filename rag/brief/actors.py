"""Who says what in news sentences: speakers from reporting verbs, inverted attributions and
"according to", their names stripped of titles, and one canonical name per actor
("Dmitry Peskov", "Peskov" and "the Kremlin spokesman" are one)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from rag.text.names import TITLES
from rag.text.terms import STOPWORDS

_QUOTED = re.compile(r"\"[^\"]*\"?|“[^”]*”?")


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
