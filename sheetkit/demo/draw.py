"""The demo's sources of chance: one seeded numpy generator and one seeded Faker per salon.

:class:`Draw` also knows the template (for its fixed choice lists) and the locale's
language (for the flavour tables), so a sheet builder asks it for "200 genders with
these weights" rather than handling keys and probabilities itself. Every value is
drawn through it: the order of the calls *is* the demo's output. Its :attr:`Draw.words`
are the free-text banks of the locale's language (:mod:`.words`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
from faker import Faker

from sheetkit.demo.columns import BoolArr, IntArr, ObjArr, keep, objects, probs
from sheetkit.demo.words import words_for
from sheetkit.template import MULTICHOICE_SEPARATOR, Labels, Template


class Draw:
    """Seeded random draws in the vocabulary of the template, for one locale and ``as_of`` date."""

    def __init__(self, template: Template, labels: Labels, *, seed: int, as_of: dt.date) -> None:
        self.template = template
        self.labels = labels
        self.as_of = as_of
        self.lang = labels.faker_locale.split("_")[0].lower()
        self.rng = np.random.default_rng(seed)
        self.fake = Faker(labels.faker_locale)
        self.fake.seed_instance(seed)
        self.words = words_for(self.lang)

    def choice_keys(self, name: str) -> tuple[str, ...]:
        """The keys of the template's fixed choice list ``name``."""
        return self.template.choice_lists[name]

    def pick(self, name: str, weights: Mapping[str, float], n: int, default: float = 0.0) -> ObjArr:
        """``n`` keys of the fixed choice list ``name`` drawn with ``weights``."""
        keys = self.choice_keys(name)
        idx = self.rng.choice(len(keys), size=n, p=probs(keys, weights, default))
        return objects(keys)[idx]

    def bank(self, values: Sequence[str], n: int, share: float = 1.0) -> ObjArr:
        """``n`` draws from ``values``, None for a ``1 - share`` fraction."""
        drawn = objects(values)[self.rng.integers(0, len(values), n)]
        return self.sometimes(drawn, share)

    def sometimes(self, values: ObjArr, share: float) -> ObjArr:
        """``values``, each kept with probability ``share`` (None otherwise)."""
        return keep(values, self.rng.random(len(values)) < share)

    def flavour(self, table: Mapping[str, Any]) -> Any:
        """The entry of a by-language table for this locale (English when the language has none)."""
        return table.get(self.lang, table["en"])

    def pool(self, make: Callable[[], object], size: int) -> list[str]:
        """``size`` values of a Faker provider, drawn once to be sampled with the generator."""
        return [str(make()) for _ in range(size)]

    def multi(self, name: str, weights: Mapping[str, float], here: BoolArr, k: IntArr) -> ObjArr:
        """Multichoice cells: ``k`` distinct keys joined by ";" in template order, None where not ``here``."""
        keys = self.choice_keys(name)
        p = probs(keys, weights)
        n = len(here)
        with np.errstate(divide="ignore"):
            score = np.log(self.rng.random((n, len(keys)))) / np.where(p > 0, p, 1e-12)
        ranked = np.argsort(-score, axis=1)
        out: list[str | None] = []
        for row, kk, is_here in zip(ranked, k, here, strict=True):
            if not is_here:
                out.append(None)
                continue
            chosen = sorted(int(i) for i in row[: max(1, int(kk))])
            out.append(MULTICHOICE_SEPARATOR.join(keys[i] for i in chosen))
        return objects(out)

    def booking_time(self, n: int) -> IntArr:
        """Minutes after midnight when a booking is made: 08:00-21:00, in 5-minute steps."""
        return (8 * 60 + 5 * self.rng.integers(0, 157, n)).astype(np.int64)
