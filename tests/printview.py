"""A printable copy of a generated workbook's Clients sheet, for rendering to PNG.

The Clients sheet has ~47 columns; printed whole it spans many pages. The copy
keeps the columns a front desk looks at, the first rows, landscape on one page
width, so LibreOffice -> PDF -> pdftoppm gives one readable picture. It is
only for looking at: staff workbooks are never loaded and saved with openpyxl.
"""

from __future__ import annotations

import html
import re
import zipfile
from pathlib import Path

import openpyxl
from openpyxl.utils import get_column_letter

from sheetkit.template import load_template

#: Columns shown in the picture: who, safety flags, consent, and the staff view.
PRINT_COLUMNS = (
    "client_id",
    "full_name",
    "birth_date",
    "phone",
    "assigned_therapist",
    "client_status",
    "allergies",
    "contraindications",
    "records_consent",
    "last_visit",
    "visit_count",
    "avg_interval_days",
    "next_due",
    "days_since_last_visit",
    "follow_up",
    "days_to_birthday",
)


def clients_print_copy(
    src: Path, dst: Path, *, locale: str = "en", rows: int = 30, show: list[int] | None = None
) -> Path:
    """Write ``dst``: ``src`` with only PRINT_COLUMNS and ``rows`` clients on the printed Clients page.

    ``show`` picks the clients (0-based data rows) to print instead of the first ones.
    """
    template = load_template()
    labels = template.labels(locale)
    sheet = template.sheet("clients")
    wb = openpyxl.load_workbook(src)
    for ws in wb.worksheets:
        if ws.title != labels.sheet_name("clients"):
            ws.sheet_state = "hidden"
    ws = wb[labels.sheet_name("clients")]
    for idx, col in enumerate(sheet.columns, start=1):
        dim = ws.column_dimensions[get_column_letter(idx)]
        dim.hidden = col.key not in PRINT_COLUMNS
        dim.width = min(col.width, 18) if col.key not in ("full_name", "allergies") else 20
    last_row = rows + 1
    if show is not None:
        keep = {i + 2 for i in show}
        last_row = max(keep)
        for r in range(2, last_row + 1):
            ws.row_dimensions[r].hidden = r not in keep
    last = get_column_letter(len(sheet.columns))
    ws.print_area = f"A1:{last}{last_row}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 1
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.gridLines = True
    wb.active = wb.worksheets.index(ws)
    wb.save(dst)
    return dst


def only_sheets(src: Path, dst: Path, names: list[str]) -> Path:
    """Write ``dst``: ``src`` with every sheet but ``names`` hidden, so a PDF export prints only those.

    Only the sheet states in workbook.xml change (no load and save): everything else, the print
    setup included, stays as the writer made it.
    """
    with zipfile.ZipFile(src) as z:
        parts = {name: z.read(name) for name in z.namelist()}
    xml = parts["xl/workbook.xml"].decode()
    shown = []

    def state(match: re.Match[str]) -> str:
        tag = re.sub(r' state="[^"]*"', "", match.group(0))
        name = html.unescape(re.search(r'name="([^"]*)"', tag).group(1))  # type: ignore[union-attr]
        if name in names:
            shown.append(name)
            return tag
        return tag.replace("<sheet ", '<sheet state="hidden" ', 1)

    xml = re.sub(r"<sheet [^>]*/>", state, xml)
    missing = set(names) - set(shown)
    if missing:
        raise ValueError(f"no sheet named {sorted(missing)} in {src.name}")
    sheet_names = [html.unescape(n) for n in re.findall(r'<sheet [^>]*name="([^"]*)"', xml)]
    active = sheet_names.index(shown[0])
    # LibreOffice prints a hidden sheet that has a print area: drop those of the hidden sheets.
    hidden = {str(i) for i, name in enumerate(sheet_names) if name not in names}
    xml = re.sub(
        r'<definedName name="_xlnm\.Print_(?:Area|Titles)" localSheetId="(\d+)"[^>]*>[^<]*</definedName>',
        lambda m: "" if m.group(1) in hidden else m.group(0),
        xml,
    )
    xml = re.sub(r"<workbookView ", f'<workbookView activeTab="{active}" ', re.sub(r' activeTab="\d+"', "", xml))
    parts["xl/workbook.xml"] = xml.encode()
    with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as z:
        for name, content in parts.items():
            z.writestr(name, content)
    return dst
