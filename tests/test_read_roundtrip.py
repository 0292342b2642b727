"""Round trips: a valid frame written into the template reads back equal; LibreOffice re-saves read identically."""

from __future__ import annotations

import datetime as dt
import math
import string
import unicodedata
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sheetkit as sk
from sheetkit.frames import DATA_SHEETS, WorkbookData
from sheetkit.read.parse import ERROR_VALUES
from sheetkit.template import MULTICHOICE_SEPARATOR, Column, load_template
from sheetkit.template.defaults import default_lists, default_settings
from tests import office

AS_OF = dt.date(2026, 11, 22)
TEMPLATE = load_template()


def _lists() -> dict[str, pd.DataFrame]:
    lists = default_lists(TEMPLATE, TEMPLATE.labels("en"))
    lists["therapists"] = pd.DataFrame({"name": ["Anna", "Minh", "Li Wei"], "branch": ["Main branch"] * 3})
    return lists


def _normal(value: Any) -> Any:
    """One comparable form for a frame cell, whatever pandas dtype holds it."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return dt.datetime.combine(value, dt.time())
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def assert_frames_equal(expected: pd.DataFrame, got: pd.DataFrame, columns: list[str]) -> None:
    assert len(got) == len(expected)
    for key in columns:
        want = [_normal(v) for v in expected[key].tolist()]
        have = [_normal(v) for v in got[key].tolist()]
        assert have == want, key


# ------------------------------------------------------------ value strategies

# Canonical frames hold NFC text: the reader normalizes (a CJK compatibility ideograph becomes unified).
# A text that is an error value ("#SPILL!") is read as the error it shows (issue 14), so it is no valid text.
TEXT = (
    st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), min_size=1, max_size=40)
    .map(lambda s: unicodedata.normalize("NFC", s))
    .filter(lambda s: s.strip() != "" and s.strip().upper() not in ERROR_VALUES)
)


def _value(col: Column, row: int) -> st.SearchStrategy[Any]:
    if col.key == "client_id":
        return st.just(f"C{row:04d}")
    if col.type == "id":
        return st.text(alphabet=string.ascii_uppercase + string.digits, min_size=1, max_size=10)
    if col.type == "phone":
        return st.from_regex(r"\A(0|\+39 )[1-9][0-9]{7,9}\Z")
    if col.type == "email":
        return st.from_regex(r"\A[a-z]{1,8}@[a-z]{1,8}\.(com|it|vn|cn)\Z")
    if col.type == "choice" and col.choices and not TEMPLATE.is_reference_list(col.choices):
        return st.sampled_from(list(TEMPLATE.choice_lists[col.choices]))
    if col.type == "choice":
        return st.sampled_from(_lists()[str(col.choices)]["name"].tolist())
    if col.type == "multichoice":
        keys = list(TEMPLATE.choice_lists[str(col.choices)])
        return st.lists(st.sampled_from(keys), min_size=1, max_size=3, unique=True).map(MULTICHOICE_SEPARATOR.join)
    if col.type == "bool":
        return st.booleans()
    if col.type in ("int", "rating"):
        lo = int(col.min) if isinstance(col.min, float) else 0
        hi = int(col.max) if isinstance(col.max, float) else 1000
        return st.integers(lo, min(hi, 10**6))
    if col.type in ("decimal", "money"):
        return st.integers(0, 10**7).map(lambda cents: cents / 100)
    if col.type == "date":
        if col.month_day:
            # A full birth date, or (a str) a birthday typed without its year: see _birthday.
            return st.one_of(
                st.dates(dt.date(1930, 1, 1), dt.date(2015, 12, 31)).map(pd.Timestamp),
                st.dates(dt.date(2000, 1, 1), dt.date(2000, 12, 31)).map(lambda d: f"{d.month:02d}-{d.day:02d}"),
            )
        return st.dates(dt.date(2001, 1, 1), AS_OF).map(pd.Timestamp)
    if col.type == "datetime":
        return st.datetimes(dt.datetime(2001, 1, 1), dt.datetime(2026, 11, 21)).map(
            lambda d: pd.Timestamp(d.replace(microsecond=0, second=0))
        )
    return TEXT


@st.composite
def clients_frames(draw: st.DrawFn) -> pd.DataFrame:
    sheet = TEMPLATE.sheet("clients")
    n = draw(st.integers(1, 6))
    rows = []
    for i in range(1, n + 1):
        row: dict[str, Any] = {}
        for col in sheet.data_columns:
            optional = not col.required and col.key not in ("client_id",)
            if col.key == "referred_by" or (optional and draw(st.booleans())):
                row[col.key] = None
                continue
            row[col.key] = draw(_value(col, i))
        rows.append(_birthday(row))
    return pd.DataFrame(rows, columns=[*(c.key for c in sheet.data_columns), "birth_month_day"])


def _birthday(row: dict[str, Any]) -> dict[str, Any]:
    """The canonical form of a birthday (sheetkit.frames): full dates in birth_date, "MM-DD" in birth_month_day."""
    birthday = row.get("birth_date")
    if isinstance(birthday, str):
        return {**row, "birth_date": None, "birth_month_day": birthday}
    month_day = None if birthday is None else f"{birthday.month:02d}-{birthday.day:02d}"
    return {**row, "birth_month_day": month_day}


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(clients=clients_frames())
def test_valid_frame_written_and_read_back_is_equal(tmp_path: Path, clients: pd.DataFrame) -> None:
    labels = TEMPLATE.labels("en")
    empty = {
        k: pd.DataFrame(columns=[c.key for c in TEMPLATE.sheet(k).data_columns])
        for k in ("visits", "appointments", "feedback")
    }
    data = WorkbookData(clients=clients, **empty, lists=_lists(), settings=default_settings(TEMPLATE, labels))
    book = sk.write_excel(tmp_path / "roundtrip.xlsx", data, overwrite=True)
    result = sk.validate(book, as_of=AS_OF)
    # Random text may hold control characters; random ended relationships may be older than
    # the retention period (a reminder to erase them, not a fault in the data).
    reminders = [i for i in result.issues if i.code == "retention-period-passed"]
    assert [i for i in result.issues if i.code != "control-characters" and i not in reminders] == []
    ended = clients.loc[clients["client_status"] == "relationship_ended", "client_id"]
    assert {i.value for i in reminders} <= set(ended)
    assert list(result.frames.clients.index) == list(range(2, len(clients) + 2))  # sheet row numbers
    columns = [c.key for c in TEMPLATE.sheet("clients").data_columns]
    assert_frames_equal(clients, result.frames.clients, [*columns, "birth_month_day"])


@pytest.mark.parametrize("locale", ["en", "zh-CN", "it", "vi"])
def test_demo_reads_back_equal_in_every_locale(tmp_path: Path, locale: str) -> None:
    data = sk.generate_demo(clients=60, branches=2, locale=locale, seed=4, as_of=AS_OF)
    book = sk.write_excel(tmp_path / "demo.xlsx", data, locale=locale)
    result = sk.validate(book, as_of=AS_OF)
    assert result.issues == []
    assert result.valid
    assert result.locale == locale
    for key in DATA_SHEETS:
        columns = [c.key for c in TEMPLATE.sheet(key).data_columns]
        assert len(data.frame(key)) > 0, key  # the demo fills every sheet of template v2
        assert_frames_equal(data.frame(key), result.frames.frame(key), columns)
    assert_frames_equal(data.clients, result.frames.clients, ["birth_month_day"])
    for key, frame in data.lists.items():
        assert_frames_equal(
            frame.reset_index(drop=True), result.frames.lists[key].reset_index(drop=True), list(frame.columns)
        )
    assert result.frames.settings == data.settings


@pytest.mark.office
@pytest.mark.parametrize("fmt", ["xlsx", "ods", "xls:MS Excel 97"])
def test_workbook_resaved_by_libreoffice_reads_back_identically(tmp_path: Path, fmt: str) -> None:
    data = sk.generate_demo(clients=40, locale="it", seed=8, as_of=AS_OF)
    book = sk.write_excel(tmp_path / "salone.xlsx", data, locale="it")
    resaved = office.convert(book, fmt, tmp_path / "resaved")
    original = sk.validate(book, as_of=AS_OF)
    again = sk.validate(resaved, as_of=AS_OF)
    assert again.issues == []
    for key in DATA_SHEETS:
        columns = [c.key for c in TEMPLATE.sheet(key).data_columns]
        assert_frames_equal(original.frames.frame(key), again.frames.frame(key), columns)
        assert list(again.frames.frame(key).index) == list(original.frames.frame(key).index)
