"""Suggested theme names: the words and phrases that set a group apart from the rest."""

from __future__ import annotations

import functools
import itertools
import re
from collections import Counter

from facilitator.clustering import languages
from facilitator.clustering.stopwords import CLAUSE_VERBS
from facilitator.clustering.stopwords import NAME_STOP_WORDS as _NAME_STOP

_MAX_CHARS = 40
# Words people use to ask for anything, which name no theme ("we need more…", "please make…"),
# and the pieces of a pasted link.
_FILLER = frozenset(
    [
        "need",
        "needs",
        "want",
        "wants",
        "like",
        "make",
        "please",
        "would",
        "could",
        "should",
        "also",
        "just",
        "really",
        "sure",
        "know",
        "think",
        "way",
        "get",
        "got",
        "use",
        "lot",
        "lots",
        "thing",
        "things",
        "good",
        "better",
        "great",
        "new",
        "idea",
        "ideas",
        # Verbs of asking and trying, which frame a request rather than name its subject
        # ("Using auto", "Long does" were BANKING77 names before these).
        "does",
        "did",
        "didn't",
        "don't",
        "doesn't",
        "isn't",
        "can't",
        "won't",
        "using",
        "used",
        "tried",
        "try",
        "trying",
        "able",
        "help",
        "let",
        "long",
        "seem",
        "seems",
        "work",
        "working",
        "happen",
        "happened",
        "i'm",
        "i've",
        "i'd",
        "it's",
        "hasn't",
        "haven't",
        "wasn't",
        "aren't",
        "couldn't",
        "wouldn't",
        "http",
        "https",
        "www",
        "com",
        "org",
    ]
)
_STOP = _NAME_STOP | _FILLER
# Letters, digits and marks of any script; apostrophes stay inside words ("don't").
_WORD = re.compile(r"\w+(?:['’]\w+)*")
# Punctuation that ends a phrase: a name never runs across a comma or a full stop, nor a
# hyphen typed as a dash between spaces ("funding cycles - annual grants"; "multi-year" is
# one word).
_BREAK = re.compile(r"[.,;:!?()\[\]{}\"“”«»/|–—\n]+|\s-+\s")
# The longest name, in words: "CERT staff retention", "Funding for regional hubs".
_MAX_WORDS = 4
# Longer phrases say more, but each word must earn its place: a phrase of n words is scored
# × (1 + _LENGTH_BONUS × (n − 1)) before the words it adds are checked against the group.
_LENGTH_BONUS = 0.25


def _key(word: str) -> str:
    """The word folded for counting: lower case, and English plurals made singular, so that
    "lanes" and "lane" count as one term ("businesses" → "business", "cities" → "city")."""
    word = word.casefold()
    if len(word) <= 3 or not word.isascii():
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "shes", "ches", "xes", "zes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _clip(text: str) -> str:
    text = " ".join(text.split())
    if len(text) <= _MAX_CHARS:
        return text
    return text[: _MAX_CHARS - 1].rstrip() + "…"


def suggest_names(texts: list[str], groups: list[list[int]]) -> list[str]:
    """A short name for each group: a phrase of 1–4 words that the group's ideas use, written
    as they write it, the first letter raised ("CERT staff retention", "Bike lanes").

    Candidates are runs of words inside one clause of an idea that neither start nor end with
    a function word, taken from the ideas in the group's main language so that the name is
    in that language. A candidate is scored by the share of the group's ideas that use all its
    words (in any order, plurals folded) minus the share of the board's other ideas that do,
    and longer phrases gain a little, so "CERT staff retention" beats "CERT" when the
    group's ideas say it. Where no candidate is shared by two ideas (emoji, Chinese written
    without spaces), the group's shortest idea, clipped, stands as its name. Groups that
    share a name get " 2", " 3"... so a person can tell them apart.
    """
    if not groups:
        return []
    words = [content_keys(text) for text in texts]
    board: Counter[str] = Counter(key for keys in words for key in keys)
    found = languages.detect(texts)
    leading = _leading_words(texts)
    return _distinct([_name_one(texts, group, words, board, found, leading) for group in groups])


