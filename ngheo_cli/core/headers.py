"""Understanding column headers: a standard's header vocabulary and the matcher.

Pure: the vocabulary comes as data (``rulesets/headers/common.yaml`` plus the ``headers:``
section and the indicator names of a rules file, plus a user's column map), and
:class:`HeaderMatcher` maps one header text onto a canonical key, saying how:

1. ``column_map``: the user's own mapping file;
2. ``exact``: the key's canonical label, or the key itself (``ma_ho``: a row of machine keys);
3. ``alias``: a name listed in the vocabulary;
4. ``positional``: ``CS7``, ``Chỉ số 7``…, numbered in the standard's own indicator order;
5. ``token`` / ``abbreviation``: token by token after folding case, diacritics and
   punctuation, dropping filler words and expanding abbreviations (``GD`` → giáo dục). An
   abbreviation with several meanings (``TT``: thứ tự, thông tin, thành thị) is tried in
   each; only a reading that names exactly one key is taken;
6. ``fuzzy``: a scored similarity (difflib) to every known name, taken only when it is
   strong and clearly ahead of the next key; a weaker or tied guess is returned as
   candidates, never used.

Every comparison is per distinct header text and cached, never per data row.
"""

from __future__ import annotations

import difflib
import itertools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

from ngheo_cli.core.text import fold, fold_words

Method = Literal["column_map", "exact", "alias", "positional", "token", "abbreviation", "fuzzy"]

METHOD_LABELS: dict[str, str] = {
    "column_map": "theo tệp ánh xạ cột",
    "exact": "đúng tên chuẩn",
    "alias": "tên gọi khác đã biết",
    "positional": "theo số thứ tự",
    "token": "khớp từng từ",
    "abbreviation": "mở rộng chữ viết tắt",
    "fuzzy": "đoán gần đúng",
}

#: How much a match is trusted when two columns claim one key (higher wins; equal: conflict).
STRENGTH: dict[str, int] = {
    "column_map": 5,
    "exact": 4,
    "alias": 3,
    "positional": 3,
    "token": 2,
    "abbreviation": 2,
    "fuzzy": 1,
}

#: Target of a column map entry that marks a column as deliberately not used.
IGNORE = "bo_qua"

#: A fuzzy guess is used from this score on, when it leads the next key by FUZZY_MARGIN.
FUZZY_ACCEPT = 0.88
FUZZY_MARGIN = 0.06
#: From this score on, a guess that is not used is still reported (with its candidates).
FUZZY_WEAK = 0.72

_MAX_READINGS = 64
_PARENTHETICAL = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_VOWELS = frozenset("aeiouy")


@dataclass(frozen=True)
class Candidate:
    key: str
    score: float
    name: str  # the known name it resembles


@dataclass(frozen=True)
class HeaderMatch:
    """How one header text was understood."""

    key: str
    method: Method
    score: float  # 1.0 except for fuzzy guesses
    name: str  # the known name (label, alias, map entry) it matched
    detail: str = ""  # e.g. "GD → giáo dục"

    @property
    def is_guess(self) -> bool:
        """Anything beyond an exact name, a listed alias or the user's map."""
        return self.method in ("token", "abbreviation", "fuzzy")

    def describe(self, header: str = "") -> str:
        """Vietnamese: how the column was matched (``header``: the cell, not repeated)."""
        text = METHOD_LABELS[self.method]
        if self.method == "fuzzy":
            text += f", độ giống {score_text(self.score)}"
        if self.detail:
            text += f" ({self.detail})"
        if self.method not in ("exact", "positional") and fold(self.name) != fold(header):
            text += f': "{self.name}"'
        return text


@dataclass(frozen=True)
class HeaderGuess:
    """The result of matching one text: a match, or candidates too weak or tied to use."""

    match: HeaderMatch | None
    candidates: tuple[Candidate, ...] = ()


