"""Generated workbooks opened in a real spreadsheet application: LibreOffice headless.

* the staff-view formula columns, recalculated by LibreOffice, equal sheetkit's
  own Python computation for every client, also when visits are typed 5,000 rows
  below the last demo row (template v2 prepares 10 x the data + 10,000 rows, with one
  shared formula per column);
* a LibreOffice round trip (xlsx -> xlsx) keeps validations, conditional formats,
  frozen panes, protection and the data;
* the conditional formats colour the cells they should in a rendered page;
* the printed pages (Clients, Settings, Legend, About) show whole headers, help and notice.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import shutil
import subprocess
import zipfile
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pandas as pd
import pytest
from python_calamine import CalamineWorkbook

from sheetkit.analytics.intervals import staff_view
from sheetkit.demo import generate_demo
from sheetkit.excel.writer import write_excel
from sheetkit.frames import WorkbookData
from sheetkit.template import load_template
from sheetkit.template.formulas import STYLES
from tests import office
from tests.printview import clients_print_copy, only_sheets
from tests.test_staff_view import small_salon

pytestmark = pytest.mark.office

EXCEL_EPOCH = dt.datetime(1899, 12, 30)
FORMULA_COLUMNS = [c.key for c in load_template().sheet("clients").columns if c.is_formula]


@pytest.fixture(scope="module")
def today() -> dt.date:
    # LibreOffice computes TODAY() from the clock: Python must use the same day.
    return dt.date.today()


def _serial(value: Any) -> float | None:
    """A cell value or Python quantity as a comparable number (dates as Excel serials)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, str):
        return None if value == "" else float("nan")
    if isinstance(value, (pd.Timestamp, dt.datetime)):
        return round((pd.Timestamp(value) - pd.Timestamp(EXCEL_EPOCH)).total_seconds() / 86400, 6)
    if isinstance(value, dt.date):
        return float((value - EXCEL_EPOCH.date()).days)
    number = float(value)
    return None if math.isnan(number) else round(number, 6)


def _sheet_rows(book: Path, sheet: str) -> list[list[Any]]:
    rows: list[list[Any]] = (
        CalamineWorkbook.from_path(str(book)).get_sheet_by_name(sheet).to_python(skip_empty_area=False)
    )
    return rows


def _assert_formulas_match_python(book: Path, data: WorkbookData, locale: str, as_of: dt.date, tmp: Path) -> int:
    labels = load_template().labels(locale)
    recalculated = office.recalculated_xlsx(book, tmp)
    rows = _sheet_rows(recalculated, labels.sheet_name("clients"))
    header = rows[0]
    positions = {key: header.index(labels.header("clients", key)) for key in FORMULA_COLUMNS}
    view = staff_view(data.clients, data.visits, data.lists, data.settings, as_of=as_of)
    follow_labels = labels.choices["follow_up"]
    mismatches = []
    for i, (_, expected) in enumerate(view.iterrows(), start=1):
        for key in FORMULA_COLUMNS:
            got = rows[i][positions[key]]
            want = expected[key]
            if key == "follow_up":
                want_label = "" if pd.isna(want) else follow_labels[want]
                ok = (got or "") == want_label
            else:
                g, w = _serial(got), _serial(want)
                ok = g == w or (g is not None and w is not None and abs(g - w) < 1e-6)
            if not ok:
                mismatches.append((data.clients["client_id"].iloc[i - 1], key, got, want))
    assert mismatches == []
    return len(view)


def test_formula_columns_equal_python_for_every_demo_client(tmp_path: Path, today: dt.date) -> None:
    locale = "zh-CN"
    data = generate_demo(clients=300, locale=locale, seed=7, as_of=today)
    book = write_excel(tmp_path / "demo.xlsx", data, locale=locale)
    checked = _assert_formulas_match_python(book, data, locale, today, tmp_path)
    assert checked == 300
    view = staff_view(data.clients, data.visits, data.lists, data.settings, as_of=today)
    # The demo exercises every branch of the formulas.
    assert set(view["follow_up"].dropna()) == {"due_soon", "overdue", "lapsed", "never_visited"}
    assert (view["visit_count"] > 3).any()
    assert ((view["visit_count"] >= 1) & (view["visit_count"] <= 3)).any()