def _leading_words(texts: list[str]) -> frozenset[str]:
    """The words of the board that never end a phrase: each of the three or more times the
    board writes one, another content word follows it in its clause ("Cameron" of "Cameron
    Ave", "personal" of "personal details"). A phrase ending on one is cut short ("Linear path
    between Cameron"). Words that end a phrase somewhere ("CERT" of "a national CERT") are
    not."""
    seen: Counter[str] = Counter()
    followed: Counter[str] = Counter()
    for text in texts:
        for clause in _BREAK.split(text):
            tokens = _WORD.findall(clause)
            for word, after in itertools.zip_longest(tokens, tokens[1:], fillvalue=""):
                if _is_stop(word) or word.isdigit():
                    continue
                key = _key(word)
                seen[key] += 1
                if after and not _is_stop(after) and not after.isdigit():
                    followed[key] += 1
    return frozenset(key for key, count in seen.items() if count >= 3 and followed[key] == count)


@functools.lru_cache(maxsize=20_000)
def content_keys(text: str) -> frozenset[str]:
    """The content words of a text, folded (case, English plurals); no function words.
    Kept for the texts last asked about: the duplicate hint asks about a board's ideas again
    on every pause in typing."""
    return frozenset(
        _key(word) for word in _WORD.findall(text) if not _is_stop(word) and not word.isdigit()
    )


def _is_stop(word: str) -> bool:
    return word.casefold() in _STOP or _key(word) in _STOP


def _phrases(text: str) -> list[tuple[list[str], str]]:
    """Every run of 1–4 words inside one clause of ``text`` that starts and ends with a
    content word (function words may sit inside: "funding for hubs"), with the run as the
    idea writes it, spaces collapsed ("Multi-year grants", not "Multi year grants")."""
    out = []
    for clause in _BREAK.split(text):
        found = list(_WORD.finditer(clause))
        tokens = [match.group() for match in found]
        for start, first in enumerate(tokens):
            if _is_stop(first) or first.isdigit():
                continue
            for end in range(start, min(start + _MAX_WORDS, len(tokens))):
                last = tokens[end]
                if not _is_stop(last) and not last.isdigit():
                    written = clause[found[start].start() : found[end].end()]
                    out.append((tokens[start : end + 1], " ".join(written.split())))
    return out


def _name_one(
    texts: list[str],
    group: list[int],
    words: list[frozenset[str]],
    board: Counter[str],
    found: list[str],
    leading: frozenset[str],
) -> str:
    members = sorted({i for i in group if 0 <= i < len(texts)})
    if not members:
        return "Theme"
    # The group's language: the one most of its ideas are written in (a tie keeps every tied
    # language). The name is drawn from those ideas and from those whose language is unsure
    # (short ones often are), or from all of them when those share no phrase.
    spoken = Counter(found[i] for i in members if found[i] != languages.UNKNOWN)
    most = max(spoken.values(), default=0)
    voices = [
        i for i in members if found[i] == languages.UNKNOWN or spoken.get(found[i], 0) == most
    ]
    others = len(texts) - len(members)
    # Every key of a member idea, with how many member ideas use it.
    inside: Counter[str] = Counter(key for i in members for key in words[i])
    for speakers in (voices, members):
        name = _best_phrase(texts, speakers, members, words, board, inside, others, leading)
        if name:
            return name
    # The shortest idea in the group's language, not an Arabic one for a group of two
    # English ideas, one French and one Arabic that share no phrase.
    fallback = _clip(min((texts[i] for i in voices), key=len, default=""))
    return _capitalised(fallback) or "Theme"