@dataclass(frozen=True)
class HeaderVocabulary:
    """Everything known about how columns are named, for one standard (or none).

    ``labels``: key → canonical label (matches exactly, as does the key itself);
    ``aliases``: key → other names; ``abbreviations``: folded token → expansions;
    ``positional``: indicator keys in the standard's order (for ``CS1``…);
    ``column_map``: a user's header text → key (or :data:`IGNORE`).
    """

    labels: Mapping[str, str]
    aliases: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    abbreviations: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    fillers: tuple[str, ...] = ()
    positional: tuple[str, ...] = ()
    positional_prefixes: tuple[str, ...] = ()
    column_map: Mapping[str, str] = field(default_factory=dict)
    standard: str | None = None

    def with_column_map(self, column_map: Mapping[str, str]) -> HeaderVocabulary:
        return replace(self, column_map=dict(column_map))


def merge_names(*parts: Mapping[str, Iterable[str]]) -> dict[str, tuple[str, ...]]:
    """Union of several key → names mappings, first-seen order, no repeats."""
    out: dict[str, list[str]] = {}
    for part in parts:
        for key, names in part.items():
            bucket = out.setdefault(key, [])
            for name in names:
                if name not in bucket:
                    bucket.append(name)
    return {k: tuple(v) for k, v in out.items()}


