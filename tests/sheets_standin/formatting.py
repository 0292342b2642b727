"""Numbers and dates as Sheets parses typed text (USER_ENTERED) and renders cells (FORMATTED_VALUE).

Serial numbers count days since 1899-12-30; the time of day is the fraction.

>>> to_serial(datetime.datetime(2020, 1, 1)), to_serial(datetime.datetime(1999, 1, 2))
(43831, 36162)
>>> general(1 / 1024), general(2.0), general(1.5, ","), general(1e15)
('0.0009765625', '2', '1,5', '1E+15')
>>> format_number(2000000.01, {"type": "NUMBER", "pattern": "#,##0.00"})
'2,000,000.01'
>>> format_number(43831, {"type": "DATE", "pattern": "dd/mm/yyyy"})
'01/01/2020'
>>> parse_typed("2,000,000.01")
({'numberValue': 2000000.01}, {'type': 'NUMBER', 'pattern': '#,##0.00'})
>>> parse_typed("2020-01-01")
({'numberValue': 43831}, {'type': 'DATE', 'pattern': 'yyyy-mm-dd'})
"""

from __future__ import annotations

import datetime
import decimal
import math
import re
from dataclasses import dataclass
from typing import Any

EPOCH = datetime.datetime(1899, 12, 30)


@dataclass(frozen=True)
class LocaleInfo:
    decimal: str
    group: str
    order: str  # MDY, DMY or YMD: how a typed d/m/y date is read
    date: str
    date_time: str
    time: str


_EN_US = LocaleInfo(".", ",", "MDY", "M/d/yyyy", "M/d/yyyy H:mm:ss", "h:mm:ss am/pm")
LOCALES = {
    "en_US": _EN_US,
    "en_GB": LocaleInfo(".", ",", "DMY", "dd/MM/yyyy", "dd/MM/yyyy HH:mm:ss", "HH:mm:ss"),
    "en_AU": LocaleInfo(".", ",", "DMY", "dd/MM/yyyy", "dd/MM/yyyy HH:mm:ss", "HH:mm:ss"),
    "vi_VN": LocaleInfo(",", ".", "DMY", "dd/MM/yyyy", "dd/MM/yyyy HH:mm:ss", "HH:mm:ss"),
    "de_DE": LocaleInfo(",", ".", "DMY", "dd.MM.yyyy", "dd.MM.yyyy HH:mm:ss", "HH:mm:ss"),
    "fr_FR": LocaleInfo(",", "\u202f", "DMY", "dd/MM/yyyy", "dd/MM/yyyy HH:mm:ss", "HH:mm:ss"),
    "es_ES": LocaleInfo(",", ".", "DMY", "d/M/yyyy", "d/M/yyyy H:mm:ss", "H:mm:ss"),
    "ja_JP": LocaleInfo(".", ",", "YMD", "yyyy/MM/dd", "yyyy/MM/dd H:mm:ss", "H:mm:ss"),
    "th_TH": LocaleInfo(".", ",", "DMY", "d/M/yyyy", "d/M/yyyy H:mm:ss", "H:mm:ss"),
}


def locale_info(locale: str | None) -> LocaleInfo:
    if not locale:
        return _EN_US
    if locale in LOCALES:
        return LOCALES[locale]
    lang = locale.split("_")[0]
    for key, info in LOCALES.items():
        if key.split("_")[0] == lang:
            return info
    return _EN_US


DATE_TYPES = frozenset({"DATE", "TIME", "DATE_TIME"})


def is_date_format(fmt: dict[str, Any] | None) -> bool:
    return bool(fmt) and fmt.get("type") in DATE_TYPES  # type: ignore[union-attr]


# ---------------------------------------------------------------- serial numbers
def to_serial(value: datetime.datetime) -> int | float:
    delta = value - EPOCH
    serial = delta.days + delta.seconds / 86400 + delta.microseconds / 86_400_000_000
    return int(serial) if serial == int(serial) else serial


def from_serial(serial: float) -> datetime.datetime:
    return EPOCH + datetime.timedelta(milliseconds=round(serial * 86_400_000))


# ---------------------------------------------------------------- rendering
def json_number(x: float) -> int | float:
    """Integral values go out as JSON integers (``2``, not ``2.0``), like Google."""
    if isinstance(x, bool):
        return int(x)
    if isinstance(x, int):
        return x
    if math.isfinite(x) and x == int(x) and abs(x) < 2**53:
        return int(x)
    return x


