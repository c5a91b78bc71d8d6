"""Text primitives shared by every analysis step: cleaning, sentences, terms.

Everything here is a pure function of its input.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache

import ftfy
import Stemmer  # PyStemmer: the Snowball stemmers compiled, 15x faster than their pure-Python port

_STEMMER = Stemmer.Stemmer("english")

# Function words carry no topic: they are left out of term vectors.
STOPWORDS = frozenset("""
a about above after again against all also am an and any are as at be because been before being below
between both but by can could did do does doing down during each few for from further had has have having
he her here hers herself him himself his how i if in into is it its itself just me more most my myself
no nor not of off on once only or other our ours ourselves out over own same she should so some such than
that the their theirs them themselves then there these they this those through to too under until up very
was we were what when where which while who whom why will with would you your yours yourself yourselves
said says say told tell according also would could may might must shall one two new s t
mr mrs ms dr week weeks day days time year years monday tuesday wednesday thursday friday saturday sunday
""".split())

# Words whose presence flips what a clause asserts.
NEGATIONS = frozenset("""
not no never none nobody nothing neither nor without cannot can't won't wasn't weren't isn't aren't
didn't doesn't don't hasn't haven't hadn't couldn't wouldn't shouldn't n't
""".split())

_ABBREVIATIONS = frozenset("""
mr mrs ms dr prof gen sen rep gov lt col maj capt adm sgt st jr sr inc corp co ltd vs etc e.g i.e
jan feb mar apr jun jul aug sep sept oct nov dec no nos u.s u.k u.n a.m p.m mt ft approx dept est
""".split())

_SENTENCE_END = re.compile(r"""(?<=[.!?…])["'”’)\]]*\s+(?=["'“‘(\[]?[A-Z0-9])""")
# An ordinal's suffix is no word of its own: "12th" is read as 12.
_WORD = re.compile(r"([^\W\d_](?:[\w'’\-]*\w)?|\d+(?:[.,:]\d+)*)(?:(?<=\d)(?:st|nd|rd|th)\b)?", re.UNICODE)
_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>|<!--.*?-->", re.DOTALL)
_SCRIPT_OR_STYLE = re.compile(r"<(script|style)\b.*?</\1\s*>", re.DOTALL | re.IGNORECASE)
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200b]+")
_QUOTES = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-", "\u2212": "-"})


def clean_text(text: str) -> str:
    """Repair mojibake and odd characters, normalise quotes and whitespace, keep line breaks."""
    if not text:
        return ""
    text = _repair_lossy_greek(ftfy.fix_text(text, normalization="NFKC"))
    text = text.translate(_QUOTES)
    lines = (_SPACES.sub(" ", line).strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def _repair_lossy_greek(text: str) -> str:
    """Undo what ftfy cannot: UTF-8 punctuation read as Windows-1253 with its trailing bytes lost.

    In such text "β" is the lead byte 0xE2 of a dash, quote or ellipsis. Only applied to
    text that is otherwise Latin, so real Greek is never touched.
    """
    greek = sum(1 for c in text if "\u0370" <= c <= "\u03ff")
    if not greek or greek * 50 > sum(c.isalpha() for c in text):
        return text
    return _GREEK_DASH.sub(" - ", text.replace("β¦", "..."))


_GREEK_DASH = re.compile(r"\s*β\s*")


def html_to_text(fragment: str) -> str:
    """Visible text of an HTML fragment such as a feed title or summary.

    Only real tags are removed: text like "<@U123>" or "<!channel>" is content and is kept, to be
    escaped on its way to Slack rather than silently dropped.
    """
    without_blocks = _SCRIPT_OR_STYLE.sub(" ", fragment)
    without_tags = _TAG.sub(" ", without_blocks)
    return " ".join(html.unescape(without_tags).split())


def split_sentences(text: str) -> list[str]:
    """Sentences of a text; paragraphs and lines never run into each other."""
    out: list[str] = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        start = 0
        for match in _SENTENCE_END.finditer(line):
            candidate = line[start:match.start()].rstrip()
            if _ends_with_abbreviation(candidate):
                continue
            out.append(candidate)
            start = match.end()
        tail = line[start:].strip()
        if tail:
            out.append(tail)
    return out


def _ends_with_abbreviation(sentence: str) -> bool:
    if not sentence.endswith("."):
        return False
    last = sentence.rsplit(None, 1)[-1].rstrip(".").lower().lstrip("(\"'")
    # "U.S." "a.m." single initials "J." and known abbreviations do not end a sentence
    initial = len(last) == 1 and last.isalpha()  # "J." is an initial; "4." ends "since June 4."
    return last in _ABBREVIATIONS or initial or bool(re.fullmatch(r"(?:[a-z]\.)+[a-z]", last))


def words(text: str) -> list[str]:
    """Lower-cased word and number tokens, apostrophes normalised."""
    return _WORD.findall(text.lower().replace("’", "'"))


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    if word[0].isdigit():
        return word
    base = word.removesuffix("'s")
    return str(_STEMMER.stemWord(base))


def is_term(word: str) -> bool:
    """Is this lower-cased word a content word (not a function word, a negation or a letter)?"""
    return word not in STOPWORDS and word not in NEGATIONS and len(word) > 1


def terms(text: str) -> list[str]:
    """Stemmed content terms: what a sentence is about, without function words."""
    return [stem(w) for w in words(text) if is_term(w)]
