"""Boilerplate learned from repetition: lines an outlet prints on many of its articles.

Template detection in the jusText / boilerpipe tradition, on whole lines: a line (normalised:
case folded, every run of digits one ``0``, punctuation dropped, so "Replay 02:21" and "Replay
01:07" are one line) that recurs across many articles of the same outlet is page chrome — a
newsletter box, a byline outlet, a disclaimer — unless it is article text. The statistics are a
document frequency per outlet, kept incrementally: :meth:`BoilerplateStats.observe` adds (or
replaces) one article's lines, :meth:`BoilerplateStats.forget` takes them out again, so the 50th
CNN article of a folder is cleaned with what the first 49 taught.

A normalised line is *learned chrome* for an outlet when

* the outlet has at least :attr:`Thresholds.min_outlet_docs` articles, and
* it occurs in at least :attr:`Thresholds.min_docs` of them and in at least
  :attr:`Thresholds.min_share` of all of them; a *sentence-like* line (eight words or more ending
  in sentence punctuation, or twenty words or more) must clear the higher bars
  :attr:`Thresholds.prose_min_docs` / :attr:`Thresholds.prose_min_share`, because a paragraph
  quoted in a few digests or a story filed twice recurs too and is not chrome.

The cleaner (``index.clean``) adds one more guard at use: a learned short line that heads a
section of the article's own text (a digest's "Alabama", "TODAY'S NUMBER") is kept.

Only hashes of the normalised lines are stored, never text. The file is JSON
(``boilerplate.json`` in the directory given to :meth:`BoilerplateStats.load`), holding per
article its outlet and line hashes; counts are rebuilt from it on load, so they cannot drift.
Everything here is deterministic: the same articles give the same statistics in any order.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from index.atomic import write_atomic

STATS_FILE = "boilerplate.json"
FORMAT_VERSION = 1

_DIGITS = re.compile(r"\d+")
_NON_WORD = re.compile(r"[\W_]+")
_LETTER = re.compile(r"[^\W\d_]")
_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*$")


def line_key(line: str) -> str:
    """The normalised form of ``line`` that repetition is counted on ("" when it has no words)."""
    text = _DIGITS.sub("0", line.casefold())
    return " ".join(_NON_WORD.sub(" ", text).split())


def line_hash(key: str) -> str:
    """A short stable hash of a normalised line (48 bits, hex)."""
    return hashlib.blake2b(key.encode("utf-8"), digest_size=6).hexdigest()


def outlet_key(outlet: str | None) -> str | None:
    """The outlet name statistics are kept under ("USA Today" and "USA TODAY" are one outlet)."""
    if not outlet:
        return None
    key = line_key(outlet)
    return key or None


def is_sentence_like(line: str) -> bool:
    """Eight words or more ending like a sentence, or twenty words or more."""
    words = len(line.split())
    return words >= 20 or (words >= 8 and bool(_SENTENCE_END.search(line.strip())))


@dataclass(frozen=True)
class Thresholds:
    """When a recurring line counts as chrome; the defaults were fitted on the even-numbered half
    of the RealTime QA corpus (see ``evals/bench_clean.py``)."""

    min_outlet_docs: int = 5
    """Below this many articles of an outlet nothing is learned for it."""
    min_docs: int = 3
    """A short line must recur in at least this many articles ..."""
    min_share: float = 0.01
    """... and in at least this share of the outlet's articles."""
    prose_min_docs: int = 8
    """A sentence-like line must recur in at least this many articles (body paragraphs quoted by
    several digests of one outlet recur up to 6 times in 762 CNN articles) ..."""
    prose_min_share: float = 0.01
    """... and in at least this share of them."""


@dataclass(frozen=True)
class Learned:
    """Why a line was taken for chrome: it occurs in ``docs`` of the outlet's ``outlet_docs``."""

    docs: int
    outlet_docs: int

    @property
    def rule(self) -> str:
        return f"repeated:{self.docs}/{self.outlet_docs}"