def general(x: float, decimal: str = ".") -> str:
    """The "General"/automatic format: up to 10 significant digits, E notation for huge or tiny."""
    if x == 0:
        return "0"
    if x == int(x) and abs(x) < 1e15:
        return str(int(x))
    text = f"{x:.10g}"
    if "e" in text:
        mantissa, exp = text.split("e")
        if "." in mantissa:
            mantissa = mantissa.rstrip("0").rstrip(".")
        sign = "-" if exp.startswith("-") else "+"
        text = f"{mantissa}E{sign}{abs(int(exp)):02d}"
    elif "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", decimal) if decimal != "." else text


def format_number(x: float, fmt: dict[str, Any] | None, locale: str | None = None) -> str:
    info = locale_info(locale)
    kind = (fmt or {}).get("type")
    if not fmt or kind == "TEXT" or (kind in (None, "NUMBER_FORMAT_TYPE_UNSPECIFIED") and not fmt.get("pattern")):
        return general(x, info.decimal)
    pattern = fmt.get("pattern") or ""
    if kind in DATE_TYPES or (not kind and _looks_like_date_pattern(pattern)):
        if not pattern:
            pattern = {"DATE": info.date, "TIME": info.time}.get(kind or "", info.date_time)
        return format_date(x, pattern)
    if not pattern:
        pattern = {"PERCENT": "0.00%", "CURRENCY": "$#,##0.00", "SCIENTIFIC": "0.00E+00"}.get(kind or "", "")
        if not pattern:
            return general(x, info.decimal)
    return _format_with_pattern(x, pattern, info)


def _looks_like_date_pattern(pattern: str) -> bool:
    stripped = re.sub(r'"[^"]*"|\\.', "", pattern).lower()
    return bool(re.search(r"[ydhs]", stripped)) or ("m" in stripped and not re.search(r"[0#?]", stripped))


def _format_with_pattern(x: float, pattern: str, info: LocaleInfo) -> str:
    sections = _split_sections(pattern)
    section = sections[0]
    negative_section = len(sections) > 1 and x < 0
    if negative_section:
        section = sections[1]
    if len(sections) > 2 and x == 0:
        section = sections[2]
    prefix, body, suffix = _split_literals(section)
    value = abs(x) if (negative_section or x >= 0) else -x
    sign = "-" if x < 0 and not negative_section else ""
    if "%" in prefix + suffix:
        value *= 100
    if re.search(r"[Ee][+-]", body):
        mant, _, exp_part = re.split(r"([Ee][+-])", body, maxsplit=1)
        decimals = len(mant.split(".")[1]) if "." in mant else 0
        text = f"{value:.{decimals}E}"
        m, e = text.split("E")
        digits = len(exp_part) or 2
        text = f"{m}E{'-' if int(e) < 0 else '+'}{abs(int(e)):0{digits}d}"
        return sign + prefix + text.replace(".", info.decimal) + suffix
    int_part, _, frac_part = body.partition(".")
    grouping = "," in int_part
    min_int = int_part.count("0")
    max_dec = sum(frac_part.count(ch) for ch in "0#?")
    min_dec = frac_part.count("0")
    # Spreadsheets round half away from zero (0.5 -> 1), on the decimal digits shown.
    text = str(decimal.Decimal(repr(float(value))).quantize(decimal.Decimal(1).scaleb(-max_dec), decimal.ROUND_HALF_UP))
    whole, _, frac = text.partition(".")
    frac = frac.rstrip("0") if max_dec > min_dec else frac
    while len(frac) < min_dec:
        frac += "0"
    if whole == "0" and min_int == 0:
        whole = ""
    whole = whole.rjust(min_int, "0")
    if grouping and whole:
        whole = f"{int(whole):,}".replace(",", info.group)
    out = whole + (info.decimal + frac if frac else "")
    return sign + prefix + out + suffix


def _split_sections(pattern: str) -> list[str]:
    parts, current, quoted = [], "", False
    for ch in pattern:
        if ch == '"':
            quoted = not quoted
        if ch == ";" and not quoted:
            parts.append(current)
            current = ""
        else:
            current += ch
    parts.append(current)
    return parts