def _type_cells(book: Path, sheet_number: int, cells: dict[tuple[int, str], str | float], out: Path) -> Path:
    """Copy ``book`` to ``out`` with ``cells`` ({(row, column letter): text or number}) typed into a sheet.

    The cells go into the sheet XML the way a spreadsheet application stores typed cells, in rows the
    writer prepared (they already carry the shared formula cells); a number takes the style of the
    column's first data cell (a date column's date format).
    """
    part = f"xl/worksheets/sheet{sheet_number}.xml"
    with zipfile.ZipFile(book) as z:
        xml = z.read(part).decode()
        entries = {name: z.read(name) for name in z.namelist()}
    styles = dict(re.findall(r'<c r="([A-Z]+)2" s="(\d+)"', xml))
    by_row: dict[int, dict[str, str | float]] = {}
    for (row, letter), value in cells.items():
        by_row.setdefault(row, {})[letter] = value
    for row, values in by_row.items():
        match = re.search(rf'<row r="{row}"[^>]*>(.*?)</row>', xml)
        assert match is not None, f"row {row} is not prepared"
        present = {m.group(1): m.group(0) for m in re.finditer(r'<c r="([A-Z]+)\d+".*?</c>', match.group(1))}
        for letter, value in values.items():
            ref = f"{letter}{row}"
            if isinstance(value, str):
                present[letter] = f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>'
            else:
                style = f' s="{styles[letter]}"' if letter in styles else ""
                present[letter] = f'<c r="{ref}"{style}><v>{value}</v></c>'
        ordered = "".join(present[k] for k in sorted(present, key=lambda k: (len(k), k)))
        xml = xml[: match.start(1)] + ordered + xml[match.end(1) :]
    entries[part] = xml.encode()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, content in entries.items():
            z.writestr(name, content)
    return out


