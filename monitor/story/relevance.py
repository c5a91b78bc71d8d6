"""Is an article about the story?  A weighted term profile that grows with the story.

The profile weighs each term by how many story documents use it (terms every
document uses are the core of the story) and by how informative it is in
general English.  An article's relevance is the cosine between its own
weighted terms and the profile: an article that merely names one of the
story's actors covers little of the profile, so near misses stay below the bar.  A headline
led by a party the story has never met, naming none it knows, is about someone else (another
company's recall): its relevance is discounted.

Scores are put on one scale whatever way the story was given.  A profile built from five long
articles scores its own articles higher than one built from two articles and forty one-line
claims (each term is shared by fewer documents, so the profile is flatter).  Once the seeds are
in, ``fix_scale`` measures how closely the seed articles match their own profile, and every
later score is expressed against that: one threshold then means the same for every story.
"""

from __future__ import annotations

import math
import re
import statistics
from collections import Counter

from monitor.story.claims import content_term, information
from monitor.story.frames import WEEKDAYS
from monitor.story.text import STOPWORDS, stem, terms, words
from monitor.story.values import MONTHS

# How much a headline naming only strangers keeps of its relevance: a strong match still passes.
STRANGER_DISCOUNT = 0.6
# How closely a seed article matches a profile of five seed articles, the usual way to give a story:
# the unit of the scale.  Fewer seed articles than ``_SCALED_FROM`` tell too little about it (one
# article is its own whole profile), so such stories keep the unit.
TYPICAL_SELF_MATCH = 0.65
_SCALED_FROM = 3
_CAPITALISED = re.compile(r"(?<![\w'’])[A-Z][\w'’-]*")
_POSSESSIVE = re.compile(r"['’]s?$")
_RARE = 6.0  # information of a capitalised first word that is a name, not just the headline's first word