class BoilerplateStats:
    """Per-outlet document frequencies of normalised lines, updated article by article."""

    def __init__(self, path: Path | None = None, thresholds: Thresholds | None = None) -> None:
        self.path = path
        self.thresholds = thresholds or Thresholds()
        self._docs: dict[str, tuple[str, tuple[str, ...]]] = {}
        self._df: dict[str, Counter[str]] = {}
        self._n: Counter[str] = Counter()

    # --- persistence -------------------------------------------------------------------------

    @classmethod
    def load(cls, directory: Path, thresholds: Thresholds | None = None) -> BoilerplateStats:
        """The statistics saved in ``directory`` (empty ones when there is no file yet)."""
        stats = cls(Path(directory) / STATS_FILE, thresholds)
        if stats.path is not None and stats.path.is_file():
            data = json.loads(stats.path.read_text(encoding="utf-8"))
            if data.get("version") == FORMAT_VERSION:
                for doc_id, (outlet, hashes) in sorted(data.get("docs", {}).items()):
                    stats._add(str(doc_id), str(outlet), tuple(str(h) for h in hashes))
        return stats

    def save(self) -> None:
        """Write the statistics atomically (a temporary file renamed over the old one)."""
        if self.path is None:
            raise ValueError("these statistics have no file; build them with load(directory)")
        docs = {d: [o, list(h)] for d, (o, h) in sorted(self._docs.items())}
        write_atomic(
            self.path, json.dumps({"version": FORMAT_VERSION, "docs": docs}, separators=(",", ":"))
        )

    # --- updates -----------------------------------------------------------------------------

    def observe(self, doc_id: str, outlet: str | None, text: str) -> None:
        """Count the lines of one article (raw text, before cleaning) under its outlet.

        Observing a ``doc_id`` again replaces its earlier lines; an article without an outlet is
        not counted (and an earlier observation of it is forgotten).
        """
        self.forget(doc_id)
        key = outlet_key(outlet)
        if key is None:
            return
        hashes = sorted(
            {line_hash(k) for k in map(line_key, text.split("\n")) if _LETTER.search(k)}
        )
        self._add(doc_id, key, tuple(hashes))

    def forget(self, doc_id: str) -> bool:
        """Take one article's lines out of the counts; False when it was not counted."""
        entry = self._docs.pop(doc_id, None)
        if entry is None:
            return False
        outlet, hashes = entry
        df = self._df[outlet]
        df.subtract(hashes)
        for h in hashes:
            if df[h] <= 0:
                del df[h]
        self._n[outlet] -= 1
        if self._n[outlet] <= 0:
            del self._n[outlet]
            del self._df[outlet]
        return True

    def _add(self, doc_id: str, outlet: str, hashes: tuple[str, ...]) -> None:
        self._docs[doc_id] = (outlet, hashes)
        self._df.setdefault(outlet, Counter()).update(hashes)
        self._n[outlet] += 1

    # --- queries -----------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._docs)

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self._docs

    def outlet_docs(self, outlet: str | None) -> int:
        """How many articles of ``outlet`` are counted."""
        key = outlet_key(outlet)
        return self._n[key] if key else 0

    def doc_freq(self, outlet: str | None, line: str) -> int:
        """In how many articles of ``outlet`` the (normalised) ``line`` occurs."""
        key, norm = outlet_key(outlet), line_key(line)
        if not key or not norm or key not in self._df:
            return 0
        return self._df[key][line_hash(norm)]

    def learned(self, outlet: str | None, line: str) -> Learned | None:
        """Why ``line`` is chrome for ``outlet`` by repetition, or None when it is not."""
        key = outlet_key(outlet)
        if key is None or not _LETTER.search(line_key(line)):
            return None  # "$10,000" and "02:21" are not learned: numbers are normalised away
        n = self._n[key]
        t = self.thresholds
        if n < t.min_outlet_docs:
            return None
        df = self.doc_freq(outlet, line)
        prose = is_sentence_like(line)
        need_docs = t.prose_min_docs if prose else t.min_docs
        need_share = t.prose_min_share if prose else t.min_share
        if df >= need_docs and df >= need_share * n:
            return Learned(df, n)
        return None

    def learned_hashes(self, outlet: str | None) -> frozenset[str]:
        """The hashes of every line learned for ``outlet``, sentence-like or not (a superset:
        whether a hash is prose depends on the line, which is not stored)."""
        key = outlet_key(outlet)
        if key is None or self._n[key] < self.thresholds.min_outlet_docs:
            return frozenset()
        n, t = self._n[key], self.thresholds
        bar = max(t.min_docs, t.min_share * n)
        return frozenset(h for h, c in self._df[key].items() if c >= bar)

    def snapshot(self) -> dict[str, frozenset[str]]:
        """Every outlet's learned hashes, to compare with later (see :meth:`affected_since`)."""
        return {o: self.learned_hashes(o) for o in sorted(self._n)}

    def affected_since(self, before: Mapping[str, frozenset[str]]) -> list[str]:
        """Articles whose cleaning may differ now from when ``before`` was taken: those holding
        a line that became, or stopped being, learned chrome for their outlet."""
        changed: dict[str, frozenset[str]] = {}
        for outlet in sorted(set(before) | set(self._n)):
            diff = before.get(outlet, frozenset()) ^ self.learned_hashes(outlet)
            if diff:
                changed[outlet] = diff
        return sorted(
            d for d, (o, hashes) in self._docs.items() if o in changed and changed[o] & set(hashes)
        )

    def outlets(self) -> dict[str, int]:
        """Articles counted per outlet key."""
        return dict(sorted(self._n.items()))


