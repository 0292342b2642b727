"""The formula dialect of Google Sheets: Excel formula text as Google parses it in a given locale.

Formulas are written by :mod:`~sheetkit.template.formulas` for Excel; Google
parses the same text once :func:`google_formula` has translated it: the
``_xlfn.`` prefixes go, in locales that write decimals with a comma (it_IT,
vi_VN) argument separators become ``;``, and conditional formats reach the
Settings cells through ``INDIRECT("setting_...")`` (Google's conditional
formats may not refer to other tabs directly). :class:`Dialect` says which
separators a target spreadsheet parses.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from typing import Final

from sheetkit.errors import UsageError
from sheetkit.template.rules import plain_number

__all__ = ["COMMA_LOCALES", "Dialect", "google_formula"]

#: Google locales whose formulas separate arguments with "," (the others use ";"
#: and write decimals with ","). Semicolons are accepted in every locale, commas
#: only in these.
COMMA_LOCALES: Final = frozenset(
    {
        "en_US", "en_GB", "en_AU", "en_CA", "en_IE", "en_IN", "en_PH", "cy_GB", "zh_CN", "zh_TW", "zh_HK",
        "ja_JP", "ko_KR", "th_TH", "ar_EG", "iw_IL", "he_IL", "es_MX", "mn_MN", "my_MM", "de_CH", "hi_IN",
        "bn_IN", "gu_IN", "kn_IN", "ml_IN", "mr_IN", "pa_IN", "ta_IN", "te_IN", "fil_PH",
    }
)  # fmt: skip

_TOKEN: Final = re.compile(
    r"""(?P<text>"(?:[^"]|"")*"|'(?:[^']|'')*')"""  # string literal, quoted sheet name
    r"|(?P<name>[A-Za-z_\\][A-Za-z0-9_.]*)"  # function, name, cell reference, _xlfn.MAXIFS
    r"|(?P<number>[0-9]+(?:\.[0-9]+)?)"
    r"|(?P<other>.)",
    re.DOTALL,
)
_FUTURE_PREFIXES: Final = ("_xlfn.", "_xlws.")


@dataclass(frozen=True)
class Dialect:
    """How Google parses formulas in the target spreadsheet."""

    semicolons: bool

    @classmethod
    def of(cls, *locales: str) -> Dialect:
        """The dialect every one of ``locales`` parses: commas only when all of them are comma locales.

        >>> Dialect.of("en_GB"), Dialect.of("en_GB", "it_IT")
        (Dialect(semicolons=False), Dialect(semicolons=True))
        """
        return cls(semicolons=any(locale not in COMMA_LOCALES for locale in locales))

    def number(self, value: float) -> str:
        """A number as a formula or rule value writes it (``2,5`` with semicolons)."""
        text = str(plain_number(value))
        return text.replace(".", ",") if self.semicolons else text

    def formula(self, text: str, *, indirect: Collection[str] = ()) -> str:
        """``text`` translated by :func:`google_formula` for this dialect."""
        return google_formula(text, semicolons=self.semicolons, indirect=indirect)


def google_formula(formula: str, *, semicolons: bool = False, indirect: Collection[str] = ()) -> str:
    """Excel formula text as Google Sheets parses it.

    Excel's ``_xlfn.`` / ``_xlws.`` prefixes (its markers of functions newer
    than 2007) are dropped: Google knows MAXIFS and MINIFS by name. With
    ``semicolons`` (locales that write decimals with a comma, such as it_IT and
    vi_VN) argument separators become ``;`` and decimal points ``,``. Names in
    ``indirect`` become ``INDIRECT("name")``: Google's conditional formats may
    not refer to other tabs, named ranges included, except through INDIRECT.
    String literals and quoted sheet names are left alone; array constants
    (``{}``) are not used by sheetkit and are refused.

    >>> google_formula('=IF(_xlfn.MAXIFS(A:A,B:B,"a,b")>1.5,1,0)', semicolons=True)
    '=IF(MAXIFS(A:A;B:B;"a,b")>1,5;1;0)'
    >>> google_formula("=SUM('It, too'!A1,2)")
    "=SUM('It, too'!A1,2)"
    >>> google_formula("=A2<=setting_lead_days", indirect={"setting_lead_days"})
    '=A2<=INDIRECT("setting_lead_days")'
    """
    out: list[str] = []
    for match in _TOKEN.finditer(formula):
        piece = match.group()
        kind = match.lastgroup
        if kind == "name":
            for prefix in _FUTURE_PREFIXES:
                piece = piece.removeprefix(prefix)
            rest = formula[match.end() :].lstrip()
            if piece in indirect and not rest.startswith(("(", "!")):
                piece = f'INDIRECT("{piece}")'
        elif kind == "number" and semicolons:
            piece = piece.replace(".", ",")
        elif kind == "other":
            if piece in "{}":
                raise UsageError(f"array constants are not translated for Google Sheets: {formula[:80]}")
            if semicolons and piece == ",":
                piece = ";"
        out.append(piece)
    return "".join(out)