def _split_literals(section: str) -> tuple[str, str, str]:
    """Separate a number section into literal prefix, digit body and literal suffix."""
    prefix, body, suffix = "", "", ""
    i = 0
    seen_digit = False
    while i < len(section):
        ch = section[i]
        if ch == '"':
            end = section.find('"', i + 1)
            end = len(section) if end < 0 else end
            literal = section[i + 1 : end]
            i = end + 1
        elif ch == "\\" and i + 1 < len(section):
            literal = section[i + 1]
            i += 2
        elif ch == "[":
            end = section.find("]", i)
            token = section[i + 1 : end] if end > 0 else ""
            literal = token[1:].split("-")[0] if token.startswith("$") else ""
            i = end + 1 if end > 0 else len(section)
        elif ch in "0#?,." or (ch in "Ee" and seen_digit) or (ch in "+-" and body[-1:] in ("E", "e")):
            body += ch
            seen_digit = True
            i += 1
            continue
        else:
            literal = ch
            i += 1
        if seen_digit:
            suffix += literal
        else:
            prefix += literal
    return prefix, body, suffix


_MONTHS = [
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
]  # fmt: skip
_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
_DATE_TOKEN = re.compile(r'"[^"]*"|\\.|am/pm|a/p|\[h+\]|y+|m+|d+|h+|s+|\.0+|.', re.IGNORECASE)


def format_date(serial: float, pattern: str) -> str:
    moment = from_serial(serial)
    tokens = _DATE_TOKEN.findall(pattern)
    twelve_hour = any(t.lower() in ("am/pm", "a/p") for t in tokens)
    out: list[str] = []
    kinds = [t.lower()[0] if t[:1].isalpha() else "" for t in tokens]
    for i, token in enumerate(tokens):
        low = token.lower()
        if token.startswith('"'):
            out.append(token[1:-1])
        elif token.startswith("\\"):
            out.append(token[1:])
        elif low == "am/pm":
            out.append("AM" if moment.hour < 12 else "PM")
        elif low == "a/p":
            out.append("A" if moment.hour < 12 else "P")
        elif low.startswith("[h"):
            out.append(str(int(serial * 24)))
        elif low[0] == "y":
            out.append(f"{moment.year:04d}" if len(low) >= 3 else f"{moment.year % 100:02d}")
        elif low[0] == "m":
            prev = next((k for k in reversed(kinds[:i]) if k), "")
            nxt = next((k for k in kinds[i + 1 :] if k), "")
            if len(low) <= 2 and (prev == "h" or nxt == "s"):
                out.append(f"{moment.minute:02d}" if len(low) == 2 else str(moment.minute))
            elif len(low) == 1:
                out.append(str(moment.month))
            elif len(low) == 2:
                out.append(f"{moment.month:02d}")
            elif len(low) == 3:
                out.append(_MONTHS[moment.month - 1][:3])
            elif len(low) == 4:
                out.append(_MONTHS[moment.month - 1])
            else:
                out.append(_MONTHS[moment.month - 1][0])
        elif low[0] == "d":
            if len(low) == 1:
                out.append(str(moment.day))
            elif len(low) == 2:
                out.append(f"{moment.day:02d}")
            elif len(low) == 3:
                out.append(_DAYS[moment.weekday()][:3])
            else:
                out.append(_DAYS[moment.weekday()])
        elif low[0] == "h":
            hour = moment.hour
            if twelve_hour:
                hour = hour % 12 or 12
            out.append(f"{hour:02d}" if len(low) >= 2 else str(hour))
        elif low[0] == "s":
            out.append(f"{moment.second:02d}" if len(low) >= 2 else str(moment.second))
        elif low.startswith(".0"):
            digits = len(low) - 1
            out.append("." + f"{moment.microsecond / 1_000_000:.{digits}f}"[2:])
        else:
            out.append(token)
    return "".join(out)


# ---------------------------------------------------------------- typed input (USER_ENTERED)
def _number_regex(info: LocaleInfo) -> re.Pattern[str]:
    d, g = re.escape(info.decimal), re.escape(info.group)
    return re.compile(
        rf"^(?P<sign>[+-]?)(?P<cur>\$?)(?P<int>\d{{1,3}}(?:{g}\d{{3}})+|\d+)?(?:{d}(?P<frac>\d+))?"
        rf"(?P<exp>[eE][+-]?\d+)?(?P<pct>%?)$"
    )


_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$")
_SLASH_DATE = re.compile(r"^(\d{1,4})[/.](\d{1,2})[/.](\d{1,4})(?: (\d{1,2}):(\d{2})(?::(\d{2}))?)?$")
_TIME = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\s*([AaPp][Mm]))?$")


