"""Make tests/fixtures/v1/typed-libreoffice-vi.xlsx: the v1 Vietnamese demo as staff would type into it.

The fixture was made once, with the v1 code (the commit before template version 2),
so that ``sheetkit upgrade`` is tested on a workbook typed into and saved by
LibreOffice rather than by sheetkit:

1. ``git worktree add /tmp/v1code <commit before template v2>``; then, from it,
   ``sheetkit demo tests/fixtures/v1/demo-vi.xlsx --locale vi`` (the committed demo-vi.xlsx);
2. ``soffice --headless --convert-to fods --outdir /tmp/skfix tests/fixtures/v1/demo-vi.xlsx``
   (LibreOffice's flat XML: every cell as LibreOffice holds it);
3. ``python scripts/make_typed.py /tmp/skfix/demo-vi.fods /tmp/skfix/typed-libreoffice-vi.fods``
   makes the edits below in that XML, as a person would in the application;
4. ``soffice --headless --convert-to xlsx:"Calc MS Excel 2007 XML" --outdir /tmp/skfix/out
   /tmp/skfix/typed-libreoffice-vi.fods``, copied to tests/fixtures/v1/typed-libreoffice-vi.xlsx.

The edits:

- Visits: three rows typed right after the data, two rows 1,500 rows below the
  last data row (past version 1's prepared area);
- Clients: a column staff added ("Ghi chú riêng") with text and a number; row 5 hidden;
- Settings: lapse_floor_days 90 -> 120; Lists: the first service's price -> 77000.

The same route (steps 2-4 with other edits) makes any test workbook whose cells must
be typed by LibreOffice, e.g. a birthday without the year in an Italian workbook.
"""

from __future__ import annotations

import copy
import re
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

#: Sheet names of the Vietnamese v1 workbook.
VISITS, CLIENTS, SETTINGS, LISTS = "Liệu trình", "Khách hàng", "Cài đặt", "Danh mục"
#: Visits columns that hold data (the formula columns come after them in version 1).
VISIT_DATA_COLUMNS = 16
SATISFACTION = 10
#: Rows typed below the last data row: right after it, and past the prepared area.
TYPED_OFFSETS = (1, 2, 3, 1500, 1501)


class Fods:
    """A LibreOffice flat XML spreadsheet, edited cell by cell (repeated rows and cells are split on demand)."""

    def __init__(self, text: str) -> None:
        namespaces = dict(re.findall(r'xmlns:([A-Za-z0-9_-]+)="([^"]+)"', text[:20000]))
        for prefix, uri in namespaces.items():
            ET.register_namespace(prefix, uri)
        self.table_ns = "{{{}}}".format(namespaces["table"])
        self.office_ns = "{{{}}}".format(namespaces["office"])
        self.text_ns = "{{{}}}".format(namespaces["text"])
        self.calc_ns = "{{{}}}".format(namespaces["calcext"])
        self.root = ET.fromstring(text)  # noqa: S314 - a file LibreOffice wrote from our own demo
        self.tables = {t.get(self.t("name")): t for t in self.root.iter(self.t("table"))}

    def t(self, name: str) -> str:
        """A name in the table namespace."""
        return self.table_ns + name

    def rows(self, table: ET.Element) -> list[ET.Element]:
        return list(table.iter(self.t("table-row")))

    def row_at(self, table: ET.Element, index: int) -> ET.Element:
        """The row element of 0-based row ``index``, its repeated run split around it."""
        parents = {child: parent for parent in table.iter() for child in parent}
        position = 0
        repeated = self.t("number-rows-repeated")
        for row in self.rows(table):
            n = int(row.get(repeated, "1"))
            if position + n > index:
                if index > position:
                    _split(parents[row], row, repeated, index - position)
                    return self.row_at(table, index)
                _split(parents[row], row, repeated, 1)
                return row
            position += n
        raise IndexError(index)

    def cell_at(self, row: ET.Element, index: int) -> ET.Element:
        """The cell element of 0-based column ``index`` (cells are added when the row is shorter)."""
        position = 0
        repeated = self.t("number-columns-repeated")
        for cell in list(row):
            if cell.tag not in {self.t("table-cell"), self.t("covered-table-cell")}:
                continue
            n = int(cell.get(repeated, "1"))
            if position + n > index:
                if index > position:
                    _split(row, cell, repeated, index - position)
                    return self.cell_at(row, index)
                _split(row, cell, repeated, 1)
                return cell
            position += n
        if index > position:
            filler = ET.SubElement(row, self.t("table-cell"))
            if index - position > 1:
                filler.set(repeated, str(index - position))
        return ET.SubElement(row, self.t("table-cell"))

    def set_cell(self, row: ET.Element, index: int, new: ET.Element) -> None:
        old = self.cell_at(row, index)
        position = list(row).index(old)
        row.remove(old)
        row.insert(position, new)

    def string_cell(self, value: str, style: str | None = None) -> ET.Element:
        kind = {self.office_ns + "value-type": "string", self.calc_ns + "value-type": "string"}
        cell = ET.Element(self.t("table-cell"), kind)
        if style:
            cell.set(self.t("style-name"), style)
        ET.SubElement(cell, self.text_ns + "p").text = value
        return cell

    def float_cell(self, value: float) -> ET.Element:
        kind = {
            self.office_ns + "value-type": "float",
            self.office_ns + "value": str(value),
            self.calc_ns + "value-type": "float",
        }
        return ET.Element(self.t("table-cell"), kind)

    def last_data_row(self, table: ET.Element) -> int:
        """0-based index of the last row whose first cell holds something."""
        position = last = 0
        for row in self.rows(table):
            n = int(row.get(self.t("number-rows-repeated"), "1"))
            first = next((c for c in row if c.tag == self.t("table-cell")), None)
            if first is not None and _text(first):
                last = position + n - 1
            position += n
        return last

    def to_bytes(self) -> bytes:
        return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(self.root, encoding="utf-8")


