"""A marked-up copy of a staff workbook: every problem cell highlighted, with a comment saying what to fix.

``sheetkit check BOOK --mark OUT.xlsx`` gives staff the check's findings where they work. The copy must
keep everything of the original: validations (also Excel's x14 extensions), conditional formats,
formulas and their cached values, protection, defined names. Loading and saving with openpyxl loses
some of these, so the package is edited at XML level instead, and only where needed:

- ``xl/styles.xml``: two fills (error, warning) and, per style a problem cell had, a copy of that cell
  format with the fill; nothing else changes, so number formats, fonts, borders and protection stay.
- each sheet with problems: the ``s`` attribute of its problem cells (a cell not stored yet, such as an
  empty required cell, is added with its column's format), and a ``legacyDrawing`` reference;
- a comments part and its VML drawing per sheet (merged into the sheet's own comments when staff
  already have some), their relationships and content types.

Every other part is copied byte for byte. The source must be an .xlsx (decrypted first when it has a
password; the copy is then encrypted with the same one), and the copy is written atomically through
:mod:`sheetkit.files`, never over the workbook itself.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path

from sheetkit.errors import UsageError, WorkbookPasswordError
from sheetkit.excel import mark_parts as parts
from sheetkit.excel.crypto import decrypted, encrypt_workbook
from sheetkit.excel.mark_parts import CellMark
from sheetkit.excel.sniff import pin_workbook, sniff_pinned
from sheetkit.files import write_atomically
from sheetkit.issues import Issue

__all__ = ["FILL_ERROR", "FILL_WARNING", "mark_package", "mark_workbook"]

#: Highlight colours (ARGB): Excel's own "light red" and "light yellow" cell styles.
FILL_ERROR = "FFFFC7CE"
FILL_WARNING = "FFFFEB9C"
#: Who the comments are by, and the first line of each.
AUTHOR = "sheetkit"
_NS_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_REL_COMMENTS = f"{_NS_R}/comments"
_REL_VML = f"{_NS_R}/vmlDrawing"
_CT_COMMENTS = "application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml"
_CT_VML = "application/vnd.openxmlformats-officedocument.vmlDrawing"


def mark_workbook(
    book: Path | str,
    out: Path | str,
    issues: Sequence[Issue],
    *,
    title: str = AUTHOR,
    password: str | None = None,
    overwrite: bool = False,
) -> int:
    """Write a copy of the .xlsx ``book`` to ``out`` with every cell of ``issues`` marked; return how many.

    ``issues`` are those of the workbook (``sheetkit.validate(book).issues``); their messages, in the
    workbook's language, become the comments, under ``title``. Issues without a cell (a missing sheet,
    a blank row) mark nothing. ``out`` must not be ``book``; an encrypted ``book`` is opened with
    ``password`` and the copy is encrypted with it too.
    """
    source, target = Path(book), Path(out)
    if target.suffix.lower() != ".xlsx":
        raise UsageError(f"the marked-up copy is an .xlsx workbook: give a name ending in .xlsx, not {target.name!r}")
    if _same_file(source, target):
        raise UsageError("the marked-up copy must be a new file, not the workbook being checked")
    package = _package(source, password)
    marked, count = mark_package(package, issues, title=title)
    if password is not None:
        marked = encrypt_workbook(marked, password)
    with write_atomically(target, overwrite=overwrite) as (tmp,):
        tmp.write_bytes(marked)
    return count


def mark_package(package: bytes, issues: Iterable[Issue], *, title: str = AUTHOR) -> tuple[bytes, int]:
    """The .xlsx ``package`` (its bytes) with the cells of ``issues`` marked, and how many cells were marked."""
    with zipfile.ZipFile(io.BytesIO(package)) as zf:
        infos = zf.infolist()
        contents = {info.filename: zf.read(info) for info in infos}
    editor = _Package(contents, title)
    count = editor.mark(_by_sheet(issues))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in infos:  # the original order: [Content_Types].xml stays first
            zout.writestr(info, editor.parts.pop(info.filename), compress_type=info.compress_type)
        for name, data in editor.parts.items():
            zout.writestr(name, data)
    return buffer.getvalue(), count


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve() or (b.exists() and a.samefile(b))
    except OSError:
        return False


def _package(source: Path, password: str | None) -> bytes:
    """The plain .xlsx bytes of ``source``, after the same safety checks as reading it."""
    with pin_workbook(source) as pinned:
        try:
            kind = sniff_pinned(pinned)
        except WorkbookPasswordError:
            if password is None:
                raise
            with decrypted(pinned, password) as plain:
                _need_xlsx(sniff_pinned(plain))
                with plain.open() as stream:
                    return stream.read()
        _need_xlsx(kind)
        with pinned.open() as stream:
            return stream.read()


def _need_xlsx(kind: str) -> None:
    if kind != "xlsx":
        raise UsageError(f"a marked-up copy can be made of an .xlsx workbook only (this one is {kind})")


def _by_sheet(issues: Iterable[Issue]) -> dict[str, dict[str, CellMark]]:
    """Sheet name -> A1 cell -> its mark; Issues without a cell are left out."""
    sheets: dict[str, dict[str, CellMark]] = {}
    for issue in issues:
        if not issue.cell or not issue.sheet or not re.fullmatch(r"[A-Z]{1,3}\d+", issue.cell):
            continue
        mark = sheets.setdefault(issue.sheet, {}).setdefault(issue.cell, CellMark())
        if issue.message not in mark.messages:
            mark.messages.append(issue.message)
        mark.error = mark.error or issue.severity == "error"
    return sheets


def _text(data: bytes) -> str:
    return data.decode("utf-8")


class _Package:
    """The parts of one .xlsx package while they are edited; parts not named here stay as they were."""

    def __init__(self, contents: dict[str, bytes], title: str) -> None:
        self.parts = contents
        self.title = title
        self.styles = parts.Styles(_text(contents["xl/styles.xml"]), {True: FILL_ERROR, False: FILL_WARNING})

    def mark(self, sheets: dict[str, dict[str, CellMark]]) -> int:
        paths = self._sheet_paths()
        count = 0
        for name, marks in sheets.items():
            path = paths.get(name)
            if path is None or path not in self.parts or b"<worksheet" not in self.parts[path][:4096]:
                continue  # a chart sheet, or a worksheet written with a namespace prefix: left as it is
            self._mark_sheet(path, marks)
            count += len(marks)
        self.parts["xl/styles.xml"] = self.styles.text().encode("utf-8")
        return count

    def _sheet_paths(self) -> dict[str, str]:
        """Sheet name -> its part, from the workbook and its relationships."""
        workbook = _text(self.parts["xl/workbook.xml"])
        rels = parts.relationships(_text(self.parts.get("xl/_rels/workbook.xml.rels", b"")))
        paths: dict[str, str] = {}
        for tag in re.findall(r"<(?:\w+:)?sheet\b[^>]*>", workbook):
            name = re.search(r'\bname="([^"]*)"', tag)
            rid = re.search(r'\b[\w]+:id="([^"]*)"', tag)
            if name and rid and rid.group(1) in rels:
                paths[parts.unescape(name.group(1))] = parts.resolve("xl/workbook.xml", rels[rid.group(1)][1])
        return paths

    def _mark_sheet(self, path: str, marks: dict[str, CellMark]) -> None:
        xml = parts.mark_cells(_text(self.parts[path]), self.styles, marks)
        rels_path = f"{path.rsplit('/', 1)[0]}/_rels/{path.rsplit('/', 1)[-1]}.rels"
        rels_xml = _text(self.parts.get(rels_path, b"")) or parts.EMPTY_RELS
        rels = parts.relationships(rels_xml)
        comments = next((parts.resolve(path, target) for kind, target in rels.values() if kind == _REL_COMMENTS), None)
        legacy = re.search(r'<legacyDrawing\b[^>]*\b[\w]+:id="([^"]*)"', xml)
        vml = parts.resolve(path, rels[legacy.group(1)][1]) if legacy and legacy.group(1) in rels else None
        if comments is None or comments not in self.parts:
            comments = self._free_name("xl/comments{}.xml")
            rels_xml, _ = parts.add_relationship(rels_xml, _REL_COMMENTS, parts.relative(path, comments))
            self.parts[comments] = parts.EMPTY_COMMENTS.encode("utf-8")
            self._content_type_override(comments, _CT_COMMENTS)
        if vml is None or vml not in self.parts:
            vml = self._free_name("xl/drawings/vmlDrawing{}.vml")
            rels_xml, rid = parts.add_relationship(rels_xml, _REL_VML, parts.relative(path, vml))
            self.parts[vml] = parts.EMPTY_VML.encode("utf-8")
            self._content_type_default("vml", _CT_VML)
            xml = parts.insert_legacy_drawing(xml, rid)
        self._add_shapes(vml, self._add_comments(comments, marks))
        self.parts[path] = xml.encode("utf-8")
        self.parts[rels_path] = rels_xml.encode("utf-8")

    def _add_comments(self, part: str, marks: dict[str, CellMark]) -> list[str]:
        """Comments for ``marks`` in the comments part ``part``; the cells that got a comment of their own."""
        xml = _text(self.parts[part])
        authors = re.findall(r"<author>(.*?)</author>", xml, re.S)
        if AUTHOR in authors:
            author = authors.index(AUTHOR)
        else:
            author = len(authors)
            xml = re.sub(r"<authors\s*/>", "<authors></authors>", xml, count=1)
            xml = xml.replace("</authors>", f"<author>{AUTHOR}</author></authors>", 1)
        existing = set(re.findall(r'<comment\b[^>]*\bref="([A-Z]+\d+)"', xml))
        new: list[str] = []
        chunks: list[str] = []
        for ref in sorted(marks, key=parts.cell_order):
            text = parts.comment_runs(marks[ref], self.title)
            if ref in existing:  # staff's own comment stays; what to fix is added below it
                pattern = re.compile(rf'(<comment\b[^>]*\bref="{ref}"[^>]*>.*?)(</text>)', re.S)
                found = pattern.search(xml)
                if found is not None:
                    xml = xml[: found.end(1)] + parts.run("\n") + text + xml[found.end(1) :]
                continue
            chunks.append(f'<comment ref="{ref}" authorId="{author}"><text>{text}</text></comment>')
            new.append(ref)
        xml = re.sub(r"<commentList\s*/>", "<commentList></commentList>", xml, count=1)
        if "</commentList>" not in xml:
            xml = xml.replace("</comments>", "<commentList></commentList></comments>", 1)
        xml = xml.replace("</commentList>", "".join(chunks) + "</commentList>", 1)
        self.parts[part] = xml.encode("utf-8")
        return new

    def _add_shapes(self, part: str, refs: list[str]) -> None:
        """A hidden note shape per new comment in the VML drawing ``part`` (Excel shows comments through it)."""
        if not refs:
            return
        xml = self.parts[part].decode("utf-8", errors="replace")
        taken = {n for data in self._idmaps() for n in data}
        blocks: list[int] = []
        candidate = 1
        while len(blocks) * 1023 < len(refs):
            if candidate not in taken:
                blocks.append(candidate)
            candidate += 1
        data = ",".join(map(str, blocks))
        idmap = re.search(r'(<o:idmap\b[^>]*\bdata=")([^"]*)"', xml)
        if idmap is not None:
            xml = xml[: idmap.end(2)] + "," + data + xml[idmap.end(2) :]
        else:
            layout = f'<o:shapelayout v:ext="edit"><o:idmap v:ext="edit" data="{data}"/></o:shapelayout>'
            xml = re.sub(r"(<xml\b[^>]*>)", lambda m: m.group(1) + layout, xml, count=1)
        if 'id="_x0000_t202"' not in xml:
            xml = xml.replace("</xml>", parts.SHAPETYPE + "</xml>", 1)
        ids = [block * 1024 + k for block in blocks for k in range(1, 1024)]
        shapes = "".join(parts.vml_shape(ids[i], ref) for i, ref in enumerate(refs))
        self.parts[part] = xml.replace("</xml>", shapes + "</xml>", 1).encode("utf-8")

    def _idmaps(self) -> list[set[int]]:
        found: list[set[int]] = []
        for name, data in self.parts.items():
            if name.endswith(".vml"):
                for value in re.findall(rb'<o:idmap\b[^>]*\bdata="([^"]*)"', data):
                    found.append({int(n) for n in value.decode("ascii", "replace").split(",") if n.strip().isdigit()})
        return found

    def _free_name(self, pattern: str) -> str:
        number = 1
        while pattern.format(number) in self.parts:
            number += 1
        return pattern.format(number)

    def _content_type_override(self, part: str, content_type: str) -> None:
        xml = _text(self.parts["[Content_Types].xml"])
        entry = f'<Override PartName="/{part}" ContentType="{content_type}"/>'
        self.parts["[Content_Types].xml"] = xml.replace("</Types>", entry + "</Types>", 1).encode("utf-8")

    def _content_type_default(self, extension: str, content_type: str) -> None:
        xml = _text(self.parts["[Content_Types].xml"])
        if re.search(rf'<Default\b[^>]*Extension="{extension}"', xml, re.IGNORECASE):
            return
        entry = f'<Default Extension="{extension}" ContentType="{content_type}"/>'
        xml = re.sub(r"(<Types\b[^>]*>)", lambda m: m.group(1) + entry, xml, count=1)
        self.parts["[Content_Types].xml"] = xml.encode("utf-8")