def _best_phrase(
    texts: list[str],
    voices: list[int],
    members: list[int],
    words: list[frozenset[str]],
    board: Counter[str],
    inside: Counter[str],
    others: int,
    leading: frozenset[str],
) -> str | None:
    # Each phrase of the group's voices, folded (case, plurals), with the ways it is written.
    forms: dict[tuple[str, ...], Counter[str]] = {}
    for i in voices:
        for tokens, written in _phrases(texts[i]):
            folded = tuple(_key(token) for token in tokens)
            forms.setdefault(folded, Counter())[written] += 1
    scores: dict[tuple[str, ...], float] = {}
    for folded in forms:
        keys = {key for key in folded if key not in _STOP and not key.isdigit()}
        if not keys:  # "100s" folds to the number 100: nothing to name a theme by
            continue
        count = sum(1 for j in members if keys <= words[j])
        if count < min(2, len(members)):
            continue
        # Ideas outside the group using the phrase's rarest word bound those using it all:
        # exact for one word and close enough for a few.
        outside = min(board[key] - inside[key] for key in keys) / others if others else 0.0
        score = (count / len(members) - outside) * (1 + _LENGTH_BONUS * (len(folded) - 1))
        if score > 0:
            scores[folded] = score
    if not scores:
        return None
    # A name, not a sentence ("Legal marijuana" before "Marijuana should be legal"), and not
    # a phrase cut short ("Personal details" before "Edit the personal").
    scores = {f: score for f, score in scores.items() if _whole(f, forms, leading)} or scores
    # The best score; ties go to the shorter phrase, then the first in alphabetical order, so
    # the same board always gets the same names.
    best = min(scores, key=lambda folded: (-scores[folded], len(folded), _written(forms[folded])))
    if len(best) == 1:
        best = _widened(best[0], forms, inside, leading)
    return _clip(_capitalised(_written(forms[best])))


def _widened(
    word: str,
    forms: dict[tuple[str, ...], Counter[str]],
    inside: Counter[str],
    leading: frozenset[str],
) -> tuple[str, ...]:
    """A phrase of the group's ideas around its best single word, so that a name says what
    about it ("Cybercrime legislation", not "Cybercrime"): the one whose other words are used
    by the most ideas of the group on average; ties to the shorter, then alphabetical. The
    word alone if no idea uses it in a phrase."""
    around = [folded for folded in forms if len(folded) > 1 and word in folded]
    # A sentence, or a phrase cut short, only where no name holds the word ("Card was just
    # denied", not "Denied").
    around = [folded for folded in around if _whole(folded, forms, leading)] or around
    if not around:
        return (word,)

    def support(folded: tuple[str, ...]) -> tuple[float, int, str]:
        others = {key for key in folded if key not in _STOP and key != word}
        written = _written(forms[folded])
        # The mean, not the sum: a word of one idea should not win by making the name longer.
        mean = sum(inside[key] for key in others) / len(others) if others else 0.0
        return (-mean, len(written), written)

    return min(around, key=support)


def _whole(
    folded: tuple[str, ...], forms: dict[tuple[str, ...], Counter[str]], leading: frozenset[str]
) -> bool:
    """Whether a phrase is a name: neither a sentence nor cut short of its last word (a word
    alone is widened around that word instead: "Bike" → "Bike trails")."""
    cut = len(folded) > 1 and folded[-1] in leading
    return not _sentence(forms[folded]) and not cut


def _sentence(ways: Counter[str]) -> bool:
    """Whether a phrase holds a verb that makes it a sentence ("should be", "is", "doit")."""
    return any(word.casefold() in CLAUSE_VERBS for word in _WORD.findall(_written(ways)))


def _written(ways: Counter[str]) -> str:
    """The way most of the group's ideas write a phrase (ties: alphabetical, for the same
    name every time)."""
    return min(ways, key=lambda way: (-ways[way], way))


def _capitalised(text: str) -> str:
    # Only the first letter is raised: the rest stays as the ideas write it, acronyms and
    # proper nouns included ("CERT staff", "Main Street"); scripts without case are unchanged.
    return text[:1].upper() + text[1:]


def _distinct(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out: list[str] = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        out.append(name if seen[name] == 1 else f"{name} {seen[name]}")
    return out