def _split(parent: ET.Element, element: ET.Element, attribute: str, keep: int) -> None:
    """Split a repeated element: its first ``keep`` copies stay one element, the rest become the next one."""
    n = int(element.get(attribute, "1"))
    if n <= keep:
        return
    rest = copy.deepcopy(element)
    for target, count in ((element, keep), (rest, n - keep)):
        if count > 1:
            target.set(attribute, str(count))
        else:
            target.attrib.pop(attribute, None)
    parent.insert(list(parent).index(element) + 1, rest)


def _text(cell: ET.Element) -> str:
    return "".join(cell.itertext()).strip()


def type_visits(book: Fods) -> None:
    """Copies of the last visit typed right after the data and 1,500 rows below it."""
    visits = book.tables[VISITS]
    last = book.last_data_row(visits)
    model = copy.deepcopy(book.row_at(visits, last))
    data_columns: list[int] = []
    position = 0
    for cell in (c for c in model if c.tag == book.t("table-cell")):
        n = int(cell.get(book.t("number-columns-repeated"), "1"))
        if cell.get(book.t("formula")) is None:
            data_columns += range(position, position + n)
        position += n
    data_columns = [i for i in data_columns if i < VISIT_DATA_COLUMNS]
    model_cells = {i: copy.deepcopy(book.cell_at(model, i)) for i in data_columns}
    for k, offset in enumerate(TYPED_OFFSETS):
        row = book.row_at(visits, last + offset)
        for i in data_columns:
            cell = copy.deepcopy(model_cells[i])
            if i == 0:
                cell = book.string_cell(f"V-9{k:04d}", cell.get(book.t("style-name")))
            if i == SATISFACTION and cell.get(book.office_ns + "value") is not None:
                cell.set(book.office_ns + "value", str(1 + k % 5))
            book.set_cell(row, i, cell)
    print("visits: last data row", last + 1, "-> typed rows", *(last + 1 + o for o in TYPED_OFFSETS))


def type_clients(book: Fods) -> None:
    """A column staff added after the template's, with values, and a hidden row."""
    clients = book.tables[CLIENTS]
    header = book.row_at(clients, 0)
    extra = sum(int(c.get(book.t("number-columns-repeated"), "1")) for c in header if _text(c))
    book.set_cell(header, extra, book.string_cell("Ghi chú riêng"))
    for row, note in ((1, "Thích trà gừng"), (2, "0987"), (4, "Khách VIP")):
        book.set_cell(book.row_at(clients, row), extra, book.string_cell(note))
    book.set_cell(book.row_at(clients, 3), extra, book.float_cell(42))
    book.row_at(clients, 4).set(book.t("visibility"), "collapse")
    print("clients: extra column at index", extra, "; row 5 hidden")


def edit_settings_and_lists(book: Fods) -> None:
    """The manager's own setting and price."""
    settings = book.tables[SETTINGS]
    for index in range(1, 30):
        row = book.row_at(settings, index)
        if _text(book.cell_at(row, 0)) == "lapse_floor_days":
            book.set_cell(row, 2, book.float_cell(120))
            print("settings: lapse_floor_days -> 120")
            break
    row = book.row_at(book.tables[LISTS], 1)
    print("lists: service", _text(book.cell_at(row, 3)), "price -> 77000")
    book.set_cell(row, 5, book.float_cell(77000))


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: python scripts/make_typed.py DEMO.fods OUT.fods", file=sys.stderr)
        return 2
    source, out = Path(argv[0]), Path(argv[1])
    book = Fods(source.read_text(encoding="utf-8"))
    type_visits(book)
    type_clients(book)
    edit_settings_and_lists(book)
    out.write_bytes(book.to_bytes())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
