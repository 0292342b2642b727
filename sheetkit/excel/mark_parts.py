"""The XML edits behind :mod:`sheetkit.excel.mark`: cell formats, cells, relationships, comments, VML notes.

Each edit is textual and local, so whatever sheetkit does not understand in a part (x14 validations,
extension lists, namespaces it does not know) is kept exactly as it was.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

from sheetkit.template.geometry import column_index

__all__ = [
    "EMPTY_COMMENTS",
    "EMPTY_RELS",
    "EMPTY_VML",
    "SHAPETYPE",
    "CellMark",
    "Styles",
    "add_relationship",
    "cell_order",
    "comment_runs",
    "insert_legacy_drawing",
    "mark_cells",
    "relationships",
    "relative",
    "resolve",
    "run",
    "unescape",
    "vml_shape",
]

_NS_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
EMPTY_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"></Relationships>'
)
EMPTY_COMMENTS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<comments xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    "<authors></authors><commentList></commentList></comments>"
)
EMPTY_VML = (
    '<xml xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" '
    'xmlns:x="urn:schemas-microsoft-com:office:excel"></xml>'
)
SHAPETYPE = (
    '<v:shapetype id="_x0000_t202" coordsize="21600,21600" o:spt="202" path="m,l,21600r21600,l21600,xe">'
    '<v:stroke joinstyle="miter"/><v:path gradientshapeok="t" o:connecttype="rect"/></v:shapetype>'
)
#: Elements that follow legacyDrawing in a worksheet (the order of CT_Worksheet), and the end.
_AFTER_LEGACY = (
    "<legacyDrawingHF",
    "<drawingHF",
    "<picture",
    "<oleObjects",
    "<controls",
    "<webPublishItems",
    "<tableParts",
    "<extLst",
    "</worksheet>",
)
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_CELL_TAG = re.compile(r"<c\b([^>]*?)(/?)>")
_CELL = re.compile(r"<c\b[^>]*?(?:/>|>.*?</c>)", re.S)
_ROW = re.compile(r"<row\b([^>]*?)(?:/>|>(.*?)</row>)", re.S)
_REF = re.compile(r'\br="([A-Z]{1,3})(\d+)"')
_STYLE = re.compile(r'\bs="(\d+)"')


@dataclass
class CellMark:
    """What one cell gets: the messages of its Issues and whether one of them is an error."""

    messages: list[str] = field(default_factory=list)
    error: bool = False


# ---------------------------------------------------------------- styles


class Styles:
    """``xl/styles.xml`` with a highlighted copy of each cell format a problem cell has."""

    def __init__(self, xml: str, fills: Mapping[bool, str]) -> None:
        self.xml = xml
        self._fill_rgb = fills  # error? -> ARGB
        fills_body = _section(xml, "fills")
        self._fill_count = len(re.findall(r"<fill\b(?!s)", fills_body or ""))
        self._new_fills: dict[bool, int] = {}
        xfs_body = _section(xml, "cellXfs") or ""
        self._xfs = re.findall(r"<xf\b[^>]*?(?:/>|>.*?</xf>)", xfs_body, re.S)
        self._new_xfs: list[str] = []
        self._made: dict[tuple[int, bool], int] = {}

    def marked(self, base: int, *, error: bool) -> int:
        """The index of format ``base`` with the error (or warning) fill."""
        key = (base, error)
        if key not in self._made:
            fill = self._fill(error)
            xf = self._xfs[base] if 0 <= base < len(self._xfs) else (self._xfs[0] if self._xfs else "<xf/>")
            xf = _set_attr(_set_attr(xf, "fillId", str(fill)), "applyFill", "1")
            self._new_xfs.append(xf)
            self._made[key] = len(self._xfs) + len(self._new_xfs) - 1
        return self._made[key]

    def _fill(self, error: bool) -> int:
        if error not in self._new_fills:
            self._new_fills[error] = self._fill_count + len(self._new_fills)
        return self._new_fills[error]

    def text(self) -> str:
        """The edited styles part."""
        xml = self.xml
        if self._new_fills:
            fills = "".join(
                f'<fill><patternFill patternType="solid"><fgColor rgb="{self._fill_rgb[e]}"/>'
                '<bgColor indexed="64"/></patternFill></fill>'
                for e, _ in sorted(self._new_fills.items(), key=lambda item: item[1])
            )
            xml = _append(xml, "fills", fills, self._fill_count + len(self._new_fills))
        if self._new_xfs:
            xml = _append(xml, "cellXfs", "".join(self._new_xfs), len(self._xfs) + len(self._new_xfs))
        return xml


def _section(xml: str, tag: str) -> str | None:
    match = re.search(rf"<{tag}\b[^>]*?(?:/>|>(.*?)</{tag}>)", xml, re.S)
    return None if match is None else match.group(1) or ""


def _append(xml: str, tag: str, content: str, count: int) -> str:
    """``content`` appended to the section ``tag`` (created when missing), its count attribute updated."""
    match = re.search(rf"<{tag}\b([^>]*?)(/?)>", xml)
    if match is None:  # no such section: styles without fills are not valid, but be kind
        return xml.replace("</styleSheet>", f'<{tag} count="{count}">{content}</{tag}></styleSheet>', 1)
    attrs = _set_attr_text(match.group(1), "count", str(count))
    if match.group(2):  # <fills count="0"/>
        return xml[: match.start()] + f"<{tag}{attrs}>{content}</{tag}>" + xml[match.end() :]
    end = xml.index(f"</{tag}>", match.end())
    return xml[: match.start()] + f"<{tag}{attrs}>" + xml[match.end() : end] + content + xml[end:]


def _set_attr(tag: str, name: str, value: str) -> str:
    """``tag`` (an element's text) with attribute ``name`` set to ``value``."""
    head = re.match(r"<[\w:]+", tag)
    assert head is not None  # noqa: S101  # the regexes that found the tag start it with a name
    close = re.search(r"/?>", tag)
    assert close is not None  # noqa: S101
    attrs = _set_attr_text(tag[head.end() : close.start()], name, value)
    return tag[: head.end()] + attrs + tag[close.start() :]


def _set_attr_text(attrs: str, name: str, value: str) -> str:
    pattern = re.compile(rf'(\s){name}="[^"]*"')
    if pattern.search(attrs):
        return pattern.sub(lambda m: f'{m.group(1)}{name}="{value}"', attrs, count=1)
    return f'{attrs} {name}="{value}"'


# ---------------------------------------------------------------- cells


def mark_cells(xml: str, styles: Styles, marks: Mapping[str, CellMark]) -> str:
    """The worksheet ``xml`` with every cell of ``marks`` given a highlighted format (added when not stored)."""
    seen: set[str] = set()

    def restyle(match: re.Match[str]) -> str:
        ref = _REF.search(match.group(1))
        if ref is None:
            return match.group(0)
        key = ref.group(1) + ref.group(2)
        if key not in marks:
            return match.group(0)
        seen.add(key)
        style = _STYLE.search(match.group(1))
        base = int(style.group(1)) if style else 0
        return _set_attr(match.group(0), "s", str(styles.marked(base, error=marks[key].error)))

    xml = _CELL_TAG.sub(restyle, xml)
    missing = [ref for ref in marks if ref not in seen]
    if not missing:
        return xml
    columns = _column_styles(xml)
    added: dict[int, dict[int, str]] = {}
    for ref in missing:
        letters, row = re.fullmatch(r"([A-Z]{1,3})(\d+)", ref).groups()  # type: ignore[union-attr]
        col = column_index(letters)
        base = columns.get(col, 0)
        tag = f'<c r="{ref}" s="{styles.marked(base, error=marks[ref].error)}"/>'
        added.setdefault(int(row), {})[col] = tag
    return _add_cells(xml, added)


def _column_styles(xml: str) -> dict[int, int]:
    """Column index (0 for A) -> the format of its empty cells (from ``<cols>``, which counts from 1)."""
    styles: dict[int, int] = {}
    for tag in re.findall(r"<col\b[^>]*>", xml):
        low, high, style = (re.search(rf'\b{a}="(\d+)"', tag) for a in ("min", "max", "style"))
        if low and high and style:
            for col in range(int(low.group(1)), min(int(high.group(1)), 16384) + 1):
                styles[col - 1] = int(style.group(1))
            if int(high.group(1)) - int(low.group(1)) > 16384:
                break
    return styles


def _add_cells(xml: str, added: dict[int, dict[int, str]]) -> str:
    """``xml`` with the cells ``added`` (row -> column -> element) put into their rows, rows made as needed."""
    data = re.search(r"<sheetData\s*/>|<sheetData\b[^>]*>(.*?)</sheetData>", xml, re.S)
    if data is None:
        return xml
    inner = data.group(1) or ""
    out: list[str] = []
    pending = sorted(added)
    last = 0
    position = 0
    for match in _ROW.finditer(inner):
        out.append(inner[position : match.start()])
        position = match.end()
        ref = re.search(r'\br="(\d+)"', match.group(1))
        number = int(ref.group(1)) if ref else last + 1
        last = number
        while pending and pending[0] < number:
            row = pending.pop(0)
            out.append(f'<row r="{row}">{"".join(added[row][c] for c in sorted(added[row]))}</row>')
        if pending and pending[0] == number:
            pending.pop(0)
            out.append(_row_with(match, added[number]))
        else:
            out.append(match.group(0))
    out.append(inner[position:])
    out.extend(f'<row r="{row}">{"".join(added[row][c] for c in sorted(added[row]))}</row>' for row in pending)
    return xml[: data.start()] + "<sheetData>" + "".join(out) + "</sheetData>" + xml[data.end() :]


def _row_with(row: re.Match[str], cells: dict[int, str]) -> str:
    """A ``<row>`` element with ``cells`` (column -> element) in column order among its own."""
    attrs = re.sub(r'\sspans="[^"]*"', "", row.group(1))  # an optimisation hint the new cells may fall outside
    content = row.group(2) or ""
    own = [(m.start(), m.end(), m.group(0)) for m in _CELL.finditer(content)]
    pieces: list[tuple[int, str]] = []
    for _, _, cell in own:
        ref = _REF.search(cell)
        pieces.append((column_index(ref.group(1)) if ref else 0, cell))
    pieces += list(cells.items())
    pieces.sort(key=lambda item: item[0])
    tail = content[own[-1][1] :] if own else content  # e.g. a row's extLst
    return f"<row{attrs}>{''.join(text for _, text in pieces)}{tail}</row>"


# ---------------------------------------------------------------- relationships and parts


def relationships(xml: str) -> dict[str, tuple[str, str]]:
    """Relationship id -> (type, target) of a ``.rels`` part."""
    found: dict[str, tuple[str, str]] = {}
    for tag in re.findall(r"<Relationship\b[^>]*>", xml):
        rid, kind, target = (re.search(rf'\b{a}="([^"]*)"', tag) for a in ("Id", "Type", "Target"))
        if rid and kind and target:
            found[rid.group(1)] = (kind.group(1), unescape(target.group(1)))
    return found


def add_relationship(xml: str, kind: str, target: str) -> tuple[str, str]:
    """``xml`` (a ``.rels`` part) with a new relationship, and its id."""
    taken = set(relationships(xml))
    number = 1
    while f"rIdSk{number}" in taken:
        number += 1
    rid = f"rIdSk{number}"
    entry = f'<Relationship Id="{rid}" Type="{kind}" Target="{escape(target)}"/>'
    xml = re.sub(r"<Relationships\b([^>]*?)/>", r"<Relationships\1></Relationships>", xml, count=1)
    return xml.replace("</Relationships>", entry + "</Relationships>", 1), rid


def resolve(source: str, target: str) -> str:
    """The part a relationship of part ``source`` points to."""
    if target.startswith("/"):
        return target[1:]
    return posixpath.normpath(posixpath.join(posixpath.dirname(source), target))


def relative(source: str, part: str) -> str:
    """``part`` as a relationship target of part ``source``."""
    return posixpath.relpath(part, posixpath.dirname(source))


def insert_legacy_drawing(xml: str, rid: str) -> str:
    """The worksheet ``xml`` with a ``legacyDrawing`` (the comments' notes) where the schema wants it."""
    root = re.search(r"<worksheet\b[^>]*>", xml)
    declared = root is not None and f'xmlns:r="{_NS_R}"' in root.group(0)
    element = f'<legacyDrawing r:id="{rid}"/>' if declared else f'<legacyDrawing xmlns:r="{_NS_R}" r:id="{rid}"/>'
    tail = xml.rfind("</sheetData>")
    tail = max(tail, 0)
    places = [i for i in (xml.find(tag, tail) for tag in _AFTER_LEGACY) if i >= 0]
    at = min(places) if places else len(xml)
    return xml[:at] + element + xml[at:]


def unescape(text: str) -> str:
    """XML attribute text as the characters it stands for."""
    return (
        text.replace("&quot;", '"')
        .replace("&apos;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
    )


# ---------------------------------------------------------------- comment text and notes


def cell_order(ref: str) -> tuple[int, int]:
    """Sort key of an A1 reference: by row, then column."""
    letters, number = re.fullmatch(r"([A-Z]{1,3})(\d+)", ref).groups()  # type: ignore[union-attr]
    return int(number), column_index(letters)


def run(text: str, *, bold: bool = False) -> str:
    """One formatted run of comment text."""
    clean = escape(_XML_ILLEGAL.sub("\ufffd", text))
    weight = "<b/>" if bold else ""
    return (
        f'<r><rPr>{weight}<sz val="9"/><color indexed="81"/><rFont val="Tahoma"/><family val="2"/></rPr>'
        f'<t xml:space="preserve">{clean}</t></r>'
    )


def comment_runs(mark: CellMark, title: str) -> str:
    """A comment's text: a bold title, then each message on its own line."""
    return run(title, bold=True) + run("\n" + "\n".join(f"• {m}" for m in mark.messages))


def vml_shape(shape_id: int, ref: str) -> str:
    """The hidden note shape Excel draws a cell comment with (LibreOffice reads the comment part)."""
    letters, number = re.fullmatch(r"([A-Z]{1,3})(\d+)", ref).groups()  # type: ignore[union-attr]
    col, row = column_index(letters), int(number) - 1
    anchor = f"{col + 1}, 15, {max(row - 1, 0)}, 10, {col + 5}, 15, {row + 6}, 4"
    return (
        f'<v:shape id="_x0000_s{shape_id}" type="#_x0000_t202" '
        'style="position:absolute;margin-left:60pt;margin-top:2pt;width:240pt;height:90pt;z-index:1;'
        'visibility:hidden" fillcolor="#ffffe1" o:insetmode="auto">'
        '<v:fill color2="#ffffe1"/><v:shadow on="t" color="black" obscured="t"/><v:path o:connecttype="none"/>'
        '<v:textbox style="mso-direction-alt:auto"><div style="text-align:left"></div></v:textbox>'
        f'<x:ClientData ObjectType="Note"><x:MoveWithCells/><x:SizeWithCells/><x:Anchor>{anchor}</x:Anchor>'
        f"<x:AutoFill>False</x:AutoFill><x:Row>{row}</x:Row><x:Column>{col}</x:Column></x:ClientData>"
        "</v:shape>"
    )