def test_visits_typed_far_below_the_demo_count_in_libreoffice_as_in_python(tmp_path: Path, today: dt.date) -> None:
    """Must show (issue 11): visits typed 5,000 rows below the last demo row recalculate as Python says."""
    locale = "en"
    t = load_template()
    labels = t.labels(locale)
    data = generate_demo(clients=300, locale=locale, seed=7, as_of=today)
    book = write_excel(tmp_path / "demo.xlsx", data, locale=locale)
    before = staff_view(data.clients, data.visits, data.lists, data.settings, as_of=today)
    regular = before.index[(before["visit_count"] > 3) & data.clients["client_status"].eq("active")][0]
    never = before.index[before["visit_count"].eq(0) & data.clients["client_status"].eq("active")][0]
    once = before.index[before["visit_count"].eq(1)][0]
    services = data.lists["services"]["name"].tolist()
    day = pd.Timestamp(today)
    typed = [  # (client, date, service); gaps of empty rows between them, as staff leave them
        (regular, day - pd.Timedelta(days=1), services[0]),
        (never, day - pd.Timedelta(days=30), services[1]),
        (never, day - pd.Timedelta(days=2), services[2]),
        (once, day - pd.Timedelta(days=10), services[0]),
        (once, day - pd.Timedelta(days=10), services[3]),  # two treatments, one visit day
        (once, day + pd.Timedelta(days=5), services[0]),  # in the future: not a visit day yet
    ]
    last_demo_row = len(data.visits) + 1
    visits = t.sheet("visits")
    letter = {c.key: openpyxl.utils.get_column_letter(i) for i, c in enumerate(visits.columns, start=1)}
    cells: dict[tuple[int, str], str | float] = {}
    new_rows = []
    for n, (client, when, service) in enumerate(typed):
        row = last_demo_row + 5_000 + 2 * n
        client_id = str(data.clients.at[client, "client_id"])
        cells[(row, letter["visit_id"])] = f"V9{n:05d}"
        cells[(row, letter["client_id"])] = client_id
        cells[(row, letter["visit_date"])] = float((when - pd.Timestamp(EXCEL_EPOCH)).days)
        cells[(row, letter["service"])] = service
        new_rows.append({"visit_id": f"V9{n:05d}", "client_id": client_id, "visit_date": when, "service": service})
    typed_book = _type_cells(book, 2, cells, tmp_path / "typed.xlsx")  # Visits is the second sheet
    grown = pd.concat([data.visits, pd.DataFrame(new_rows)], ignore_index=True)
    extended = replace(data, visits=grown)
    after = staff_view(data.clients, grown, data.lists, data.settings, as_of=today)
    for client in (regular, never, once):  # the typed visits change what staff see
        assert after.at[client, "visit_count"] != before.at[client, "visit_count"]
    assert _assert_formulas_match_python(typed_book, extended, locale, today, tmp_path) == 300
    # The name look-up beside each typed client code, computed by LibreOffice.
    rows = _sheet_rows(tmp_path / "recalculated" / "typed.xlsx", labels.sheet_name("visits"))
    name_col = visits.keys.index("client_name")
    names = dict(zip(data.clients["client_id"], data.clients["full_name"], strict=True))
    for n, (client, _, _) in enumerate(typed):
        row = last_demo_row + 5_000 + 2 * n
        assert rows[row - 1][name_col] == names[str(data.clients.at[client, "client_id"])]
        assert rows[row][name_col] == ""  # the empty row between


def test_formula_columns_equal_python_on_edge_cases(tmp_path: Path, today: dt.date) -> None:
    clients, visits, lists, settings = small_salon()
    t = load_template()
    # Shift the hand-made history so that it ends today, whatever day the tests run.
    shift = pd.Timestamp(today) - pd.Timestamp("2026-11-22")
    visits = visits.assign(visit_date=visits["visit_date"] + shift)
    full = {
        "clients": clients.reindex(columns=[c.key for c in t.sheet("clients").data_columns]),
        "visits": visits.reindex(columns=[c.key for c in t.sheet("visits").data_columns]),
    }
    full["visits"]["visit_id"] = [f"V{i}" for i in range(len(visits))]
    empty = {k: pd.DataFrame(columns=[c.key for c in t.sheet(k).data_columns]) for k in ("appointments", "feedback")}
    data = WorkbookData(**full, **empty, lists=lists, settings=settings)
    book = write_excel(tmp_path / "edge.xlsx", data)
    assert _assert_formulas_match_python(book, data, "en", today, tmp_path) == len(clients)


@pytest.fixture(scope="module")
def round_trip(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str]:
    folder = tmp_path_factory.mktemp("roundtrip")
    locale = "it"
    data = generate_demo(clients=120, locale=locale, seed=3, as_of=dt.date(2026, 6, 30))
    book = write_excel(folder / "salone.xlsx", data, locale=locale)
    # Opened with a document view and saved, as a person would: frozen panes are view settings.
    return book, office.resave_xlsx(book, folder), locale


def _rules(book: Path) -> dict[str, Any]:
    wb = openpyxl.load_workbook(book, data_only=True)  # rules only: skip re-translating every shared formula
    out: dict[str, Any] = {}
    for ws in wb.worksheets:
        validations = Counter(
            (str(dv.sqref), dv.type, dv.formula1, dv.prompt, dv.error) for dv in ws.data_validations.dataValidation
        )
        formats = Counter(
            (str(cf.sqref), rule.type, tuple(rule.formula or ()))
            for cf in ws.conditional_formatting
            for rule in cf.rules
        )
        out[ws.title] = {
            "state": ws.sheet_state,
            "frozen": ws.freeze_panes,
            "protected": bool(ws.protection.sheet),
            "validations": validations,
            "formats": formats,
        }
    # LibreOffice drops quotes around sheet names that do not need them: compare destinations.
    out["names"] = {name: list(dn.destinations) for name, dn in wb.defined_names.items()}
    return out


