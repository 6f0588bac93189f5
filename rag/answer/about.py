"""Whether an article is about what a question names.

A sentence from an article that never names any of the question's names answers some other
question: "How much do tickets for the Mary Poppins musical cost?" is not answered by "the
average cost of a cinema ticket could be as high as $6.25" in an article about cinemas, nor
"How much does India spend on agricultural subsidies?" by what "30 wealthy nations spend" in an
article that never mentions India. A news article names the people, bodies and places its story
is about, in its title or its text, even when the sentence that carries the figure says "it" or
"the company".

The question's names are its named entities (figures and dates aside) and its other proper nouns
(``question_names``); a nationality ("Russian") is no subject of its own and is left out here, as
an article about Moscow's court need not use the adjective. An article names one when its title
and text hold all of that name's words ("Arts Council of Wales": arts, council, wales), or its
initials ("WADA" for the World Anti-Doping Agency), or spell out an acronym ("United States" for
"US"). A question that names nothing is about whatever its sentences match.

A figure the question states ("Which automaker recalled 2.9 million vehicles…", "a 7.0-magnitude
earthquake") is as much its subject: an article that never states it reports another event
("FCA later agreed to recall 1.56 million Jeeps"). Years are left out (an article dates its story
in other words), and so are numbers that are part of a name ("Covid-19").
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from rag.answer.analysis import QuestionInfo
from rag.answer.nlp import NUMERIC_LABELS, parse
from rag.text.dates import NUMBER_WORDS

_WORD = re.compile(r"\w+")


def question_names(info: QuestionInfo, nationalities: bool = True) -> list[str]:
    """The question's named entities (numbers and dates aside; nationalities too unless
    ``nationalities``) and other proper nouns, as lower-case phrases without stop words: "South
    Korea" is covered by "South Korea", not by "North Korea"."""
    doc = parse(info.text)
    out: list[str] = []
    for ent in doc.ents:
        if ent.label_ in NUMERIC_LABELS or (ent.label_ == "NORP" and not nationalities):
            continue
        words = [t.lower_ for t in ent if not (t.is_stop or t.is_punct or t.tag_ == "POS")]
        if words:
            out.append(" ".join(words))
    out += [t.lower_ for t in doc if t.pos_ == "PROPN" and t.ent_type_ == "" and not t.is_stop]
    return list(dict.fromkeys(out))


def question_figures(question: str) -> list[str]:
    """The figures ``question`` states, as digits without thousands separators ("21,000" →
    21000, "$19.5m" → 19.5): not years, nor numbers joined to a word ("Covid-19", "G7")."""
    out = []
    for m in _FIGURE.finditer(question):
        figure = m.group(0).replace(",", "")
        if not _YEAR.fullmatch(figure):
            out.append(figure)
    return list(dict.fromkeys(out))


def _rounds_to(figure: str, stated: set[str]) -> bool:
    """Whether one of the ``stated`` numbers rounds to ``figure`` at its precision: a
    question rounds what the article gives ("more than 13%" of "13.1%", "2.9 million" of
    "2.87 million")."""
    places = len(figure.partition(".")[2])
    value = float(figure)
    return any(round(float(x), places) == value for x in stated)


def states_figures(figures: Sequence[str], text: str) -> bool:
    """Whether ``text`` states every one of ``figures`` (``question_figures``), as given or more
    precisely, or, for a small number, in words as news style writes them ("2 goals": "two
    goals")."""
    if not figures:
        return True
    stated = {m.group(0).replace(",", "") for m in _FIGURE.finditer(text)}
    numbers = {x for x in stated if x.count(".") <= 1}  # not "1.2.3"
    words: frozenset[str] | None = None
    for figure in figures:
        if figure in stated or (figure.count(".") <= 1 and _rounds_to(figure, numbers)):
            continue
        word = _NUMBER_WORDS.get(figure)
        words = words_of(text) if words is None else words
        if word is None or word not in words:
            return False
    return True


_FIGURE = re.compile(r"(?<![\w.,-])\d+(?:[.,]\d+)*(?![\w-]*\d)")
_YEAR = re.compile(r"(?:19|20)\d\d")
_NUMBER_WORDS = {str(n): word for word, n in NUMBER_WORDS.items()}  # "2" → "two"


def words_of(text: str) -> frozenset[str]:
    """The lower-case words of ``text``, possessive endings off ("Nestle's" → nestle)."""
    return frozenset(_WORD.findall(text.lower().replace("’s", " ").replace("'s", " ")))


def initialisms(text: str) -> frozenset[str]:
    """The initials of every stretch of two or more words of ``text``'s runs of capitalised words,
    small words between them skipped ("The United States" → us, tus; "World Anti-Doping Agency"
    → wada): what an acronym in a question ("US") may stand for in an article that spells it out."""
    out: set[str] = set()
    for run in _CAPITALISED_RUN.finditer(text):
        first = "".join(w[0] for w in re.split(r"[\s-]+", run.group(0)) if w[:1].isupper())
        # every stretch of the run: "The United States" holds "United States"
        out.update(
            first[i:j].lower() for i in range(len(first)) for j in range(i + 2, len(first) + 1)
        )
    return frozenset(out)


_CAPITALISED_RUN = re.compile(r"[A-Z][\w'’]*(?:(?:\s+(?:of|the|and|for)|)[\s-]+[A-Z][\w'’]*)+")


def names_any(names: Sequence[str], text: str) -> bool:
    """Whether ``text`` names one of ``names`` (``question_names``): all of its words, its
    initials when it has several, or, for an acronym ("us"), words it is the initials of. True
    when there are no names."""
    if not names:
        return True
    said = words_of(text)
    acronyms: frozenset[str] | None = None
    for name in names:
        words = _WORD.findall(name)
        if not words:
            continue
        if set(words) <= said or (len(words) > 1 and "".join(w[0] for w in words) in said):
            return True
        if len(words) == 1 and 2 <= len(words[0]) <= 5:
            acronyms = initialisms(text) if acronyms is None else acronyms
            if words[0] in acronyms:
                return True
    return False
