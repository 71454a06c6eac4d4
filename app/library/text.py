"""Words as the library's search sees them, the same on SQLite and PostgreSQL.

Every text the index holds and every query go through `keys()`: split into words, accents folded
("réfugiés" → "refugies"), lower-cased, common words of both languages dropped, and a small
French/English plural stemmer applied ("refugies" → "refugi", "réfugié" → "refugi", "cities" →
"city", "locaux" → "local"). SQLite's FTS5 indexes these keys as they are; PostgreSQL gives them
to its French and English configurations, whose stemmers may join more words ("coordination" and
"coordinating"): PostgreSQL finds at least what SQLite finds.

The stop words are PostgreSQL's own French and English lists (Snowball's), accents folded, so that
no word PostgreSQL would drop reaches it and the two databases agree.

Queries follow web search habits (PostgreSQL's `websearch_to_tsquery`): words must all be there,
"quoted words" are a phrase, `or` between words offers a choice, `-word` excludes.
"""

import re
import unicodedata
from dataclasses import dataclass, field

from markupsafe import Markup, escape

ENGLISH_STOP_WORDS = frozenset("""
a about above after again against all am an and any are as at be because been before being below between both but by
can did do does doing don down during each few for from further had has have having he her here hers herself him
himself his how i if in into is it its itself just me more most my myself no nor not now of off on once only or
other our ours ourselves out over own s same she should so some such t than that the their theirs them themselves
then there these they this those through to too under until up very was we were what when where which while who whom
why will with you your yours yourself yourselves
""".split())  # noqa: SIM905 (the lists as PostgreSQL ships them, one word after another)
FRENCH_STOP_WORDS = frozenset("""
a ai aie aient aies ait as au aura aurai auraient aurais aurait auras aurez auriez aurions aurons auront aux avaient
avais avait avec avez aviez avions avons ayant ayante ayantes ayants ayez ayons c ce ces d dans de des du elle en es
est et etaient etais etait etant etante etantes etants ete etee etees etes etiez etions eu eue eues eumes eurent eus
eusse eussent eusses eussiez eussions eut eutes eux fumes furent fus fusse fussent fusses fussiez fussions fut futes
il j je l la le leur lui m ma mais me meme mes moi mon n ne nos notre nous on ont ou par pas pour qu que qui s sa se
sera serai seraient serais serait seras serez seriez serions serons seront ses soient sois soit sommes son sont
soyez soyons suis sur t ta te tes toi ton tu un une vos votre vous y
""".split())  # noqa: SIM905 (the lists as PostgreSQL ships them, one word after another)
# A few more that PostgreSQL's lists lack: dropping a word before PostgreSQL sees it keeps both
# databases alike (neither indexes it).
MORE_STOP_WORDS = frozenset(["les", "leurs", "cet", "cette", "ceux", "celle", "celles", "dont", "also", "may", "would",
                             "could"])
STOP_WORDS = ENGLISH_STOP_WORDS | FRENCH_STOP_WORDS | MORE_STOP_WORDS

_WORD = re.compile(r"[^\W_]+")
# Letters that carry no accent to fold but are written as two in plain text.
_LIGATURES = str.maketrans({"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae", "ß": "ss"})


def fold(word: str) -> str:
    """Lower case without accents: "Réfugiés" → "refugies", "Œuvre" → "oeuvre"."""
    decomposed = unicodedata.normalize("NFD", word.translate(_LIGATURES))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def stem(word: str) -> str:
    """A folded word's plural and feminine endings taken off, in French and English alike.

    Deliberately small and predictable: the same rule runs on the indexed text and on the query,
    so that what it joins is found both ways; it does not need to be good French or English."""
    if len(word) <= 3 or word.isdigit():
        return word
    if word.endswith("eaux"):
        word = word[:-1]  # nouveaux → nouveau
    elif word.endswith("aux") and len(word) > 4:
        word = word[:-3] + "al"  # locaux → local, nationaux → national
    elif word.endswith(("s", "x")) and not word.endswith(("ss", "us", "is")):
        word = word[:-1]  # réfugiés → refugie, services → service, cities → citie
    if word.endswith("ee"):
        word = word[:-1]  # réfugiée → refugie, employee → employe
    if word.endswith("e") and len(word) > 3:
        word = word[:-1]  # refugie → refugi, migrante → migrant, citie → citi
    if word.endswith("y"):
        word = word[:-1] + "i"  # city → citi, policy → polici (as cities and policies end)
    return word


def key(word: str) -> str | None:
    """The index key of one word, or None for a common word that is not indexed."""
    folded = fold(word)
    if folded in STOP_WORDS or (len(folded) == 1 and not folded.isdigit()):
        return None
    return stem(folded)


@dataclass(frozen=True)
class Token:
    start: int
    end: int
    key: str