def test_libreoffice_round_trip_keeps_rules_and_protection(round_trip: tuple[Path, Path, str]) -> None:
    book, saved, _ = round_trip
    before, after = _rules(book), _rules(saved)
    assert after.keys() == before.keys()
    for sheet, rules in before.items():
        assert after[sheet] == rules, sheet
    assert any(before[s]["validations"] for s in before if s != "names")
    assert before["Clienti"]["frozen"] == "C2"
    assert before["Trattamenti"]["frozen"] == "B2"
    assert sum(len(v["formats"]) for k, v in before.items() if k != "names") >= 10


def test_libreoffice_round_trip_reads_back_identical_data(round_trip: tuple[Path, Path, str]) -> None:
    book, saved, locale = round_trip
    t = load_template()
    labels = t.labels(locale)
    for sheet in t.sheets:
        name = labels.sheet_name(sheet.key)
        data_idx = [i for i, c in enumerate(sheet.columns) if not c.is_formula]
        original = [[r[i] for i in data_idx] for r in _sheet_rows(book, name)]
        resaved = [[r[i] for i in data_idx] for r in _sheet_rows(saved, name)]
        # LibreOffice drops trailing empty rows of the spare area; compare the rows that hold data.
        original = [r for r in original if any(v != "" for v in r)]
        resaved = [r for r in resaved if any(v != "" for v in r)]
        assert resaved == original, sheet.key
    for key in ("lists", "settings", "about"):
        name = labels.sheet_name(key)
        assert _sheet_rows(saved, name) == _sheet_rows(book, name)


def test_conditional_formats_colour_the_right_cells(tmp_path: Path) -> None:
    pytest.importorskip("PIL")
    from PIL import Image

    as_of = dt.date.today()
    data = generate_demo(clients=300, seed=1, as_of=as_of)
    # A birthday in three days, whatever day the tests run.
    soon = as_of + dt.timedelta(days=3)
    first_active = data.clients.index[data.clients["client_status"].eq("active")][0]
    data.clients.loc[first_active, "birth_date"] = pd.NaT  # a birthday without the year: frames keep it "MM-DD"
    data.clients.loc[first_active, "birth_month_day"] = f"{soon.month:02d}-{soon.day:02d}"
    view = staff_view(data.clients, data.visits, data.lists, data.settings, as_of=as_of)
    cases = {
        "lapsed": view["follow_up"] == "lapsed",
        "overdue": view["follow_up"] == "overdue",
        "due_soon": view["follow_up"] == "due_soon",
        "health_alert": data.clients["contraindications"].notna(),
        "consent_missing": data.clients["records_consent"].ne(True).fillna(True),
        "birthday": (view["days_to_birthday"] <= 7) & data.clients["client_status"].eq("active"),
    }
    plain = ~pd.concat(cases.values(), axis=1).any(axis=1) & data.clients["allergies"].isna()
    show = sorted({i for mask in cases.values() for i in list(mask[mask].index[:3])})
    # Few spare rows: the print copy is made with openpyxl, which re-translates every shared formula cell.
    small = replace(load_template(), spare_rows=50, growth_factor=1)
    book = write_excel(tmp_path / "salon.xlsx", data, template=small)

    def colours_of(rows: list[int], name: str) -> Counter[tuple[int, int, int]]:
        printable = clients_print_copy(book, tmp_path / f"{name}.xlsx", show=rows)
        (png,) = office.render_png(printable, tmp_path / name, dpi=90, last_page=1)
        pixels = np.asarray(Image.open(png).convert("RGB")).reshape(-1, 3)
        colours, counts = np.unique(pixels, axis=0, return_counts=True)
        return Counter({(int(r), int(g), int(b)): int(n) for (r, g, b), n in zip(colours, counts, strict=True)})

    def rgb(style: str) -> tuple[int, int, int]:
        hex_colour = str(STYLES[style]["bg_color"]).lstrip("#")
        r, g, b = (int(hex_colour[i : i + 2], 16) for i in (0, 2, 4))
        return (r, g, b)

    flagged = colours_of(show, "flagged")
    for style in cases:
        assert flagged[rgb(style)] > 50, style
    # Clients with nothing to flag get no colour at all.
    quiet = colours_of(list(plain[plain].index[:10]), "quiet")
    for style in cases:  # the fills of the Clients sheet (another sheet's grey may be an edge's anti-aliasing)
        assert quiet[rgb(style)] == 0, style


