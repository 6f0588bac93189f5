"""The chat page leads with the short answer, the quoted sentences and corroboration below it."""

from __future__ import annotations

from rag import Answer, Citation, Claim
from ui.chat import answer_html


def _answer(short: str | None, corroboration: int = 0) -> Answer:
    cite = Citation(1, "a.txt", 0, 20, "Putin will visit on June 18-19.", "a:0")
    claim = Claim("Putin will visit on June 18-19.", (cite,), True, 0.9)
    text = f"{short} — “{claim.text}” [1]" if short else f"{claim.text} [1]"
    return Answer(
        "When?",
        text,
        (claim,),
        False,
        "extractive",
        short_answer=short,
        corroboration=corroboration,
    )


def test_short_answer_comes_first_then_the_quote() -> None:
    html = answer_html("t0", _answer("June 18-19", 3))
    assert html.index("June 18-19</strong>") < html.index("“Putin will visit")
    assert "(3 articles)" in html


def test_without_a_short_answer_the_sentences_are_the_answer() -> None:
    html = answer_html("t0", _answer(None))
    assert "dz-short-answer" not in html and "“" not in html
    assert "Putin will visit on June 18-19." in html
