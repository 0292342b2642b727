"""sheetkit.importing.import_records on vendor exports and hand-made salon sheets (dry run: nothing written)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from sheetkit.importing import ImportResult, import_records

FIXTURES = Path(__file__).parent / "fixtures" / "import"
AS_OF = dt.date(2026, 3, 1)


def _accounted(result: ImportResult) -> None:
    """Every source row imported or skipped with a reason; every column mapped, kept in notes or left out."""
    for source in result.sources:
        info = source.to_dict()
        assert info["imported"] + info["skipped"] == info["rows"], info
        assert all(s["reason"] and s["reason"] != "not imported" for s in info["skipped_rows"])
        headers = [c.header for c in source.mapping.columns]
        mapped = [c.header for c in source.mapping.columns if c.target]
        assert sorted(mapped + info["unmapped_columns"] + info["left_out_columns"]) == sorted(headers)


def _codes(result: ImportResult) -> list[str]:
    return [i.code for i in result.issues]


def test_fresha_client_list_with_bom(tmp_path: Path) -> None:
    result = import_records([FIXTURES / "fresha_export_customer_list.csv"], into=tmp_path / "s.xlsx", as_of=AS_OF)
    _accounted(result)
    source = result.sources[0].to_dict()
    assert (source["encoding"], source["layout"], source["rows"], source["imported"]) == (
        "utf-8-sig",
        "Fresha client list",
        4,
        4,
    )
    assert source["unmapped_columns"] == ["Added"]
    clients = result.frames.clients.set_index("full_name")
    assert list(clients.index) == ["Olivia Bennett", "Amelia Clarke", "Jack Turner", "Sophie Hughes"]
    # Blocked: Yes -> relationship ended; the allergy note and the unmapped column stay in notes.
    assert clients.loc["Jack Turner", "client_status"] == "relationship_ended"
    assert clients.loc["Olivia Bennett", "notes"] == "Allergic to latex; Added: 2023-02-11"
    # No mobile: the telephone is the phone.
    assert clients.loc["Jack Turner", "phone"] == "020 7946 0103"
    assert result.frames.clients["client_id"].tolist() == ["C0001", "C0002", "C0003", "C0004"]
    assert result.valid, _codes(result)


def test_square_customers_and_transactions_rebuild_history(tmp_path: Path) -> None:
    files = [FIXTURES / "square_customers.csv", FIXTURES / "square_transactions.csv"]
    result = import_records(files, into=tmp_path / "s.xlsx", as_of=AS_OF)
    _accounted(result)
    customers, sales = (s.to_dict() for s in result.sources)
    assert (customers["layout"], customers["imported"], customers["skipped"]) == ("Square customers", 3, 0)
    assert (sales["layout"], sales["kind"], sales["imported"], sales["rows"]) == ("Square transactions", "events", 3, 3)
    assert "Fees" in sales["left_out_columns"]
    assert "Tip" in sales["unmapped_columns"]
    clients = result.frames.clients.set_index("full_name")
    assert clients.loc["Emma Walker", "marketing_opt_in"] == "subscribed"
    assert clients.loc["Noah Garcia", "marketing_opt_in"] == "unsubscribed"
    assert clients.loc["Mia Lee", "client_status"] == "relationship_ended"
    assert clients.loc["Emma Walker", "birth_month_day"] == "03-05"
    assert "Lifetime Spend: 1,260.00" in clients.loc["Emma Walker", "notes"]
    visits = result.frames.visits
    emma = clients.loc["Emma Walker", "client_id"]
    days = sorted(visits.loc[visits["client_id"] == emma, "visit_date"].dt.date)
    # The first visit two years back is kept; the transactions link by Square's customer ID.
    assert days == [dt.date(2024, 2, 10), dt.date(2026, 1, 8), dt.date(2026, 2, 20)]
    assert "Tip: $10.00" in visits["result_notes"].dropna().iloc[0]
    assert result.lists_added["branches"] == ["Mission St"]
    assert result.valid, [(i.code, i.message) for i in result.issues]


def test_italian_sheet_title_spacer_totals_phone_as_number(tmp_path: Path) -> None:
    result = import_records([FIXTURES / "it_clienti.xlsx"], into=tmp_path / "s.xlsx", as_of=AS_OF, locale="it")
    _accounted(result)
    info = result.sources[0].to_dict()
    assert info["header_row"] == 3
    assert {s["row"]: s["reason"] for s in info["skipped_rows"]} == {
        1: "title above the header",
        2: "blank row",
        6: "blank row",
        8: "totals row",
    }
    clients = result.frames.clients
    assert clients["full_name"].tolist() == ["Giulia Rossi", "Chiara Bianchi", "Marta Esposito"]
    # Day/month dates read day first, never swapped: 23/04/1986 decides the column.
    assert clients["birth_date"].dt.date.tolist() == [dt.date(1986, 4, 23), dt.date(1990, 3, 5), dt.date(1975, 9, 17)]
    assert clients["allergies"].tolist()[:1] == ["Nichel"]
    phone = [i for i in result.issues if i.code == "phone-as-number"]
    assert [(i.sheet, i.row, i.column, i.cell, i.value) for i in phone] == [
        ("it_clienti.xlsx › Clienti", 5, "Cellulare", "C5", "3471234567")
    ]
    assert "Osservazioni: Pelle sensibile" in clients["notes"].tolist()
    # "Ultimo trattamento" became a visit on that day.
    assert sorted(result.frames.visits["visit_date"].dt.date)[0] == dt.date(2025, 10, 28)


def test_chinese_gbk_csv_with_month_day_birthdays(tmp_path: Path) -> None:
    result = import_records([FIXTURES / "zh_clients_gbk.csv"], into=tmp_path / "s.xlsx", as_of=AS_OF, locale="zh-CN")
    _accounted(result)
    info = result.sources[0].to_dict()
    assert info["encoding"] == "gb18030"
    assert {s["row"]: s["reason"] for s in info["skipped_rows"]} == {
        1: "title above the header",
        5: "blank row",
        6: "totals row",
    }
    clients = result.frames.clients
    assert clients["full_name"].tolist() == ["王丽", "张敏"]
    assert clients["birth_month_day"].tolist() == ["03-05", "07-18"]
    assert clients["notes"].tolist()[0] == "对芦荟过敏"
    assert result.frames.visits["service"].unique().tolist() == ["既往到店（导入）"]
    assert result.valid, _codes(result)


def test_vietnamese_utf16_visit_log(tmp_path: Path) -> None:
    result = import_records([FIXTURES / "vi_lich_su.txt"], into=tmp_path / "s.xlsx", as_of=AS_OF, locale="vi")
    _accounted(result)
    info = result.sources[0].to_dict()
    assert (info["encoding"], info["kind"], info["imported"]) == ("utf-16", "events", 4)
    # Clients come from the visit log itself; completed -> visits, no-show -> appointments.
    assert result.frames.clients["full_name"].tolist() == ["Nguyễn Thị Hoa", "Trần Văn Nam", "Lê Thị Mai"]
    visits = result.frames.visits
    assert visits["visit_date"].dt.date.tolist() == [dt.date(2026, 1, 15), dt.date(2026, 2, 3), dt.date(2026, 2, 24)]
    assert visits["amount_paid"].tolist() == [350000.0, 350000.0, 400000.0]
    assert result.frames.appointments["status"].tolist() == ["no_show"]
    assert result.valid, _codes(result)


def test_ambiguous_dates_are_reported_and_a_mapping_file_decides(tmp_path: Path) -> None:
    source = tmp_path / "visite.csv"
    source.write_text("Data;Cliente;Trattamento\n03/04/2025;Anna Neri;Massaggio\n05/06/2025;Anna Neri;Massaggio\n")
    result = import_records([source], into=tmp_path / "s.xlsx", as_of=AS_OF, locale="it")
    _accounted(result)
    assumed = [i for i in result.issues if i.code == "date-order-assumed"]
    assert [(i.column, i.severity) for i in assumed] == [("Data", "warning")]
    assert result.frames.visits["visit_date"].dt.date.tolist() == [dt.date(2025, 4, 3), dt.date(2025, 6, 5)]
    mapping = tmp_path / "map.toml"
    mapping.write_text('date_order = "MDY"\n[columns]\n"Trattamento" = "service"\n')
    again = import_records([source], into=tmp_path / "s.xlsx", as_of=AS_OF, locale="it", mapping=mapping)
    assert "date-order-assumed" not in _codes(again)
    assert again.frames.visits["visit_date"].dt.date.tolist() == [dt.date(2025, 3, 4), dt.date(2025, 5, 6)]


def test_rows_without_anyone_are_listed_and_bad_values_are_issues(tmp_path: Path) -> None:
    source = tmp_path / "clienti.csv"
    source.write_text(
        "Nome e cognome,Telefono,Data di nascita,Note allergie\n"
        "Anna Neri,333 1112223,31/02/1990,lattice\n"
        ",,,solo una nota\n"
        "Luca Verdi,3.33444556E+9,12/12/1980,\n"
    )
    result = import_records([source], into=tmp_path / "s.xlsx", as_of=AS_OF, locale="it")
    _accounted(result)
    info = result.sources[0].to_dict()
    assert info["skipped_rows"] == [{"row": 3, "reason": "no name, phone, e-mail or client ID"}]
    codes = {(i.code, i.row, i.column) for i in result.issues}
    assert ("impossible-date", 2, "Data di nascita") in codes
    assert ("phone-as-number", 4, "Telefono") in codes
    # The unmatched "Note allergie" column is kept in the notes, never dropped.
    assert result.frames.clients["notes"].tolist()[0] == "Note allergie: lattice"


def test_unknown_file_type_and_bad_mapping_are_usage_errors(tmp_path: Path) -> None:
    from sheetkit.errors import UnsupportedFormatError, UsageError

    odd = tmp_path / "clients.pdf"
    odd.write_bytes(b"%PDF-1.4")
    with pytest.raises(UnsupportedFormatError):
        import_records([odd], into=tmp_path / "s.xlsx", as_of=AS_OF)
    mapping = tmp_path / "m.toml"
    mapping.write_text('[columns]\n"Mobile Number" = "shoe_size"\n')
    with pytest.raises(UsageError, match="shoe_size"):
        import_records(
            [FIXTURES / "fresha_export_customer_list.csv"], into=tmp_path / "s.xlsx", as_of=AS_OF, mapping=mapping
        )


def test_semicolon_log_with_title_decimal_commas_and_a_booked_visit(tmp_path: Path) -> None:
    # A title line above the header and decimal commas: still a semicolon file. A repeated
    # header, a spacer and a totals row are accounted for; a dated row after as_of in a log
    # without a status column is a booked appointment.
    source = tmp_path / "registro.csv"
    source.write_text(
        "Registro trattamenti — Salone Rossi\n"
        "Data;Cliente;Cellulare;Trattamento;Importo\n"
        "01/02/2025;Anna Neri;333 1112223;Massaggio;30,00\n"
        ";;;;\n"
        "DATA; cliente ;CELLULARE;Trattamento;Importo\n"
        "13/02/2025;Bea Bianchi;333 4445556;Ceretta;1.200,50\n"
        "05/04/2026;Anna Neri;333 1112223;Massaggio;30,00\n"
        "Totale;;;;1.260,50\n",
        encoding="utf-8",
    )
    result = import_records([source], into=tmp_path / "s.xlsx", as_of=AS_OF, locale="it")
    _accounted(result)
    info = result.sources[0].to_dict()
    assert (info["header_row"], info["rows"], info["imported"]) == (2, 7, 3)
    assert {s["row"]: s["reason"] for s in info["skipped_rows"]} == {
        1: "title above the header",
        4: "blank row",
        5: "repeated header row",
        8: "totals row",
    }
    assert result.sources[0].table.delimiter == ";"
    assert result.frames.visits["amount_paid"].tolist() == [30.0, 1200.5]
    assert result.frames.appointments["status"].tolist() == ["booked"]
    assert result.valid, _codes(result)


def test_quoted_cells_ragged_rows_and_blank_cells_read_as_the_csv_module_reads_them(tmp_path: Path) -> None:
    source = tmp_path / "clients.csv"
    source.write_text(
        "Nome e cognome,Telefono,Note\n"
        '"Rossi, Anna",333 1112223,"allergica al nichel\nda ricontrollare"\n'
        "  ,   ,\n"
        'Bea Bianchi,333 4445556,"dice ""mai più"" cera",in più\n'
        "Carla Verdi\n",
        encoding="utf-8",
    )
    result = import_records([source], into=tmp_path / "s.xlsx", as_of=AS_OF, locale="it")
    _accounted(result)
    info = result.sources[0].to_dict()
    assert (info["rows"], info["imported"], info["skipped_rows"]) == (4, 3, [{"row": 3, "reason": "blank row"}])
    assert info["unmapped_columns"] == ["(column 4)"]
    clients = result.frames.clients.set_index("full_name")
    assert clients.loc["Rossi, Anna", "notes"] == "allergica al nichel\nda ricontrollare"
    assert clients.loc["Bea Bianchi", "notes"] == 'dice "mai più" cera; (column 4): in più'
    assert clients["phone"].isna().tolist() == [False, False, True]