class HeaderMatcher:
    """Compiled :class:`HeaderVocabulary`: ``match(text)`` per header cell (cached)."""

    def __init__(self, vocabulary: HeaderVocabulary) -> None:
        self.vocabulary = vocabulary
        self.keys = frozenset(vocabulary.labels)
        self._abbrev: dict[str, tuple[tuple[str, ...], ...]] = {}
        self._spelled: dict[tuple[str, ...], str] = {}  # folded expansion → as written
        for abbr, exps in vocabulary.abbreviations.items():
            if fold(abbr):
                folded_exps = tuple(tuple(fold_words(e).split()) for e in exps)
                self._abbrev[fold(abbr)] = folded_exps
                for folded_exp, exp in zip(folded_exps, exps, strict=True):
                    self._spelled.setdefault(folded_exp, exp)
        self._fillers = frozenset(fold(w) for w in vocabulary.fillers)
        self._map: dict[str, tuple[str, str]] = {}
        for header, key in vocabulary.column_map.items():
            self._map[fold(header)] = (key, header)
        self._exact: dict[str, tuple[str, str]] = {}
        for key, label in vocabulary.labels.items():
            self._exact.setdefault(fold(label), (key, label))
            self._exact.setdefault(fold(key), (key, key))
        self._alias: dict[str, tuple[str, str]] = {}
        for key, names in vocabulary.aliases.items():
            for name in names:
                folded = fold(name)
                if folded and folded not in self._exact:
                    self._alias.setdefault(folded, (key, name))
        self._positional: dict[str, tuple[str, str]] = {}
        for number, key in enumerate(vocabulary.positional, start=1):
            for prefix in vocabulary.positional_prefixes:
                name = f"{prefix}{number}" if len(prefix) <= 3 else f"{prefix} {number}"
                self._positional.setdefault(fold(name), (key, name))
        # Known words: a token among them is never split into abbreviations.
        self._words: set[str] = set()
        named: list[tuple[str, str]] = [(k, v) for k, v in vocabulary.labels.items()]
        named += [(k, n) for k, names in vocabulary.aliases.items() for n in names]
        for _, name in named:
            self._words.update(fold_words(name).split())
        for expansions in self._abbrev.values():
            for words in expansions:
                self._words.update(words)
        # Token forms of every known name: canonical string → {key: name}.
        self._tokens: dict[str, dict[str, str]] = {}
        self._fuzzy: list[tuple[str, str, str]] = []  # (canonical, key, name)
        for key, name in named:
            for form in self._readings(name, unambiguous_only=True):
                self._tokens.setdefault(form, {}).setdefault(key, name)
                self._fuzzy.append((form, key, name))
        self._cache: dict[tuple[str, bool], HeaderGuess] = {}

    # --- public ----------------------------------------------------------------------------

    def match(self, text: str, *, fuzzy: bool = True) -> HeaderGuess:
        """How ``text`` (one header cell, or upper + lower cells joined) is understood."""
        cache_key = (text, fuzzy)
        found = self._cache.get(cache_key)
        if found is None:
            found = self._match(text, fuzzy)
            self._cache[cache_key] = found
        return found

    # --- steps -----------------------------------------------------------------------------

    def _match(self, text: str, fuzzy: bool) -> HeaderGuess:
        texts = [text]
        bare = _PARENTHETICAL.sub(" ", text)
        if bare != text and fold(bare):
            texts.append(bare)  # units in brackets are a second chance, never required
        for candidate in texts:
            direct = self._direct(candidate)
            if direct is not None:
                return HeaderGuess(direct)
        weak: tuple[Candidate, ...] = ()
        for candidate in texts:
            guess = self._by_tokens(candidate)
            if guess.match is not None:
                return guess
            weak = weak or guess.candidates
        if weak or not fuzzy:
            return HeaderGuess(None, weak)
        best = HeaderGuess(None)
        for candidate in texts:
            guess = self._by_similarity(candidate)
            if guess.match is not None:
                return guess
            if not best.candidates:
                best = guess
        return best

    def _direct(self, text: str) -> HeaderMatch | None:
        folded = fold(text)
        if not folded:
            return None
        if folded in self._map:
            key, name = self._map[folded]
            return HeaderMatch(key, "column_map", 1.0, name)
        if folded in self._exact:
            key, name = self._exact[folded]
            return HeaderMatch(key, "exact", 1.0, name)
        if folded in self._alias:
            key, name = self._alias[folded]
            return HeaderMatch(key, "alias", 1.0, name)
        if folded in self._positional:
            key, name = self._positional[folded]
            number = self.vocabulary.positional.index(key) + 1
            standard = self.vocabulary.standard or "chuẩn"
            return HeaderMatch(key, "positional", 1.0, name, f"chỉ số thứ {number} của {standard}")
        return None

    def _by_tokens(self, text: str) -> HeaderGuess:
        """Token forms of ``text`` against token forms of every known name."""
        readings = self._readings_with_detail(text)
        hits: dict[str, tuple[str, str]] = {}  # key → (name, detail)
        for form, detail in readings:
            for key, name in self._tokens.get(form, {}).items():
                hits.setdefault(key, (name, detail))
        if len(hits) == 1:
            key, (name, detail) = next(iter(hits.items()))
            method: Method = "abbreviation" if detail else "token"
            return HeaderGuess(HeaderMatch(key, method, 1.0, name, detail))
        if len(hits) > 1:  # the abbreviations read several ways and name several keys
            return HeaderGuess(
                None, tuple(Candidate(k, 1.0, n) for k, (n, _) in sorted(hits.items()))
            )
        return HeaderGuess(None)

    def _by_similarity(self, text: str) -> HeaderGuess:
        forms = [form for form, _ in self._readings_with_detail(text)]
        if not forms:
            return HeaderGuess(None)
        best: dict[str, tuple[float, str, str]] = {}  # key → (score, name, detail)
        for form in forms:
            detail = ""
            matcher = difflib.SequenceMatcher(None, "", form, autojunk=False)
            for known, key, name in self._fuzzy:
                matcher.set_seq1(known)
                if matcher.real_quick_ratio() < FUZZY_WEAK or matcher.quick_ratio() < FUZZY_WEAK:
                    continue
                score = matcher.ratio()
                if score > best.get(key, (0.0, "", ""))[0]:
                    best[key] = (score, name, detail)
        ranked = sorted(best.items(), key=lambda kv: (-kv[1][0], kv[0]))
        ranked = [r for r in ranked if r[1][0] >= FUZZY_WEAK]
        if not ranked:
            return HeaderGuess(None)
        top_key, (top, name, _) = ranked[0]
        runner = ranked[1][1][0] if len(ranked) > 1 else 0.0
        candidates = tuple(Candidate(k, round(s, 2), n) for k, (s, n, _) in ranked[:3])
        if top >= FUZZY_ACCEPT and top - runner >= FUZZY_MARGIN:
            return HeaderGuess(HeaderMatch(top_key, "fuzzy", round(top, 2), name), candidates)
        return HeaderGuess(None, candidates)

    # --- token readings --------------------------------------------------------------------

    def _readings(self, text: str, *, unambiguous_only: bool = False) -> list[str]:
        if unambiguous_only:
            tokens = fold_words(text).split()
            out: list[str] = []
            expanded: list[str] = []
            for tok in tokens:
                exps = self._abbrev.get(tok)
                if exps is not None and len(exps) == 1:
                    expanded.extend(exps[0])
                else:
                    expanded.append(tok)
            for form in {self._canonical(tokens), self._canonical(expanded)}:
                if form:
                    out.append(form)
            return sorted(out)
        return [form for form, _ in self._readings_with_detail(text)]

    def _readings_with_detail(self, text: str) -> list[tuple[str, str]]:
        """Every reading of ``text``: (canonical token string, expansions used)."""
        tokens = fold_words(text).split()
        if not tokens:
            return []
        options: list[list[tuple[tuple[str, ...], str]]] = []
        for tok in tokens:
            choices: list[tuple[tuple[str, ...], str]] = []
            if tok in self._abbrev:
                choices = [
                    (exp, f"{tok.upper()} → {self._spell(exp)}") for exp in self._abbrev[tok]
                ]
            elif tok not in self._words and not tok.isdigit():
                choices = self._split(tok)
            options.append(choices or [((tok,), "")])
        out: list[tuple[str, str]] = []
        seen: set[str] = set()
        for combo in itertools.islice(itertools.product(*options), _MAX_READINGS):
            words = [w for part, _ in combo for w in part]
            form = self._canonical(words)
            if form and form not in seen:
                seen.add(form)
                out.append((form, "; ".join(d for _, d in combo if d)))
        return out

    def _split(self, token: str) -> list[tuple[tuple[str, ...], str]]:
        """A glued abbreviation ("tnbq", "tdgd") read as known abbreviations, if it splits
        into them entirely; only tokens that are not words (no vowel, or not known)."""
        if len(token) > 12 or any(ch.isdigit() for ch in token):
            return []
        parts = _segment(token, self._abbrev)
        if not parts or len(parts) < 2:
            return []
        out: list[tuple[tuple[str, ...], str]] = []
        for combo in itertools.islice(itertools.product(*(self._abbrev[p] for p in parts)), 8):
            words = tuple(w for exp in combo for w in exp)
            out.append((words, f"{token.upper()} → {' '.join(self._spell(e) for e in combo)}"))
        return out

    def _spell(self, expansion: tuple[str, ...]) -> str:
        return self._spelled.get(expansion, " ".join(expansion))

    def _canonical(self, words: Sequence[str]) -> str:
        return " ".join(w for w in words if w not in self._fillers)