def parse_typed(text: str, locale: str | None = None) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """What a person typing ``text`` gets: (userEnteredValue or None for empty, detected numberFormat)."""
    info = locale_info(locale)
    if text == "":
        return None, None
    if text.startswith("'"):
        return {"stringValue": text[1:]}, None
    if text.startswith("=") and len(text) > 1:
        return {"formulaValue": text}, None
    if text.upper() in ("TRUE", "FALSE"):
        return {"boolValue": text.upper() == "TRUE"}, None
    stripped = text.strip()
    number = _parse_number(stripped, info)
    if number is not None:
        return number
    moment = _parse_date(stripped, info)
    if moment is not None:
        return moment
    return {"stringValue": text}, None


def _parse_number(text: str, info: LocaleInfo) -> tuple[dict[str, Any], dict[str, Any] | None] | None:
    m = _number_regex(info).match(text)
    if not m or (m.group("int") is None and m.group("frac") is None):
        return None
    int_text = (m.group("int") or "0").replace(info.group, "")
    frac = m.group("frac") or ""
    value: float = float(f"{int_text}.{frac or '0'}{m.group('exp') or ''}")
    if m.group("sign") == "-":
        value = -value
    fmt: dict[str, Any] | None = None
    decimals = "0." + "0" * max(2, len(frac)) if frac else "0"
    if m.group("pct"):
        value /= 100
        fmt = {"type": "PERCENT", "pattern": "0.00%" if frac else "0%"}
    elif m.group("cur"):
        fmt = {"type": "CURRENCY", "pattern": '"$"#,##0.00'}
    elif m.group("exp"):
        fmt = {"type": "SCIENTIFIC", "pattern": "0.00E+00"}
    elif m.group("int") and info.group in m.group("int"):
        fmt = {"type": "NUMBER", "pattern": "#,##" + decimals}
    return {"numberValue": json_number(round(value, 12) if m.group("pct") else value)}, fmt


def _parse_date(text: str, info: LocaleInfo) -> tuple[dict[str, Any], dict[str, Any]] | None:
    m = _ISO_DATE.match(text)
    hour = minute = second = None
    if m:
        year, month, day = int(m.group(1)), int(m.group(2)), int(m.group(3))
        hour, minute, second = m.group(4), m.group(5), m.group(6)
        pattern = "yyyy-mm-dd"
    else:
        m = _SLASH_DATE.match(text)
        if m:
            a, b, c = int(m.group(1)), int(m.group(2)), int(m.group(3))
            sep = "." if "." in text.split(" ", maxsplit=1)[0] else "/"
            if len(m.group(1)) == 4:
                year, month, day = a, b, c
                pattern = f"yyyy{sep}m{sep}d"
            elif len(m.group(3)) != 4:
                return None
            elif info.order == "MDY":
                month, day, year = a, b, c
                pattern = f"m{sep}d{sep}yyyy"
            else:
                day, month, year = a, b, c
                pattern = f"d{sep}m{sep}yyyy"
            hour, minute, second = m.group(4), m.group(5), m.group(6)
        else:
            t = _TIME.match(text)
            if not t:
                return None
            h, mi, s = int(t.group(1)), int(t.group(2)), int(t.group(3) or 0)
            if t.group(4):
                if not 1 <= h <= 12:
                    return None
                h = h % 12 + (12 if t.group(4).lower() == "pm" else 0)
            if h > 23 or mi > 59 or s > 59:
                return None
            serial = (h * 3600 + mi * 60 + s) / 86400
            pattern = "h:mm:ss am/pm" if t.group(4) else ("h:mm:ss" if t.group(3) else "h:mm")
            return {"numberValue": json_number(serial)}, {"type": "TIME", "pattern": pattern}
    try:
        moment = datetime.datetime(year, month, day)
    except ValueError:
        return None
    kind = "DATE"
    if hour is not None:
        if int(hour) > 23 or int(minute) > 59 or int(second or 0) > 59:
            return None
        moment = moment.replace(hour=int(hour), minute=int(minute), second=int(second or 0))
        pattern += " hh:mm:ss" if second is not None else " hh:mm"
        kind = "DATE_TIME"
    return {"numberValue": to_serial(moment)}, {"type": kind, "pattern": pattern}


def parse_date_value(text: str, locale: str | None = None) -> float | None:
    """A condition value such as ``2020-01-01`` or ``1/31/2020`` as a serial number, else None."""
    parsed = _parse_date(text.strip(), locale_info(locale))
    return None if parsed is None else parsed[0]["numberValue"]


def parse_number_value(text: str, locale: str | None = None) -> float | None:
    parsed = _parse_number(text.strip(), locale_info(locale))
    return None if parsed is None else parsed[0]["numberValue"]
