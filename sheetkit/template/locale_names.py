"""Locale names as people type them: any case, ``-`` or ``_``, with or without a region.

``zh``, ``zh-cn``, ``zh_CN`` and ``ZH-CN`` all name ``zh-CN``; ``it-IT`` and ``it_it`` name ``it``;
``vi-VN`` names ``vi``; ``en-GB`` and ``en_US`` name ``en``. Whatever accepts a locale (the template's
labels, the command line's ``--locale`` and ``--lang``) goes through :func:`canonical_locale`, so one
rule decides for all of them.

>>> canonical_locale("zh_cn", ("en", "zh-CN", "it", "vi"))
'zh-CN'
>>> canonical_locale("IT-it", ("en", "zh-CN", "it", "vi"))
'it'
>>> canonical_locale("fr", ("en", "zh-CN", "it", "vi"))
'fr'
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import TypeVar

__all__ = ["LocaleTable", "canonical_locale", "locale_key"]

_V = TypeVar("_V")

#: Common spellings that are not "language[-region]" of a known locale: Chinese written in simplified
#: characters is zh-CN whatever region or script tag people add.
_ALIASES = {
    "zh": "zh-cn",
    "zh-hans": "zh-cn",
    "zh-hans-cn": "zh-cn",
    "zh-sg": "zh-cn",
    "chinese": "zh-cn",
    "italian": "it",
    "italiano": "it",
    "vietnamese": "vi",
    "english": "en",
}


def locale_key(name: str) -> str:
    """``name`` folded for comparison: trimmed, lower case, ``_`` and ``.`` as ``-`` (``zh_CN.UTF-8`` -> ``zh-cn``).

    >>> locale_key(" ZH_cn.UTF-8 ")
    'zh-cn'
    """
    folded = name.strip().split(".", 1)[0].replace("_", "-").lower()
    return _ALIASES.get(folded, folded)


def canonical_locale(name: str, known: Iterable[str]) -> str:
    """The locale of ``known`` that ``name`` means, or ``name`` itself (trimmed) when none fits.

    An exact match (in any case and separator) wins; otherwise the language alone decides when exactly
    one known locale has that language (``it-IT`` -> ``it``, ``en-GB`` -> ``en``, ``zh`` -> ``zh-CN``).
    A name that fits nothing is returned unchanged, so the caller's error names what was typed.
    """
    wanted = locale_key(name)
    known = tuple(known)
    for locale in known:
        if locale_key(locale) == wanted:
            return locale
    language = wanted.split("-", 1)[0]
    same_language = [locale for locale in known if locale_key(locale).split("-", 1)[0] == language]
    if len(same_language) == 1:
        return same_language[0]
    return name.strip()


class LocaleTable(Mapping[str, _V]):
    """A mapping keyed by locale that also finds a value under any spelling of its locale.

    It iterates over the canonical names only, so ``list(table)`` stays the template's own locales.

    >>> table = LocaleTable({"zh-CN": 1, "it": 2})
    >>> table["zh_cn"], table["it-IT"], "vi" in table
    (1, 2, False)
    """

    def __init__(self, values: Mapping[str, _V]) -> None:
        self._values = values

    def __getitem__(self, name: str) -> _V:
        try:
            return self._values[name]
        except KeyError:
            return self._values[canonical_locale(name, self._values)]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)
