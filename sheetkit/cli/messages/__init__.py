"""What the command line says, in the staff's language: one catalogue per locale and :func:`say`.

Every sentence a command prints (table headers, summaries, prompts, error lines) is a key here with
a text in each of ``en``, ``zh-CN``, ``it`` and ``vi`` (modules ``en``, ``zh_cn``, ``it``, ``vi``). The
catalogues are plain dicts, so looking a text up costs nothing at start-up. A text is a ``str.format``
pattern: ``say("check.summary", "it", errors=8, warnings=0)``. Values from outside (paths, cell text)
are passed through :func:`sheetkit.cli.console.shown` by the caller, never put in a pattern.

A new command adds its keys at the end of each of the four catalogues, with real translations;
``tests/test_cli_output.py`` checks that every catalogue has the same keys and the same placeholders.

>>> say("check.summary", "it", errors=8, warnings=0)
'8 errori, 0 avvisi'
>>> say("check.summary", "zh_cn", errors=1, warnings=2)
'1 个错误，2 个警告'
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Mapping
from functools import cache

from sheetkit.template.locale_names import canonical_locale

__all__ = ["DEFAULT_LANG", "LANGS", "catalogue", "lang_of", "say"]

#: The languages of the command line, as the template names them; the first is the fallback.
LANGS: tuple[str, ...] = ("en", "zh-CN", "it", "vi")
DEFAULT_LANG = "en"


def lang_of(name: str | None) -> str:
    """The command-line language ``name`` means (any case or form: ``zh_cn``, ``it-IT``); English otherwise.

    With ``None``: ``$SHEETKIT_LANG``, else English (not ``$LANG``: scripts that read the output must not
    get another language because a terminal is set up for one).
    """
    if name is None:
        name = os.environ.get("SHEETKIT_LANG") or DEFAULT_LANG
    lang = canonical_locale(name, LANGS)
    return lang if lang in LANGS else DEFAULT_LANG


@cache
def catalogue(lang: str) -> Mapping[str, str]:
    """Every text of ``lang`` (a name :func:`lang_of` understands), keyed by message key."""
    module = importlib.import_module(f"{__name__}.{lang_of(lang).replace('-', '_').lower()}")
    texts: Mapping[str, str] = module.TEXTS
    return texts


def say(key: str, lang: str | None = None, /, **values: object) -> str:
    """The text of ``key`` in ``lang`` with ``values`` filled in; the English text when ``lang`` lacks it.

    An unknown key raises KeyError: a typo in a key is a bug a test must catch, not a silent blank.
    """
    texts = catalogue(lang_of(lang))
    pattern = texts.get(key)
    if pattern is None:
        pattern = catalogue(DEFAULT_LANG)[key]
    return pattern.format(**values)