def learn(
    docs: Iterable[tuple[str, str | None, str]], thresholds: Thresholds | None = None
) -> BoilerplateStats:
    """Statistics (in memory) over ``(doc_id, outlet, text)`` triples."""
    stats = BoilerplateStats(thresholds=thresholds)
    for doc_id, outlet, text in docs:
        stats.observe(doc_id, outlet, text)
    return stats


# --- general shapes ------------------------------------------------------------------------------
# What repetition cannot see in a small folder: furniture every news site prints in its own words.
# Each shape is a named rule; none is one site's phrase. ``block_shape`` may match a line of any
# length (no paragraph of prose ends in "Hide Caption 3 of 28" or "/Getty Images");
# ``line_shape`` only short lines and promos of at most ``_PROMO_WORDS`` words.

_I = re.IGNORECASE
_DUR = r"(?<![\d:])\d{1,2}:\d\d(?::\d\d)?"
_SOURCE = r"\s*[-–—]\s*source:"
_VIDEO_WORD = re.compile(r"\b(?:watch(?:ed|ing)?|videos?|replay|play(?:ing)?|clip)\b", _I)
_VIDEO_DUR = re.compile(rf"{_DUR}(?:{_SOURCE}.*)?$|{_DUR}{_SOURCE}", _I)
_MEDIA_STAMP = re.compile(rf"(?:{_DUR}\s*)+(?:{_SOURCE}.{{0,40}})?", _I)
_GALLERY = re.compile(
    r"\b(?:hide|show|close|expand) caption\b|\bprev(?:ious)? next$|^(?:photos?|images?|slide)"
    r" \d+ of \d+\b|\b\d+ of \d+ (?:photos|images|slides)\b",
    _I,
)
_AGENCY_TAIL = (
    r"(?:(?i:AP|Reuters|AFP|EPA(?:-EFE)?|Getty Images|Shutterstock|Alamy|Sipa USA|Bloomberg"
    r"|Pool|Sputnik|TASS|Xinhua|Anadolu Agency|NurPhoto|ZUMA Press(?: Wire)?|Imagn"
    r"|USA TODAY(?: Sports)?)|[A-Z][\w-]* Images|[A-Z][\w-]* Photos?|[A-Z][\w-]* Press)"
)
_CREDIT = (
    r"[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){0,3}\s*/+\s*(?:[\w.,&'’-]+\s*/+\s*|[\w.,&'’-]+\s){0,3}"
    rf"(?:via )?{_AGENCY_TAIL}(?: via {_AGENCY_TAIL})?"
)
_PHOTO_CREDIT = re.compile(
    r"\((?:[A-Z]+ )?(?i:photo|image|picture|credit|courtesy|file photo|illustration)s?\b"
    r"[^()]{0,120}\)$"
    r"|\b(?i:(?:photo |image )?credit\s*:|courtesy of)\s*[^!?\"“”]{1,80}[^.!?\"“”\s]$"
    r"|\b(?i:(?:photo |image )?credit)\s*:\s*[A-Z][\w&'’-]*(?:\s+[A-Z][\w&'’-]*){0,5}\.$"
    rf"|{_CREDIT}(?:/FILE)?\)?$|^{_CREDIT}\s+[A-Z]|[.!?]\s+{_AGENCY_TAIL}$",
)
_LEAD = re.compile(r"^[►▶»➤•*\s]+")
_ATTRIBUTION = re.compile(r"\b(?:said|says|told|according to|warned|wrote|tweeted)\b", _I)
_READ_MORE = [
    re.compile(p, _I)
    for p in (
        r"(?:read|see|view|watch|listen to|continue reading)\W{0,3}(?:more|the (?:full|whole"
        r"|complete|original|entire) (?:story|article|report|interview|transcript|list|piece))"
        r"\b.{0,150}",
        r"(?:more|related|also|previously|see also|also read|further reading|read next|up next"
        r"|more coverage|read|watch|listen|video)\s*:\s*\S.{0,150}",
        r"(?:you can |to )?(?:read|see|watch|view|listen to|find|check(?: out)?|get|follow)\b"
        r"[^.!?]{0,80}\b(?:here|below|online)\s*[.!]?",
        r"(?:continue|keep) reading\b.{0,80}|full story\b.{0,80}",
    )
]
_GLUED_KICKER = re.compile(r"^[^:]{2,70}?[A-Za-z)'’\"”?!]:(?=[A-Z0-9‘'\"“])")
_PROMO_NOUN = re.compile(
    r"\b(?:newsletters?|inbox|subscri(?:be|bed|bers?|bing|ptions?)|sign[- ]?up|digital access"
    r"|e-?mail alerts?|text (?:message )?alerts?|podcasts?|our app|(?:telegram|whatsapp) channel"
    r"|facebook group)\b",
    _I,
)
_PROMO_CTA = re.compile(
    r"(?:^|[.!?:►▶•|(][\"'”’]?\s*|\b(?:you can|please|just|also)\s+"
    r"|,\s*(?=sign up|subscribe)|\bor\s+(?=sign up for (?:[\w']+ ){0,4}(?:newsletter|e-?mail)))"
    r"(?:sign up|subscribe|get|join"
    r"|click|tap|download|register|listen|follow|try|become|support|receive|want|don'?t miss"
    r"|never miss|enjoying|would you like)\b",
    _I,
)
_PROMO_STRONG = re.compile(
    r"\bsign up (?:here|now|today|for free|right here|below)\b|\bsubscribe (?:here|now|today)\b"
    r"|\b(?:delivered|sent|straight|right|directly) (?:straight |right |directly )?to your "
    r"(?:inbox|phone)\b|\bin your inbox\b"
    r"|^a version of this (?:story|article) (?:first )?appeared in\b"
    r"|^this (?:story|article) is part of\b.{0,80}\bnewsletter\b|\bour (?:\w+ ){0,3}newsletter\b"
    r"|^(?:turn to|tune in to|watch|follow|stream|get)\b.{0,60}\blive (?:coverage|updates|blog"
    r"|stream)\b|^follow along\b|\bclick here\b",
    _I,
)
_PROMO_WORDS = 70
_PROMO_TAIL = re.compile(r"\b(?:sign up|subscribe) (?:here|now|today)\s*[.!]*\s*$", _I)
_CONSENT = re.compile(
    r"\b(?:privacy policy|privacy notice|cookie policy|terms of (?:use|service)|tick here"
    r"|opt[- ]out|unsubscribe)\b",
    _I,
)
_CONSENT_START = re.compile(
    r"(?:we|if you|by (?:clicking|signing|subscribing|submitting|registering|continuing)"
    r"|you (?:agree|can|may)|your|please|to (?:find|learn) out more)\b",
    _I,
)
_CAP = r"[A-Z][\w.'’-]*"
_NAME = rf"{_CAP}(?:\s+(?:{_CAP}|van|von|de|da|del|der|bin|al|la|le))*"
_HANDLE = re.compile(
    r"[\w.+-]+@[\w-]+\.[\w.]+|@[A-Za-z_]\w+|twitter\.com/\w|\bon (?:twitter|x|instagram|facebook"
    r"|linkedin|threads|bluesky|tiktok)\b",
    _I,
)
_ADDRESSES = re.compile(
    r"(?:[\w.+-]+@[\w-]+\.[\w.]+|@[A-Za-z_]\w+|\(?\d{3}\)?[ .-]?\d{3}[ .-]\d{4}|[;,|/]|or|and"
    r"|\s)+",
    _I,
)
_TITLED_DURATION = re.compile(r"[^.!?]{3,150}\s(?<![\d:])\d{1,2}:\d\d")
_CONTACT_START = re.compile(
    rf"(?:^|[.!?:]\s+)(?:(?:contact|reach|email|e-mail|follow|send|write to|dm|message|find)\b"
    rf"|you can (?:reach|follow|email|contact|find)\b|connect with)|^(?-i:{_NAME}) (?:is an? "
    rf"|covers |writes |reports )|\bcan be (?:reached|contacted)\b|\bfollow (?:him|her|them|us"
    rf"|me) on\b",
    _I,
)
_SIGNATURE = re.compile(
    rf"[-–—]{{1,2}}\s*{_CAP}\s+{_NAME}(?:\s*(?:,|;|and|&)\s*{_NAME})*(?:\s*,\s*[A-Z][^.]{{0,50}})?\.?"
)
_CREDIT_LINE = [
    re.compile(p, _I)
    for p in (
        r"(?:[-–—]\s*)?(?:contributing|contributors?)\s*:.{0,120}",
        r"[-–—]?.{0,150}\bcontributed(?: reporting)?(?: to this (?:report|story|article))?\.?",
        r".{0,80}\bcontributing\.?",
        r"(?:from )?.{0,60}\bwire (?:reports|services)\.?",
    )
]
_AGENCIES = frozenset(
    line_key(a)
    for a in "AP|Associated Press|The Associated Press|Reuters|Thomson Reuters|AFP|Agence France-"
    "Presse|UPI|Bloomberg|Bloomberg News|PA|PA Media|Press Association|dpa|EFE|Xinhua|TASS|ANSA"
    "|Kyodo|Kyodo News|Yonhap|USA TODAY Network".split("|")
)
# A place and the outlet over the lede: capitalised words ("New York CNN Business —"), at most
# one in lower case; "I want us to --" in a transcript is speech cut off.
_DATELINE = re.compile(
    r"(?:[A-Z][\w.,'’()&/-]*\s+){0,6}(?:[a-z][\w.,'’()&/-]*\s+)?(?:[A-Z][\w.,'’()&/-]*\s+)*(?:—|–|--|-)"
)
_UPDATE_NOTE = re.compile(
    r"(?:this|the) (?:story|article|post|report|page) (?:has been|was|is being|will be) updated"
    r"\b.{0,120}",
    _I,
)
_DISCLOSURE = re.compile(
    r"\b(?:(?:is|are) (?:made possible|supported|funded|produced) in part by|content partner"
    r"|(?:earn|receive) (?:us )?(?:a )?(?:small )?commission|opinions expressed in this"
    r"|independently (?:chosen|selected) by)\b|^prices (?:were|are) accurate\b",
    _I,
)