class StoryProfile:
    def __init__(self, topics: dict[str, float] | None = None) -> None:
        self._df: Counter[str] = Counter()
        self._info: dict[str, float] = {}
        self._documents = 0
        self._plain = 0.0  # sum of df⁴ · info² over the terms that are not topics
        self._topics: dict[str, float] = {}
        self._negatives: list[tuple[dict[str, float], float]] = []  # articles people said are another story
        self._scale = 1.0
        for phrase, weight in (topics or {}).items():
            for term in terms(phrase):
                self._topics[term] = max(self._topics.get(term, 0.0), weight)

    @property
    def documents(self) -> int:
        return self._documents

    def add_document(self, text: str) -> None:
        self._documents += 1
        vocabulary = dict.fromkeys(words(text))  # distinct words in order: the same result in every run
        for w in vocabulary:
            self._info.setdefault(stem(w), information(w))
        for term in dict.fromkeys(found[0] for found in map(content_term, vocabulary) if found is not None):
            df = self._df[term]
            self._df[term] = df + 1
            if term not in self._topics:
                self._plain += ((df + 1) ** 4 - df**4) * self._info[term] ** 2

    def remove_document(self, text: str) -> None:
        """Take back a document ``add_document`` counted (one people said is about another story)."""
        if not self._documents:
            return
        self._documents -= 1
        vocabulary = dict.fromkeys(words(text))
        for term in dict.fromkeys(found[0] for found in map(content_term, vocabulary) if found is not None):
            df = self._df[term]
            if df <= 0:
                continue
            self._df[term] = df - 1
            if term not in self._topics:
                self._plain -= (df**4 - (df - 1) ** 4) * self._info.get(term, information(term)) ** 2

    @property
    def scale(self) -> float:
        """The factor that puts this story's scores on the common scale (see ``fix_scale``)."""
        return self._scale

    def fix_scale(self, seed_articles: list[str]) -> float:
        """Measure the story's own scale (see the module docstring) from its seed articles, once they are
        in the profile; returns the factor every later score is multiplied by."""
        if len(seed_articles) >= _SCALED_FROM:
            median = statistics.median(self._cosine(_vector("", text)) for text in seed_articles)
            self._scale = TYPICAL_SELF_MATCH / median if median > 0 else 1.0
        return self._scale

    def add_negative(self, title: str, text: str) -> None:
        """An article about another story: articles much like it lose relevance."""
        vector = _vector(title, text)
        self._negatives.append((vector, _norm(vector)))

    def weight(self, term: str) -> float:
        share = self._df.get(term, 0) / self._documents if self._documents else 0.0
        topical = self._topics.get(term, 0.0) / 3.0
        return max(share, topical) ** 2 * self._info.get(term, information(term))

    def _profile_norm(self) -> float:
        """Norm of the profile vector.  For the many terms that are not topics, weight² is
        (df / documents)⁴ · info², so their sum is kept as Σ df⁴ · info² and scaled here: the
        cost per article stays constant however large the story's vocabulary grows."""
        plain = self._plain / self._documents**4 if self._documents else 0.0
        return math.sqrt(plain + sum(self.weight(t) ** 2 for t in self._topics)) or 1.0

    def _cosine(self, vector: dict[str, float], norm: float | None = None) -> float:
        """The article's cosine with the profile, on no scale (``norm``: the vector's, when known)."""
        dot = sum(v * self.weight(t) for t, v in vector.items())
        return dot / ((norm or _norm(vector)) * self._profile_norm())

    def relevance(self, title: str, text: str, negative_floor: float = 0.5) -> float:
        """Cosine similarity in [0, 1] between the article and the story profile, discounted for an
        article much like one people said is about another story: by nothing at ``negative_floor``
        resemblance, to zero at a copy of it."""
        vector = _vector(title, text)
        if not vector:
            return 0.0
        norm = _norm(vector)
        relevance = self._cosine(vector, norm) * self._scale
        names = headline_names(title)
        if _led_by_a_name(title) and not any(self._df.get(name) or name in self._topics for name in names):
            relevance *= STRANGER_DISCOUNT
        if self._negatives:
            resemblance = max(sum(v * other.get(t, 0.0) for t, v in vector.items()) / (norm * other_norm)
                              for other, other_norm in self._negatives)
            if resemblance > negative_floor:
                relevance *= max(0.0, 1 - (resemblance - negative_floor) / (1 - negative_floor))
        return min(1.0, relevance)


def headline_names(title: str) -> set[str]:
    """The stems of the names in a headline: capitalised words after the first, and the first when it is
    no everyday word ("Commentary: ..." names nobody)."""
    return {stem(word) for m in _CAPITALISED.finditer(title) if (word := _name(m))}


def _led_by_a_name(title: str) -> bool:
    """Does the headline open with a name, its subject ("Nordvik recalls ...", not "Ferry crews in ...")?"""
    m = _CAPITALISED.match(title)
    return m is not None and bool(_name(m))


def _name(m: re.Match[str]) -> str:
    """The capitalised word as a name, or "" when it is none (a function word, a day, a headline's
    everyday first word)."""
    word = _POSSESSIVE.sub("", m.group()).replace(".", "").lower()  # "U.S." is "us"
    if len(word) < 2 or word in STOPWORDS or word in WEEKDAYS or word in MONTHS:
        return ""
    return "" if m.start() == 0 and information(word) < _RARE else word


def _vector(title: str, text: str) -> dict[str, float]:
    """An article's weighted terms: log counts times how informative each word is in general English."""
    tokens = words(f"{title}\n{title}\n{text}")  # the headline, twice, says what the story is
    counts = Counter(found[0] for found in map(content_term, tokens) if found is not None)
    info = {stem(w): information(w) for w in dict.fromkeys(tokens)}
    return {t: (1 + math.log(c)) * info.get(t, 4.0) for t, c in counts.items()}


def _norm(vector: dict[str, float]) -> float:
    return math.sqrt(sum(v * v for v in vector.values())) or 1.0
