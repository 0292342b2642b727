"""Colours and cell formats as Sheets stores them: 8-bit channels printed as float32 (``0.5`` comes back
as ``0.49803922``, recorded), zero channels dropped, and every plain colour mirrored by a ``...Style`` twin
(``backgroundColor`` <-> ``backgroundColorStyle.rgbColor``).

>>> color({"red": 0.2588235294, "green": 0, "blue": 0.5})
{'red': 0.25882354, 'blue': 0.49803922}
>>> normalize_format({"backgroundColor": {"green": 1, "blue": 1}})
{'backgroundColor': {'green': 1, 'blue': 1}, 'backgroundColorStyle': {'rgbColor': {'green': 1, 'blue': 1}}}
"""

from __future__ import annotations

import copy
import math
import struct
from typing import Any

CHANNELS = ("red", "green", "blue", "alpha")
# (plain colour key, style key) pairs inside a CellFormat / TextFormat / Border
_MIRRORS = (("backgroundColor", "backgroundColorStyle"),)
_TEXT_MIRRORS = (("foregroundColor", "foregroundColorStyle"),)
_BORDER_MIRRORS = (("color", "colorStyle"),)
TAB_MIRRORS = (("tabColor", "tabColorStyle"),)


def f32(x: float) -> int | float:
    """The shortest decimal that reads back as the same float32, as Google prints colour channels."""
    single = struct.unpack("f", struct.pack("f", float(x)))[0]
    if single == int(single):
        return int(single)
    for digits in range(1, 10):
        text = f"{single:.{digits}g}"
        if struct.unpack("f", struct.pack("f", float(text)))[0] == single:
            return float(text)
    return single


def channel(x: float) -> int | float:
    """One colour channel: kept as 0..255 (truncated), printed as the float32 of n/255."""
    n = max(0, min(255, math.floor(float(x) * 255 + 1e-6)))
    return f32(n / 255)


def color(value: dict[str, Any] | None) -> dict[str, Any]:
    out = {k: channel(value[k]) for k in CHANNELS if value and value.get(k)}
    return {k: v for k, v in out.items() if v}


def theme_rgb(theme: dict[str, Any] | None, color_type: str) -> dict[str, Any]:
    for entry in (theme or {}).get("themeColors", []):
        if entry.get("colorType") == color_type:
            return copy.deepcopy(entry["color"].get("rgbColor", {}))
    return {}


def mirror(obj: dict[str, Any], pairs: tuple[tuple[str, str], ...], theme: dict[str, Any] | None) -> None:
    for plain, style in pairs:
        if style in obj:
            st = obj[style] or {}
            if st.get("themeColor"):
                obj[style] = {"themeColor": st["themeColor"]}
                obj[plain] = color(theme_rgb(theme, st["themeColor"]))
            else:
                obj[style] = {"rgbColor": color(st.get("rgbColor"))}
                obj[plain] = color(st.get("rgbColor"))
        elif plain in obj:
            obj[plain] = color(obj[plain])
            obj[style] = {"rgbColor": dict(obj[plain])}


def normalize_format(fmt: dict[str, Any] | None, theme: dict[str, Any] | None = None) -> dict[str, Any]:
    """A CellFormat (or a conditional-format ``format``) the way a later GET shows it."""
    out = copy.deepcopy(fmt or {})
    mirror(out, _MIRRORS, theme)
    if isinstance(out.get("textFormat"), dict):
        mirror(out["textFormat"], _TEXT_MIRRORS, theme)
    if isinstance(out.get("borders"), dict):
        for border in out["borders"].values():
            if isinstance(border, dict):
                mirror(border, _BORDER_MIRRORS, theme)
    if "numberFormat" in out and not out["numberFormat"]:
        del out["numberFormat"]
    return out


def mirror_mask(tree: dict[str, Any] | None) -> dict[str, Any] | None:
    """Widen a CellFormat field mask so a colour and its Style twin are always updated together."""
    if tree is None:
        return None
    out = dict(tree)
    for plain, style in _MIRRORS:
        if plain in out or style in out:
            out[plain] = out[style] = None
    text = out.get("textFormat")
    if isinstance(text, dict):
        text = dict(text)
        for plain, style in _TEXT_MIRRORS:
            if plain in text or style in text:
                text[plain] = text[style] = None
        out["textFormat"] = text
    return out


def deep_merge(base: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for key, value in patch.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out