def _segment(token: str, abbrev: Mapping[str, object]) -> list[str] | None:
    """Split ``token`` into keys of ``abbrev`` (fewest parts), or None."""
    best: list[list[str] | None] = [None] * (len(token) + 1)
    best[0] = []
    for end in range(1, len(token) + 1):
        for start in range(end):
            head = best[start]
            if head is None:
                continue
            piece = token[start:end]
            if piece in abbrev and (best[end] is None or len(head) + 1 < len(best[end] or [])):
                best[end] = [*head, piece]
    return best[len(token)]


def score_text(score: float) -> str:
    """A similarity as officers write decimals: 0,74."""
    return f"{score:.2f}".replace(".", ",")


def describe_candidates(candidates: Sequence[Candidate], labels: Mapping[str, str]) -> str:
    """Vietnamese list: "thon (Thôn, độ giống 0.80), …"."""
    parts = []
    for c in candidates:
        label = labels.get(c.key, c.key)
        parts.append(f"{c.key} ({label}, độ giống {score_text(c.score)})")
    return ", ".join(parts)


__all__ = [
    "FUZZY_ACCEPT",
    "FUZZY_WEAK",
    "IGNORE",
    "METHOD_LABELS",
    "STRENGTH",
    "Candidate",
    "HeaderGuess",
    "HeaderMatch",
    "HeaderMatcher",
    "HeaderVocabulary",
    "describe_candidates",
    "merge_names",
    "score_text",
]