def _page_texts(pdf: Path) -> list[str]:
    """The text of each page of ``pdf``, words separated by single spaces."""
    pdftotext = shutil.which("pdftotext")
    if pdftotext is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    text = subprocess.run([pdftotext, "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return [" ".join(page.split()) for page in text.split("\f") if page.strip()]


def test_printed_pages_show_whole_headers_notice_help_and_legend(tmp_path: Path) -> None:
    """Must show (issue 11): the first printed pages in Italian, as LibreOffice prints them."""
    pytest.importorskip("PIL")
    from PIL import Image

    locale = "it"
    t = load_template()
    lab = t.labels(locale)
    data = generate_demo(clients=150, locale=locale, seed=3, as_of=dt.date(2026, 11, 22))
    book = write_excel(tmp_path / "salone.xlsx", data, locale=locale)
    keys = ("clients", "settings", "legend", "about")
    shown = only_sheets(book, tmp_path / "stampa.xlsx", [lab.sheet_name(k) for k in keys])
    pngs = office.render_png(shown, tmp_path / "pages", dpi=60)
    pages = _page_texts(tmp_path / "pages" / "stampa.pdf")
    assert len(pages) == len(pngs)

    def page_of(text: str) -> int:
        return next(i for i, page in enumerate(pages) if text in page)

    # Clients: several pages one page wide, each with the whole header repeated; no header broken in a word.
    clients = t.sheet("clients")
    printed = [lab.header("clients", c.key) for c in clients.columns[: clients.print_columns]]
    not_printed = [lab.header("clients", c.key) for c in clients.columns[clients.print_columns :]]
    settings_page = page_of(lab.settings["header"]["help"])
    assert settings_page >= 2  # 150 clients take more than one page
    for page in pages[:settings_page]:
        words = set(page.split())
        for header in printed:
            assert set(header.split()) <= words, header
        assert lab.header("clients", "allergies") not in page  # outside the front-desk print area
    assert not_printed
    # Settings: every help text whole (wrapped within its cell, not cut).
    for entry in lab.settings.values():
        if isinstance(entry, dict) and "help" in entry and "label" in entry:
            assert " ".join(str(entry["help"]).split()) in pages[settings_page]
    # The About notice whole, on the About page.
    about = pages[page_of(lab.about["title"])]
    assert " ".join(lab.about["notice"].split()) in about
    # The legend: every meaning, and every colour drawn on its page.
    legend_page = page_of(lab.legend["title"])
    for key in ("lapsed", "no_show", "patch_test_failed", "follow_up_booked"):
        assert lab.legend[key]["meaning"] in pages[legend_page]
    pixels = np.asarray(Image.open(pngs[legend_page]).convert("RGB")).reshape(-1, 3)
    colours = {"#{:02X}{:02X}{:02X}".format(*p) for p in np.unique(pixels, axis=0)}
    assert {str(s["bg_color"]).upper() for s in STYLES.values() if "bg_color" in s} <= colours