def block_shape(line: str) -> str | None:
    """A shape that marks a line of any length as chrome: video promo, gallery, photo credit."""
    low = line.casefold()
    if ":" in line and _VIDEO_DUR.search(line) and _VIDEO_WORD.search(line):
        return "video-promo"
    if (" of " in low or "caption" in low or low.endswith("next")) and _GALLERY.search(line):
        return "gallery"
    if (
        ("/" in line or "(" in line or "credit" in low or "courtesy" in low or "images" in low)
        and len(line.split()) <= 160
        and _PHOTO_CREDIT.search(line)
    ):
        return "photo-credit"
    return None


def is_wire_credit(line: str, outlet: str | None = None) -> bool:
    """A line that only names a wire agency or the article's own outlet ("AP", "USA TODAY")."""
    key = line_key(line)
    return bool(key) and (key in _AGENCIES or key == outlet_key(outlet))


def is_name_line(line: str) -> bool:
    """Two to four capitalised words and nothing else ("Donna Leinwand Leger")."""
    words = line.split()
    return (
        2 <= len(words) <= 4
        and len(line) <= 40
        and bool(re.fullmatch(rf"{_NAME}", line))
        and not line.isupper()
    )


# Cheap substring tests that gate the costlier patterns of each shape.
_HINTS = {
    "promo": "newsletter|inbox|subscri|sign up|sign-up|signup|podcast|alert|our app|channel|group"
    "|live |digital access|version of|follow along|click here".split("|"),
    "consent": "privacy|cookie|terms of|tick here|opt|unsubscribe".split("|"),
    "disclosure": "in part by|partner|commission|opinions expressed|independently|accurate".split(
        "|"
    ),
}


