"""Phrase grammars for the reconstructed archives: templates with slots, per stance.

The shared grammar lives in ``data/cases/_common.toml``; each case adds its own under
``[reconstruction.grammar]`` (its slots override shared slots of the same name; its templates
are drawn more often than the shared ones). All wording is the project's own.

A case may group its hostile templates into themes (``[reconstruction.grammar.themes.<id>]``:
a ``label``, a ``weight`` and templates per stance), so a reconstruction carries the case's own
hostile themes in the proportions its fact sheet gives (e.g. industrial dispute 30%, grounding
25%, CEO pay 15%). The theme of every composed tweet is recorded in the ground truth.

A template is text with ``{slot}`` placeholders. Fillers may contain slots themselves (up to
``MAX_DEPTH`` levels). ``{tag}``, ``{handle}``, ``{link}``, ``{spinoff}`` are filled by the
composer, not by the grammar.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any, Final

import numpy as np

from analysis.cases import STANCES, Case
from analysis.errors import CaseError
from analysis.store import paths

COMMON_FILE: Final = "_common.toml"
# Slots the composer fills itself (the hashtag, the brand's handle, links, the spin-off tag).
AUTO_SLOTS: Final[frozenset[str]] = frozenset({"tag", "handle", "link", "spinoff"})
# Slots every case must define: the shared templates use them.
REQUIRED_CASE_SLOTS: Final[tuple[str, ...]] = ("brand", "sin", "victims", "asked", "staff")
SLOT_RE: Final = re.compile(r"\{(\w+)\}")
MAX_DEPTH: Final = 3
# A case's own templates are drawn this often when the case has some for the stance: the
# shared ones are generic, the case's carry its story.
CASE_TEMPLATE_SHARE: Final = 0.78
# Twitter's limit in 2013-2014.
MAX_CHARS: Final = 140
# Characters of the t.co codes in links.
LINK_ALPHABET: Final = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
# "a" before a vowel sound becomes "an" (slot fillers can't know the word before them); words
# that start with a vowel letter but a consonant sound keep "a".
ARTICLE_RE: Final = re.compile(
    r"(?<!\S)([Aa]) (?=[aeiouAEIOU])(?!(?:one|once|uni|use|usu|eu|ewe)\w*)", re.IGNORECASE)
# The same word twice in a row ("The the", "lol LOL" from a template and a closer): keep one.
REPEAT_RE: Final = re.compile(r"(?<![\w@#])(\w+)(?: \1\b)+", re.IGNORECASE)
COMPOSED_STANCES: Final[tuple[str, ...]] = tuple(s for s in STANCES if s not in {"spam", "brand"})
# Slot values carry their own article ("the NYPD", "the boys in blue"): a determiner or a
# number followed by "the" loses the "the" ("a the bank", "five the boys").
DETERMINER_THE: Final = re.compile(
    r"\b(the|a|an|one|two|three|four|five|six|seven|eight|nine|ten|many|several|few|every) the\b",
    re.IGNORECASE)
# Keys of a theme table that are not stances.
THEME_KEYS: Final[frozenset[str]] = frozenset({"label", "weight"})
# The theme recorded for a tweet drawn from the shared (case-independent) templates.
GENERAL_THEME: Final = "general"


@dataclass(frozen=True)
class Theme:
    """One hostile theme of a case: its label, its weight and its templates per stance."""

    id: str
    label: str
    weight: float
    templates: Mapping[str, tuple[str, ...]]


class Draws:
    """Fast uniform draws from a seeded numpy Generator (buffered: one call per 64k draws)."""

    BLOCK: Final = 65536

    def __init__(self, rng: np.random.Generator) -> None:
        self._rng = rng
        self._buf: list[float] = []
        self._i = 0

    def u(self) -> float:
        if self._i >= len(self._buf):
            self._buf = self._rng.random(self.BLOCK).tolist()
            self._i = 0
        value = self._buf[self._i]
        self._i += 1
        return value

    def pick(self, items: Sequence[str]) -> str:
        return items[int(self.u() * len(items))]

    def below(self, n: int) -> int:
        return int(self.u() * n)


@dataclass(frozen=True)
class Grammar:
    slots: Mapping[str, tuple[str, ...]]
    shared: Mapping[str, tuple[str, ...]]
    own: Mapping[str, tuple[str, ...]]
    spinoff: Mapping[str, tuple[str, ...]]
    openers: Mapping[str, tuple[str, ...]]
    closers: Mapping[str, tuple[str, ...]]
    emoji: Mapping[str, tuple[str, ...]]
    languages: Mapping[str, Mapping[str, tuple[str, ...]]]
    spam: tuple[str, ...]
    names: Mapping[str, tuple[str, ...]]
    themes: tuple[Theme, ...] = ()
    # Lower-case phrases of hindsight (see ``without_hindsight``), and the shared templates
    # that replace a stance's shared templates before the launch when all of them react.
    hindsight: tuple[str, ...] = ()
    early: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def reacts(self, text: str) -> bool:
        """True when ``text`` holds a phrase of hindsight (it reacts to the backlash)."""
        low = text.lower()
        return any(phrase in low for phrase in self.hindsight)

    def without_hindsight(self) -> Grammar:
        """This grammar without any template, slot value, opener or closer holding a phrase of
        hindsight: what a tweet posted before the launch can say. A stance whose case (or
        other-language, or theme) templates all react falls back on the shared English ones,
        whose all-reacting lists are replaced by the early templates; any other list that would be left empty is kept whole (the
        generated-text test then names it)."""
        def keep(table: Mapping[str, tuple[str, ...]],
                 instead: Mapping[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
            out = {}
            for name, values in table.items():
                kept = tuple(v for v in values if not self.reacts(v))
                out[name] = kept or instead.get(name, values)
            return out

        def only_calm(table: Mapping[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
            return {name: kept for name, values in table.items()
                    if (kept := tuple(v for v in values if not self.reacts(v)))}

        own = only_calm(self.own)
        return replace(self, slots=keep(self.slots, {}), shared=keep(self.shared, self.early),
                       own=own,
                       openers=keep(self.openers, {}), closers=keep(self.closers, {}),
                       languages={lang: only_calm(t) for lang, t in self.languages.items()},
                       themes=tuple(replace(theme, templates=only_calm(theme.templates))
                                    for theme in self.themes))

    def template_count(self) -> int:
        return (sum(len(v) for v in self.shared.values()) + sum(len(v) for v in self.own.values())
                + sum(len(v) for t in self.themes for v in t.templates.values()))

    def themes_for(self, stance: str) -> tuple[tuple[Theme, ...], tuple[float, ...]]:
        """The themes with templates for ``stance`` and their cumulative weights (0..1]."""
        chosen = tuple(t for t in self.themes if stance in t.templates)
        total = sum(t.weight for t in chosen)
        running, cum = 0.0, []
        for theme in chosen:
            running += theme.weight / total
            cum.append(running)
        return chosen, tuple(cum)


@cache
def _common(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise CaseError(f"{path}: shared grammar unreadable: {exc}") from None


def grammar_for(case: Case, *, cases_dir: Path | None = None) -> Grammar:
    """The merged grammar of a reconstruction case; ``CaseError`` names file and key."""
    common_path = (cases_dir or paths.CASES_DIR) / COMMON_FILE
    common = _common(common_path)
    where = str(case.source or case.id)
    own = dict((case.reconstruction or {}).get("grammar", {}))
    shared = common.get("grammar", {})
    slots = {**_lists(shared.get("slots", {}), str(common_path), "grammar.slots"),
             **_lists(own.get("slots", {}), where, "reconstruction.grammar.slots")}
    grammar = Grammar(
        slots=slots,
        shared=_lists(shared.get("templates", {}), str(common_path), "grammar.templates"),
        own=_lists(own.get("templates", {}), where, "reconstruction.grammar.templates"),
        spinoff=_lists(own.get("spinoff_templates", {}), where,
                       "reconstruction.grammar.spinoff_templates"),
        openers=_lists(shared.get("openers", {}), str(common_path), "grammar.openers"),
        closers=_lists(shared.get("closers", {}), str(common_path), "grammar.closers"),
        emoji=_lists(shared.get("emoji", {}), str(common_path), "grammar.emoji"),
        languages={lang: _lists(table, str(common_path), f"grammar.languages.{lang}")
                   for lang, table in shared.get("languages", {}).items()},
        spam=tuple(common.get("spam", {}).get("texts", ())),
        names=_lists(common.get("names", {}), str(common_path), "names"),
        hindsight=tuple(str(p).lower() for p in (
            *shared.get("hindsight", {}).get("phrases", ()),
            *own.get("hindsight", {}).get("phrases", ()))),
        early=_lists(shared.get("early_templates", {}), str(common_path), "grammar.early_templates"),
        themes=_themes(own.get("themes", {}), where),
    )
    _validate(grammar, where)
    return grammar


def _lists(table: Any, where: str, key: str) -> dict[str, tuple[str, ...]]:
    if not isinstance(table, Mapping):
        raise CaseError(f"{where}: key '{key}': must be a table of lists of strings")
    out: dict[str, tuple[str, ...]] = {}
    for name, values in table.items():
        if not isinstance(values, list) or not values or not all(isinstance(v, str) for v in values):
            raise CaseError(f"{where}: key '{key}.{name}': must be a non-empty list of strings")
        out[name] = tuple(values)
    return out


def _themes(table: Any, where: str) -> tuple[Theme, ...]:
    key = "reconstruction.grammar.themes"
    if not isinstance(table, Mapping):
        raise CaseError(f"{where}: key '{key}': must be a table of themes")
    themes = []
    for theme_id, spec in table.items():
        if not isinstance(spec, Mapping):
            raise CaseError(f"{where}: key '{key}.{theme_id}': must be a table")
        label, weight = spec.get("label"), spec.get("weight")
        if not isinstance(label, str) or not label.strip():
            raise CaseError(f"{where}: key '{key}.{theme_id}.label': a non-empty string is needed")
        if isinstance(weight, bool) or not isinstance(weight, int | float) or weight <= 0:
            raise CaseError(f"{where}: key '{key}.{theme_id}.weight': a positive number is needed")
        templates = _lists({k: v for k, v in spec.items() if k not in THEME_KEYS}, where,
                           f"{key}.{theme_id}")
        unknown = set(templates) - set(COMPOSED_STANCES)
        if unknown or not templates:
            raise CaseError(f"{where}: key '{key}.{theme_id}': needs templates per stance "
                            f"({', '.join(COMPOSED_STANCES)}); got {sorted(unknown) or 'none'}")
        themes.append(Theme(str(theme_id), label.strip(), float(weight), templates))
    return tuple(themes)


def _validate(grammar: Grammar, where: str) -> None:
    missing = [s for s in REQUIRED_CASE_SLOTS if s not in grammar.slots]
    if missing:
        raise CaseError(f"{where}: key 'reconstruction.grammar.slots': missing slots "
                        f"{', '.join(missing)} (the shared templates use them)")
    for stance in grammar.own:
        if stance not in COMPOSED_STANCES:
            raise CaseError(f"{where}: key 'reconstruction.grammar.templates.{stance}': unknown "
                            f"stance (use {', '.join(COMPOSED_STANCES)})")
    known = set(grammar.slots) | AUTO_SLOTS
    groups: list[tuple[str, Mapping[str, tuple[str, ...]]]] = [
        ("reconstruction.grammar.templates", grammar.own),
        ("reconstruction.grammar.spinoff_templates", grammar.spinoff),
        ("reconstruction.grammar.slots", grammar.slots),
        *((f"reconstruction.grammar.themes.{t.id}", t.templates) for t in grammar.themes),
    ]
    for key, table in groups:
        for name, values in table.items():
            for value in values:
                for slot in SLOT_RE.findall(value):
                    if slot not in known:
                        raise CaseError(f"{where}: key '{key}.{name}': unknown slot {{{slot}}} "
                                        f"in {value!r}")


class Composer:
    """Writes tweet texts from a grammar: opener + template + closer + emoji, <= 140 chars."""

    def __init__(self, grammar: Grammar, draws: Draws, *, hashtag: str, brand_account: str) -> None:
        self.g = grammar
        self.d = draws
        self.hashtag = hashtag
        self.handle = "@" + brand_account
        self._tag_variants = ("#" + hashtag, "#" + hashtag[:1].upper() + hashtag[1:],
                              "#" + hashtag.lower())
        # The theme of the last composed text (GENERAL_THEME for shared or untagged templates).
        self.theme = GENERAL_THEME
        self._themes = {stance: grammar.themes_for(stance) for stance in COMPOSED_STANCES}

    def tag(self) -> str:
        u = self.d.u()
        return self._tag_variants[0 if u < 0.75 else 1 if u < 0.87 else 2]

    def link(self) -> str:
        return "http://t.co/" + "".join(self.d.pick(LINK_ALPHABET) for _ in range(10))

    def fill(self, text: str, *, tag: str, spinoff: str = "", depth: int = 0) -> str:
        def repl(match: re.Match[str]) -> str:
            name = match.group(1)
            if name == "tag":
                return tag
            if name == "handle":
                return self.handle
            if name == "link":
                return self.link()
            if name == "spinoff":
                return "#" + spinoff if spinoff else tag
            value = self.d.pick(self.g.slots[name])
            return self.fill(value, tag=tag, spinoff=spinoff, depth=depth + 1) if depth < MAX_DEPTH else value

        return SLOT_RE.sub(repl, text)

    def compose(self, stance: str, *, prefix: str = "", spinoff: str = "", lang: str = "en",
                photo: bool = False, budget: int = MAX_CHARS) -> str:
        """One tweet text of ``stance`` (``prefix`` e.g. "@brand " for replies)."""
        tag = self.tag()
        room = budget - len(prefix)
        core = ""
        for _attempt in range(6):
            core = self._core(stance, tag=tag, spinoff=spinoff, lang=lang)
            if spinoff and "#" + spinoff not in core and len(core) + len(spinoff) + 2 <= room:
                core = f"{core} #{spinoff}"
            if len(core) <= room:
                break
        else:
            core = _shorten(core, room, tag)
        parts = [core]
        if lang == "en":
            parts = self._decorate(core, stance, tag=tag, room=room, photo=photo)
        text = " ".join(p for p in parts if p)
        # Joining can repeat a word across the parts ("lol" + closer "LOL"); tidying only
        # shortens the text or turns "a" into "an" (one character more at most per article,
        # which the 140-character budget of a composed core leaves room for).
        return prefix + (tidy(text) if lang == "en" else text)

    def _core(self, stance: str, *, tag: str, spinoff: str, lang: str) -> str:
        self.theme = GENERAL_THEME
        themes, cum = self._themes[stance]
        if lang != "en":
            table = self.g.languages.get(lang, {})
            pool = table.get(stance) or table.get("neutral") or self.g.shared[stance]
        elif spinoff and stance in self.g.spinoff and self.d.u() < 0.5:
            pool = self.g.spinoff[stance]
        elif themes and self.d.u() < CASE_TEMPLATE_SHARE:
            u = self.d.u()
            theme = next((t for t, c in zip(themes, cum, strict=True) if u < c), themes[-1])
            self.theme = theme.id
            pool = theme.templates[stance]
        elif stance in self.g.own and self.d.u() < CASE_TEMPLATE_SHARE:
            pool = self.g.own[stance]
        else:
            pool = self.g.shared[stance]
        text = self.fill(self.d.pick(pool), tag=tag, spinoff=spinoff)
        text = " ".join(text.split())
        if lang == "en":
            text = tidy(text)
        if tag.lower() not in text.lower():
            text = f"{text} {tag}"
        return text

    def _decorate(self, core: str, stance: str, *, tag: str, room: int, photo: bool) -> list[str]:
        opener = self.fill(self.d.pick(self.g.openers.get(stance, ("",))), tag=tag)
        closer = self.fill(self.d.pick(self.g.closers.get(stance, ("",))), tag=tag)
        emoji = self.d.pick(self.g.emoji.get(stance, ("",)))
        link = self.link() if photo and "http://t.co/" not in core else ""
        parts = [opener, core, closer, emoji, link]
        # Drop decorations (emoji first, then closer, opener) until the text fits.
        for drop in (3, 2, 0, 4):
            if len(" ".join(p for p in parts if p)) <= room:
                break
            parts[drop] = ""
        if self.d.u() < 0.06:
            parts[1] = parts[1].lower()
        return parts


def tidy(text: str) -> str:
    """English text with its slips fixed: a doubled article ("a the bank"), immediate word
    repeats ("The the"), and "a" before a vowel sound ("a excellent")."""
    text = DETERMINER_THE.sub(lambda m: m.group(1), text)
    text = REPEAT_RE.sub(lambda m: m.group(1), text)
    return ARTICLE_RE.sub(lambda m: m.group(1) + "n ", text)


def _shorten(text: str, room: int, tag: str) -> str:
    words = text.split()
    out: list[str] = []
    for word in words:
        if len(" ".join([*out, word, tag])) > room:
            break
        out.append(word)
    joined = " ".join(out)
    return joined if tag.lower() in joined.lower() else f"{joined} {tag}".strip()
