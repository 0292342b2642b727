"""The chain's weekly report adds up only what can be added: currencies, therapists per branch, categories by meaning.

Branches are small demo workbooks in different locales (so in different
currencies and with their categories named in their own language), gathered by
a registry of workbook files, as a head office would.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from sheetkit import build_report, chain_report, load_registry, pull_chain, validate, write_demo
from sheetkit.template import load_template

AS_OF = dt.date(2026, 11, 22)


def _chain(folder: Path, branches: dict[str, tuple[str, int, int, int]]) -> Path:
    """Demo workbooks (code -> locale, seed, clients, branches inside) and a registry naming them."""
    folder.mkdir(parents=True, exist_ok=True)
    entries = []
    for code, (locale, seed, clients, inside) in branches.items():
        write_demo(folder / f"{code}.xlsx", clients=clients, branches=inside, locale=locale, seed=seed, as_of=AS_OF)
        entries.append(f'[[branch]]\ncode = "{code}"\nworkbook = "{code}.xlsx"\n')
    registry = folder / "branches.toml"
    registry.write_text('locale = "en"\n\n' + "\n".join(entries), encoding="utf-8")
    return registry


def _sheet_rows(path: Path, sheet: str) -> list[tuple[object, ...]]:
    book = openpyxl.load_workbook(path, read_only=True)
    try:
        return [tuple(row) for row in book[sheet].iter_rows(values_only=True)]
    finally:
        book.close()


@pytest.fixture(scope="module")
def mixed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """A chain of a Milan (EUR) and a Hanoi (VND) branch, reported once."""
    folder = tmp_path_factory.mktemp("mixed")
    registry = _chain(folder, {"MI01": ("it", 3, 30, 1), "HN01": ("vi", 2, 30, 1)})
    summary = chain_report(registry, as_of=AS_OF, out=folder / "weekly.xlsx", html=folder / "weekly.html")
    return folder, summary


def test_branches_in_different_currencies_have_no_amounts_but_keep_counts_and_rates(
    mixed: tuple[Path, dict[str, Any]],
) -> None:
    folder, summary = mixed
    kpis = {k["key"]: k for k in summary["kpis"]}
    for key in ("revenue", "average_visit_value"):
        assert kpis[key]["this"] is None
        assert kpis[key]["better"] is None
        assert kpis[key]["reasons"]["this"] == "mixed_currencies"
    assert kpis["visits"]["this"]
    assert kpis["visits"]["this"] > 0
    assert kpis["no_show_rate"]["reasons"].get("this") != "mixed_currencies"
    labels = load_template().labels("en")
    summary_rows = _sheet_rows(folder / "weekly.xlsx", labels.report["sheet_summary"])
    revenue = next(row for row in summary_rows if row[0] == labels.report["kpi_revenue"])
    assert revenue[1:4] == ("–", "–", "–")
    assert labels.report["reason_mixed_currencies"] in revenue
    page = html.unescape((folder / "weekly.html").read_text(encoding="utf-8"))
    assert labels.report["reason_mixed_currencies"] in page
    assert "₫" not in page
    assert "€" not in page


def test_mixed_currencies_leave_no_amount_in_the_therapist_category_and_trend_figures(
    mixed: tuple[Path, dict[str, Any]],
) -> None:
    folder, _ = mixed
    report = build_report(pull_chain(load_registry(folder / "branches.toml"), as_of=AS_OF), as_of=AS_OF)
    assert report.money_reason == "mixed_currencies"
    assert report.therapists
    assert report.categories
    assert all(row.revenue is None for row in report.therapists + report.categories)
    assert all(point.revenue is None for point in report.trend)
    assert any(point.visits for point in report.trend)


def test_categories_named_in_each_branch_language_are_one_row_each(mixed: tuple[Path, dict[str, Any]]) -> None:
    """ "Viso" (Milan) and "Chăm sóc da mặt" (Hanoi) are both the default category facial."""
    folder, _ = mixed
    report = build_report(pull_chain(load_registry(folder / "branches.toml"), as_of=AS_OF), as_of=AS_OF)
    template = load_template()
    keys = [str(row["key"]) for row in template.reference_lists["categories"].default_rows]
    # The chain's results speak the registry's language (en).
    english = {template.labels("en").reference_row_name("categories", key) for key in keys}
    names = [row.name for row in report.categories]
    assert len(names) == len(set(names))
    assert set(names) <= english
    milan = build_report(validate(folder / "MI01.xlsx", as_of=AS_OF), as_of=AS_OF)
    hanoi = build_report(validate(folder / "HN01.xlsx", as_of=AS_OF), as_of=AS_OF)
    assert sum(r.visits for r in report.categories) == sum(r.visits for r in milan.categories + hanoi.categories)


def test_therapists_who_share_a_name_in_two_branches_are_two_rows(tmp_path: Path) -> None:
    """Two Italian branches made alike: every therapist's name is in both, and each branch keeps its own row."""
    registry = _chain(tmp_path, {"MI01": ("it", 3, 25, 1), "RM01": ("it", 3, 25, 1)})
    out = tmp_path / "weekly.xlsx"
    summary = chain_report(registry, as_of=AS_OF, out=out, html=tmp_path / "weekly.html")
    assert summary["money_reason"] is None  # both in euros: amounts still add up
    report = build_report(pull_chain(load_registry(registry), as_of=AS_OF), as_of=AS_OF)
    alone = build_report(validate(tmp_path / "MI01.xlsx", as_of=AS_OF), as_of=AS_OF)
    assert alone.therapists
    expected = {(code, row.name): row.visits for code in ("MI01", "RM01") for row in alone.therapists}
    assert {(row.branch, row.name): row.visits for row in report.therapists} == expected
    labels = load_template().labels("en")
    teams = _sheet_rows(out, labels.report["sheet_teams"])
    head = teams.index(next(row for row in teams if row[:2] == (labels.report["col_therapist"], "Branch")))
    name = alone.therapists[0].name
    listed = [row[:3] for row in teams[head + 1 : head + 1 + len(report.therapists)]]
    assert (name, "MI01", alone.therapists[0].visits) in listed
    assert (name, "RM01", alone.therapists[0].visits) in listed


def test_the_html_shows_the_top_therapists_and_the_xlsx_all_of_them(tmp_path: Path) -> None:
    registry = _chain(tmp_path, {"MI01": ("en", 5, 120, 8), "LO01": ("en", 6, 40, 2)})
    out, page = tmp_path / "weekly.xlsx", tmp_path / "weekly.html"
    chain_report(registry, as_of=AS_OF, out=out, html=page)
    report = build_report(pull_chain(load_registry(registry), as_of=AS_OF), as_of=AS_OF)
    total = len(report.therapists)
    assert total > 20
    labels = load_template().labels("en")
    text = page.read_text(encoding="utf-8")
    title = html.escape(labels.report["table_therapists"].split("{")[0], quote=True)
    table = re.search(rf"<h3>{re.escape(title)}.*?</h3>(<table>.*?</table>)(<p[^>]*>.*?</p>)", text, re.S)
    assert table is not None
    assert table.group(1).count("<tr>") == 1 + 20  # header + the top 20
    more = html.escape(labels.report["showing_top"].format(shown=20, total=total), quote=True)
    assert more in table.group(2)
    chart = text[text.index("<svg", text.index(labels.report["charts"])) :]
    assert chart.count("<rect") < 40  # bars of the top 20 (plus the legend), not one per therapist
    teams = _sheet_rows(out, labels.report["sheet_teams"])
    names = {(row.name, row.branch) for row in report.therapists}
    assert sum((row[0], row[1]) in names for row in teams) == total