def _hinted(kind: str, low: str) -> bool:
    return any(h in low for h in _HINTS[kind])


def line_shape(line: str, outlet: str | None = None) -> str | None:
    """The general chrome shape of a short line (or promo), by name, or None."""
    words = len(line.split())
    bare = _LEAD.sub("", line)
    low = line.casefold()
    if words <= 30 and ":" in bare and _GLUED_KICKER.search(bare) and "://" not in bare:
        return "related-link"
    if words <= 30 and any(p.fullmatch(bare) for p in _READ_MORE):
        return "read-more"
    if line[:1].isdigit() and _MEDIA_STAMP.fullmatch(line):
        return "media-timestamp"
    if words <= 20 and line[-1:].isdigit() and _TITLED_DURATION.fullmatch(line):
        return "media-timestamp"  # a video's title and running time: "How X met Y 03:41"
    if ("@" in line or line[:1] == "(") and _ADDRESSES.fullmatch(line):
        return "contact"
    if line.startswith(('"', "“", "‘", "'")):
        return None
    if words > _PROMO_WORDS:  # a long promo still ends by asking the reader to sign up
        long_promo = _PROMO_TAIL.search(line) and _PROMO_NOUN.search(line)
        return "promo" if long_promo and not _ATTRIBUTION.search(line) else None
    for kind in ("promo", "consent", "contact", "disclosure"):
        if (kind == "contact" or _hinted(kind, low)) and _SHAPES[kind](line, bare):
            return None if _ATTRIBUTION.search(line) else kind
    if words > 30:
        return None
    if words <= 7 and line.endswith(("-", "—", "–")) and _DATELINE.fullmatch(line):
        return "dateline"
    if is_wire_credit(line, outlet) or any(p.fullmatch(line) for p in _CREDIT_LINE):
        return "wire-credit"
    if words <= 14 and line[:1] in "-–—" and _SIGNATURE.fullmatch(line):
        return "signature"
    if "updated" in low and _UPDATE_NOTE.fullmatch(line):
        return "update-note"
    return None


_SHAPES = {
    "promo": lambda line, bare: bool(
        _PROMO_STRONG.search(bare) or (_PROMO_NOUN.search(bare) and _PROMO_CTA.search(bare))
    ),
    "consent": lambda line, bare: bool(_CONSENT.search(line) and _CONSENT_START.match(line)),
    "contact": lambda line, bare: bool(
        ("@" in line or " on " in line or "twitter.com" in line.casefold())
        and _CONTACT_START.search(bare)
        and _HANDLE.search(line)
    ),
    "disclosure": lambda line, bare: bool(_DISCLOSURE.search(line)),
}
