"""The demo salon: deterministic, consistent with the template, and realistic enough to report on."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from sheetkit.demo import generate_demo
from sheetkit.demo.tables import BRANCH_CITIES
from sheetkit.frames import DATA_SHEETS, WorkbookData
from sheetkit.template import default_template_dir, load_template

AS_OF = dt.date(2025, 3, 14)
END_OF_AS_OF = pd.Timestamp(AS_OF) + pd.Timedelta(days=1)
LOCALE_FILES = {p.stem for p in (default_template_dir() / "locales").glob("*.yaml")}
LOCALES = sorted(set(load_template().locales) & LOCALE_FILES)


@pytest.fixture(scope="module")
def salon() -> WorkbookData:
    return generate_demo(clients=300, as_of=AS_OF)


def assert_same(a: WorkbookData, b: WorkbookData) -> None:
    for sheet in DATA_SHEETS:
        pd.testing.assert_frame_equal(a.frame(sheet), b.frame(sheet))
    assert a.lists.keys() == b.lists.keys()
    for key in a.lists:
        pd.testing.assert_frame_equal(a.lists[key], b.lists[key])
    assert a.settings == b.settings


def test_same_arguments_give_identical_frames(salon: WorkbookData) -> None:
    assert_same(salon, generate_demo(clients=300, as_of=AS_OF))
    other = generate_demo(clients=300, as_of=AS_OF, seed=2)
    assert not salon.clients["full_name"].equals(other.clients["full_name"])
    assert len(salon.visits) != len(other.visits) or not salon.visits.equals(other.visits)


def test_frames_have_every_data_column_with_canonical_dtypes(salon: WorkbookData) -> None:
    template = load_template()
    for sheet in template.sheets:
        frame = salon.frame(sheet.key)
        assert list(frame.columns) == [c.key for c in sheet.data_columns]
        for col in sheet.data_columns:
            dtype = str(frame[col.key].dtype)
            if col.type in ("date", "datetime") and not col.month_day:
                assert dtype == "datetime64[ns]", col.key
            elif col.type in ("int", "rating"):
                assert dtype == "Int64", col.key
            elif col.type == "bool":
                assert dtype == "boolean", col.key
            elif col.type in ("money", "decimal"):
                assert dtype == "float64", col.key
        for key in frame.select_dtypes(include="object").columns:
            assert not frame[key].map(lambda v: isinstance(v, str) and not v.strip()).any(), key
    assert salon.clients["client_id"].iloc[0] == "C0001"
    assert salon.visits["visit_id"].iloc[0] == "V000001"
    assert salon.appointments["appointment_id"].iloc[0] == "A000001"
    for key in DATA_SHEETS:
        assert salon.frame(key)[template.sheet(key).id_column].is_unique


def test_references_and_time_order_hold(salon: WorkbookData) -> None:
    clients, visits, appts = salon.clients, salon.visits, salon.appointments
    known = set(clients["client_id"])
    assert set(visits["client_id"]) <= known
    assert set(appts["client_id"]) <= known
    assert set(salon.feedback["client_id"].dropna()) <= known
    assert set(clients["referred_by"].dropna()) <= known
    assert (visits["visit_date"] <= pd.Timestamp(AS_OF)).all()
    assert (salon.feedback["date"] <= pd.Timestamp(AS_OF)).all()
    assert (appts["booked_at"] <= appts["scheduled_at"]).all()
    assert (appts["booked_at"] < END_OF_AS_OF).all()
    assert visits["visit_date"].is_monotonic_increasing
    assert appts["scheduled_at"].is_monotonic_increasing
    first = visits.groupby("client_id")["visit_date"].min()
    recorded = clients.set_index("client_id")["first_visit_date"].dropna()
    assert recorded.equals(first.rename("first_visit_date"))
    in_past = appts["scheduled_at"] < END_OF_AS_OF
    past_not_visits = appts[appts["status"].isin(["cancelled", "no_show"]) & in_past]
    visit_days = set(zip(visits["client_id"], visits["visit_date"], strict=True))
    assert not any(
        (c, t.normalize()) in visit_days
        for c, t in zip(past_not_visits["client_id"], past_not_visits["scheduled_at"], strict=True)
    )
    therapists = salon.lists["therapists"].set_index("name")["branch"]
    assert (clients["assigned_therapist"].map(therapists) == clients["branch"]).all()


def test_shares_look_like_a_real_salon(salon: WorkbookData) -> None:
    clients, visits, appts = salon.clients, salon.visits, salon.appointments
    status = clients["client_status"].value_counts(normalize=True)
    assert status["active"] == pytest.approx(0.85, abs=0.03)
    assert status["paused"] == pytest.approx(0.05, abs=0.02)
    assert status["relationship_ended"] == pytest.approx(0.10, abs=0.02)
    assert clients["first_visit_date"].isna().mean() == pytest.approx(0.07, abs=0.02)
    assert 7 <= len(visits) / len(clients) <= 14

    as_of = pd.Timestamp(AS_OF)
    last = visits.groupby("client_id")["visit_date"].max()
    days_since = (as_of - last).dt.days
    active = clients.set_index("client_id")["client_status"].reindex(last.index) == "active"
    assert (active & (days_since > 120)).sum() >= 15  # lapsed-looking
    assert (active & days_since.between(1, 30)).sum() >= 50  # coming regularly
    ended = ~active
    assert (days_since[ended] > 120).all()  # paused and ended clients stopped long ago
    assert (visits.groupby("client_id").size() == 1).mean() == pytest.approx(0.09, abs=0.04)
    per_day = visits.groupby(["client_id", "visit_date"]).size()
    assert 0.02 <= (per_day > 1).mean() <= 0.08

    status_counts = appts["status"].value_counts()
    for key in ("completed", "cancelled", "no_show", "booked"):
        assert status_counts.get(key, 0) > 0, key
    future = appts[appts["scheduled_at"] >= END_OF_AS_OF]
    assert len(future) >= 0.15 * len(clients)  # ~40 % of regulars are booked ahead
    assert (appts["scheduled_at"].dt.normalize() == as_of).sum() >= 2
    rebooked = future["booked_at"].dt.normalize() == future["client_id"].map(last)
    assert 0.3 <= rebooked.mean() <= 0.7

    allergies = clients["allergies"]
    assert (allergies == "none").mean() == pytest.approx(0.55, abs=0.08)
    assert allergies.isna().mean() == pytest.approx(0.25, abs=0.08)
    kinds = salon.feedback["kind"]
    assert len(kinds) == pytest.approx(0.3 * len(clients), abs=2)
    complaints = salon.feedback[kinds == "complaint"]
    assert len(complaints) > 0
    assert not complaints["resolved"].all()


def test_birthdays_and_phones_are_as_staff_type_them(salon: WorkbookData) -> None:
    birth = salon.clients["birth_date"].dropna()
    month_days = birth[birth.map(lambda v: isinstance(v, str))]
    dates = birth[birth.map(lambda v: isinstance(v, dt.date))]
    assert len(month_days) + len(dates) == len(birth)
    assert month_days.str.fullmatch(r"\d\d-\d\d").all()
    assert len(month_days) / len(salon.clients) == pytest.approx(0.12, abs=0.05)
    ages = dates.map(lambda b: (AS_OF - b).days / 365.25)
    assert ages.between(18, 76).all()
    assert (birth.map(lambda v: v if isinstance(v, str) else v.strftime("%m-%d")) == "02-29").sum() >= 2
    phones = salon.clients["phone"].dropna()
    assert phones.map(lambda p: isinstance(p, str)).all()
    assert phones.str.match(r"^[+(0-9]").all()
    assert phones.str.startswith(("0", "+", "(0")).mean() > 0.9


@pytest.mark.parametrize("locale", LOCALES)
def test_every_locale_builds_a_consistent_chain(locale: str) -> None:
    labels = load_template().labels(locale)
    data = generate_demo(clients=120, branches=3, locale=locale, seed=7, as_of=AS_OF)
    branches = list(data.lists["branches"]["name"])
    assert len(branches) == len(set(branches)) == 3
    therapists = data.lists["therapists"]
    assert therapists["name"].is_unique
    assert therapists.groupby("branch").size().between(3, 6).all()
    assert set(data.clients["branch"]) <= set(branches)
    assert set(data.visits["service"]) <= set(data.lists["services"]["name"])
    assert set(data.visits["payment_method"]) <= set(data.lists["payment_methods"]["name"])
    assert (data.clients["allergies"] == labels.message("allergies_none")).any()
    assert data.clients["full_name"].notna().all()
    channels = set(data.clients["preferred_channel"].dropna())
    assert channels <= set(load_template().choice_lists["channel"])
    home = data.visits["client_id"].map(data.clients.set_index("client_id")["branch"])
    assert (data.visits["branch"] != home).any()  # a return to another branch of the chain


def test_branches_are_named_after_real_cities_then_second_branches() -> None:
    cities = set(BRANCH_CITIES["it"])
    data = generate_demo(clients=40, branches=len(cities) + 2, locale="it", seed=2, as_of=AS_OF)
    branches = list(data.lists["branches"]["name"])
    assert len(set(branches)) == len(branches)
    seconds = {b.removesuffix(" 2") for b in branches if b.endswith(" 2")}
    assert len(seconds) == 2
    assert set(branches) == cities | {f"{c} 2" for c in seconds}


def test_workbook_does_not_depend_on_the_hash_seed(tmp_path: Path) -> None:
    # Python salts str hashes per process; a set's order once leaked into branch names (Faker it_IT city()).
    written = []
    for hash_seed in ("1", "2"):
        out = tmp_path / f"demo-{hash_seed}.xlsx"
        args = ["--locale", "it", "--branches", "3", "--clients", "30", "--seed", "3", "--as-of", "2026-11-22"]
        subprocess.run(
            [sys.executable, "-m", "sheetkit", "demo", str(out), *args],
            check=True,
            capture_output=True,
            cwd=Path(__file__).parents[1],
            env={**os.environ, "PYTHONHASHSEED": hash_seed},
        )
        written.append(out.read_bytes())
    assert written[0] == written[1]


def test_rejects_nonsense_sizes() -> None:
    with pytest.raises(ValueError, match="clients"):
        generate_demo(clients=0, as_of=AS_OF)
    with pytest.raises(ValueError, match="branches"):
        generate_demo(branches=0, as_of=AS_OF)
