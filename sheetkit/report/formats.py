"""Numbers and amounts as the report's readers write them: one style for the HTML text and the .xlsx formats.

A :class:`NumberStyle` comes from the workbook's locale (its decimal separator,
from the locale file) and its currency (the Settings ``currency`` code, or the
locale's own). Amounts keep the currency's minor unit (none for VND, JPY, KRW)
and put its symbol where the locale does: ``£1,234.50`` and ``¥1,234.50`` in en
and zh-CN, ``1.234,50 €`` and ``13.330.000 ₫`` in it and vi; a currency without a
well-known symbol shows its code after the amount (``1,234.50 CHF``).

The .xlsx number formats carry the locale as a ``[$-LCID]`` tag: LibreOffice then
shows that language's separators whatever the computer's own settings (verified
by rendering: ``[$-42A]#,##0" ₫"`` reads ``13.330.000 ₫``); Excel shows the
separators of the computer it runs on.

>>> style = number_style("vi", "VND")
>>> style.money(13330000), style.rate(0.125), style.count(1234)
('13.330.000 ₫', '12,5%', '1.234')
>>> number_style("it", "EUR").money(1234.5), number_style("zh-CN", "CNY").money(1234.5)
('1.234,50 €', '¥1,234.50')
>>> number_style("en", "GBP").xlsx["money"]
'[$-809]"£"#,##0.00'
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

from sheetkit.report.content import Kpi, reason_text, report_labels
from sheetkit.template import Labels

__all__ = ["CURRENCY_SYMBOLS", "NO_FIGURE", "NumberStyle", "change_text", "figure_text", "kpi_note", "number_style"]

#: What a missing figure shows (an en dash): never 0, always with its reason beside it.
NO_FIGURE: Final = "\u2013"

#: Symbols of currencies that have one nobody mistakes; others are written as their ISO code.
CURRENCY_SYMBOLS: Final = {
    "CNY": "¥",
    "EUR": "€",
    "GBP": "£",
    "INR": "₹",
    "JPY": "¥",
    "KRW": "₩",
    "USD": "$",
    "VND": "₫",
}

#: Currencies without a minor unit in daily use (ISO 4217 exponent 0).
WHOLE_CURRENCIES: Final = frozenset({"CLP", "ISK", "JPY", "KRW", "PYG", "UGX", "VND"})

#: Per locale: the Windows language id of its number formats, and whether a currency symbol goes first.
_LOCALES: Final = {"en": ("809", True), "zh-CN": ("804", True), "it": ("410", False), "vi": ("42A", False)}


@dataclass(frozen=True)
class NumberStyle:
    """How one report writes numbers: separators, currency symbol and its place, decimals."""

    decimal: str
    group: str
    currency: str
    symbol: str
    symbol_first: bool
    digits: int
    #: The ``[$-LCID]`` tag of the .xlsx number formats ("" when the locale has none).
    tag: str
    xlsx: dict[str, str] = field(default_factory=dict)

    def number(self, value: float, digits: int = 0, *, sign: bool = False) -> str:
        """``value`` with the locale's separators, e.g. 1.234,5 (``sign``: always a + or -)."""
        text = f"{value:{'+' if sign else ''},.{digits}f}"
        return text.translate(str.maketrans(",.", self.group + self.decimal))

    def count(self, value: float) -> str:
        """A whole number: 1,234 / 1.234."""
        return self.number(value)

    def money(self, value: float, *, digits: int | None = None) -> str:
        """An amount with its currency: £1,234.50, 1.234,50 €, 13.330.000 ₫, 1,234.50 CHF."""
        amount = self.number(value, self.digits if digits is None else digits)
        if self.symbol != self.currency and self.symbol_first:
            return f"-{self.symbol}{amount[1:]}" if amount.startswith("-") else f"{self.symbol}{amount}"
        return f"{amount} {self.symbol}".rstrip()

    def rate(self, value: float, digits: int = 1) -> str:
        """A share as a percentage: 0.125 -> 12.5% / 12,5%."""
        return self.number(value * 100, digits) + "%"

    def percent_change(self, value: float) -> str:
        """A relative change, signed: 0.1 -> +10.0%."""
        return self.number(value * 100, 1, sign=True) + "%"

    def score(self, value: float) -> str:
        """A mean rating: 4.25 / 4,25."""
        return self.number(value, 2)


def _xlsx_formats(tag: str, symbol: str, first: bool, digits: int, code: str) -> dict[str, str]:
    prefix = f"[$-{tag}]" if tag else ""
    amount = "#,##0" + ("." + "0" * digits if digits else "")
    if symbol != code and first:
        money = f'{prefix}"{symbol}"{amount}'
    else:
        money = f'{prefix}{amount}" {symbol}"' if symbol else prefix + amount
    return {
        "count": f"{prefix}#,##0",
        "money": money,
        "amount": f"{prefix}#,##0",  # chart axes: whole amounts, no symbol
        "rate": f"{prefix}0.0%",
        "pct": f"{prefix}0%",
        "score": f"{prefix}0.00",
        "decimal": f"{prefix}#,##0.0",
    }


def number_style(locale: str, currency: str | None = None) -> NumberStyle:
    """The number style of ``locale`` for amounts in ``currency`` (default: the locale's own currency)."""
    labels = report_labels(locale)
    code = (currency or "").strip().upper() or labels.currency.upper()
    tag, first = _LOCALES.get(labels.locale, ("", labels.decimal_separator == "."))
    decimal = labels.decimal_separator
    group = "." if decimal == "," else ","
    symbol = CURRENCY_SYMBOLS.get(code, code)
    digits = 0 if code in WHOLE_CURRENCIES else 2
    return NumberStyle(
        decimal=decimal,
        group=group,
        currency=code,
        symbol=symbol,
        symbol_first=first,
        digits=digits,
        tag=tag,
        xlsx=_xlsx_formats(tag, symbol, first, digits, code),
    )


def figure_text(style: NumberStyle, kind: str, value: float | None) -> str:
    """One KPI figure as text: a count, an amount or a rate; :data:`NO_FIGURE` when missing."""
    if value is None:
        return NO_FIGURE
    if kind == "rate":
        return style.rate(value)
    if kind == "money":
        return style.money(value)
    return style.count(value)


def change_text(labels: Labels, style: NumberStyle, kpi: Kpi) -> str:
    """The change since last week in words: "▲ worse (+2.9 pp)", "▼ better (-12.0%)", "= no change".

    The arrow gives the direction, the word whether that is good (:attr:`Kpi.better`), so
    the meaning never rests on colour alone. :data:`NO_FIGURE` when there is no change to tell.
    """
    change = kpi.change
    if change is None:
        return NO_FIGURE
    t = labels.report
    if change == 0 or kpi.better is None:
        return f"= {t['change_same']}"
    if kpi.kind == "rate":
        size = t["change_points"].format(value=style.number(change * 100, 1, sign=True))
    else:
        size = style.percent_change(change)
    arrow = "\u25b2" if change > 0 else "\u25bc"
    return f"{arrow} {t['change_better' if kpi.better else 'change_worse']} ({size})"


def kpi_note(labels: Labels, kpi: Kpi) -> str:
    """Why figures of a KPI row are missing, each reason once, e.g. "no appointments in the period"."""
    reasons = dict.fromkeys(kpi.reasons[slot] for slot in ("this", "last_week", "last_year") if slot in kpi.reasons)
    return "; ".join(reason_text(labels, reason) for reason in reasons)