def tokens(text: str) -> list[Token]:
    """The indexed words of a text with where they are in it (for highlighting)."""
    found = []
    for match in _WORD.finditer(text or ""):
        word_key = key(match.group())
        if word_key is not None:
            found.append(Token(match.start(), match.end(), word_key))
    return found


def keys(text: str) -> str:
    """A text as the index holds it: its keys, one space apart."""
    return " ".join(token.key for token in tokens(text))


def guess_language(text: str) -> str | None:
    """"en" or "fr" for a text typed in one of them without saying which (a follow-up note, who
    should act), by its common words; None when they do not tell."""
    english = french = 0
    for match in _WORD.finditer(text or ""):
        word = fold(match.group())
        english += word in ENGLISH_STOP_WORDS and word not in FRENCH_STOP_WORDS
        french += word in FRENCH_STOP_WORDS and word not in ENGLISH_STOP_WORDS
    if english == french:
        return None
    return "en" if english > french else "fr"


# --- Queries -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    keys: tuple[str, ...]  # one key: a word; several: a phrase
    negated: bool = False


@dataclass
class Query:
    """A parsed search: groups joined by OR, each a set of terms that must all match (or must not,
    for the negated ones). Groups without a positive term are dropped on both databases."""

    text: str
    groups: list[list[Term]] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.groups)

    @property
    def positive_keys(self) -> set[str]:
        return {k for group in self.groups for term in group if not term.negated for k in term.keys}

    def websearch(self, positive_only: bool = False) -> str:
        """The query in PostgreSQL's websearch syntax, written with the keys."""
        parts = []
        for group in self.groups:
            items = []
            for term in group:
                if term.negated and positive_only:
                    continue
                written = term.keys[0] if len(term.keys) == 1 else '"' + " ".join(term.keys) + '"'
                items.append(("-" if term.negated else "") + written)
            parts.append(" ".join(items))
        return " or ".join(parts)

    def fts5(self) -> str:
        """The query in SQLite FTS5's syntax: every key quoted (keys are letters and digits)."""
        parts = []
        for group in self.groups:
            positive = [f'"{" ".join(term.keys)}"' for term in group if not term.negated]
            negative = [f'"{" ".join(term.keys)}"' for term in group if term.negated]
            parts.append("(" + " AND ".join(positive) + "".join(f" NOT {n}" for n in negative) + ")")
        return " OR ".join(parts)


_QUERY_PART = re.compile(r'(-?)"([^"]*)"?|(\S+)')
MAX_QUERY_LENGTH = 200
MAX_TERMS = 16


def parse_query(text: str) -> Query:
    text = (text or "").strip()[:MAX_QUERY_LENGTH]
    groups: list[list[Term]] = [[]]
    terms = 0
    for match in _QUERY_PART.finditer(text):
        negated, phrase, word = match.group(1) == "-", match.group(2), match.group(3)
        if word is not None:
            if word.lower() in ("or", "ou") and groups[-1]:
                groups.append([])
                continue
            negated = word.startswith("-") and len(word) > 1
            word = word[1:] if negated else word
            phrase = word
        found = tuple(token.key for token in tokens(phrase or ""))
        if not found or terms >= MAX_TERMS:
            continue
        groups[-1].append(Term(found, negated))
        terms += 1
    kept = [group for group in groups if any(not term.negated for term in group)]
    return Query(text, kept)


# --- Showing matches -----------------------------------------------------------------------------

EXCERPT_LENGTH = 320


def marked_spans(text: str, query: Query) -> list[tuple[int, int]]:
    """Where the query's words are in a text, by the same keys the index uses."""
    wanted = query.positive_keys
    return [(token.start, token.end) for token in tokens(text) if token.key in wanted]


def excerpt(text: str, spans: list[tuple[int, int]], length: int = EXCERPT_LENGTH) -> Markup:
    """The text (cut around the first match when long), escaped, with the matches in <mark>:
    never any HTML from the text itself."""
    text = text or ""
    start, end = 0, len(text)
    if len(text) > length:
        first = spans[0][0] if spans else 0
        start = max(0, first - length // 3)
        if start:
            space = text.rfind(" ", 0, start)
            start = space + 1 if space != -1 and start - space < 30 else start
        end = min(len(text), start + length)
        if end < len(text):
            space = text.rfind(" ", start, end)
            end = space if space > start + length // 2 else end
    out = [Markup("…")] if start > 0 else []
    position = start
    for span_start, span_end in spans:
        if span_end <= start or span_start >= end:
            continue
        span_start, span_end = max(span_start, start), min(span_end, end)
        out.append(escape(text[position:span_start]))
        out.append(Markup("<mark>{}</mark>").format(text[span_start:span_end]))
        position = span_end
    out.append(escape(text[position:end]))
    if end < len(text):
        out.append(Markup("…"))
    return Markup("").join(out)
