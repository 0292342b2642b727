"""The demo salon: deterministic, consistent with the template, realistic enough to report on, in its locale."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import re
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

import pandas as pd
import pytest

import sheetkit as sk
from sheetkit.demo import generate_demo, words_en
from sheetkit.demo.tables import BRANCH_CITIES
from sheetkit.frames import DATA_SHEETS, WorkbookData, month_day_column
from sheetkit.template import default_template_dir, load_template
from tests.office import convert, find_soffice

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
    assert {s.key for s in template.sheets} == set(DATA_SHEETS)
    for sheet in template.sheets:
        frame = salon.frame(sheet.key)
        expected = [c.key for c in sheet.data_columns]
        if sheet.key == "clients":
            expected.insert(expected.index("birth_date") + 1, month_day_column("birth_date"))
        assert list(frame.columns) == expected
        assert len(frame) > 0, sheet.key
        for col in sheet.data_columns:
            dtype = str(frame[col.key].dtype)
            if col.type in ("date", "datetime"):
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
    clients = salon.clients
    dates, month_days = clients["birth_date"], clients["birth_month_day"]
    known = month_days.dropna()
    assert known.str.fullmatch(r"\d\d-\d\d").all()
    # Every full date has its month-day; some clients gave only the day and month.
    assert (dates.dropna().dt.strftime("%m-%d") == month_days[dates.notna()]).all()
    only_day = month_days.notna() & dates.isna()
    assert only_day.mean() == pytest.approx(0.12, abs=0.05)
    assert month_days.isna().mean() == pytest.approx(0.05, abs=0.03)
    ages = (pd.Timestamp(AS_OF) - dates.dropna()).dt.days / 365.25
    assert ages.between(18, 76).all()
    assert (known == "02-29").sum() >= 2
    assert ((known == "02-29") & dates.isna()).sum() >= 1
    phones = clients["phone"].dropna()
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


# ---------------------------------------------------------------- template version 2


def test_cancellations_say_when_they_were_made(salon: WorkbookData) -> None:
    appts = salon.appointments
    cancelled = appts["status"] == "cancelled"
    assert appts.loc[cancelled, "cancelled_at"].notna().all()
    assert appts.loc[~cancelled, "cancelled_at"].isna().all()
    c = appts[cancelled]
    assert (c["booked_at"] <= c["cancelled_at"]).all()
    assert (c["cancelled_at"] < END_OF_AS_OF).all()
    late = c["cancelled_at"] > c["scheduled_at"] - pd.Timedelta(hours=24)
    assert 0.15 <= late.mean() <= 0.5
    assert c["cancellation_reason"].notna().all()


def patch_test_gaps(data: WorkbookData) -> pd.DataFrame:
    """Visits of a service that needs a patch test without a passing, valid test of the client (the v2 rule)."""
    services = data.lists["services"]
    valid_days = services.set_index("name")["patch_test_valid_days"].dropna().astype(int)
    longest = int(valid_days.max())
    tests = data.patch_tests[data.patch_tests["result"] == "pass"]
    needing = data.visits[data.visits["service"].isin(valid_days.index)]
    pairs = needing.reset_index().merge(tests, on="client_id", how="left", suffixes=("", "_test"))
    days = pairs["service"].map(valid_days).fillna(longest)
    until = pairs["valid_until"].fillna(pairs["date"] + pd.to_timedelta(days, unit="D"))
    pairs["ok"] = (pairs["date"] <= pairs["visit_date"]) & (pairs["visit_date"] <= until)
    covered = pairs.groupby("visit_id")["ok"].any()
    return needing[~needing["visit_id"].map(covered).astype(bool)]


def test_every_treatment_that_needs_a_patch_test_has_a_valid_passing_one(salon: WorkbookData) -> None:
    services = salon.lists["services"]
    needs = services[services["patch_test_valid_days"].notna()]
    assert len(needs) >= 1
    assert salon.visits["service"].isin(needs["name"]).sum() > 10
    assert patch_test_gaps(salon).empty
    tests = salon.patch_tests
    results = tests["result"].value_counts()
    assert results["pass"] > results.get("fail", 0) > 0
    assert (tests["date"] <= pd.Timestamp(AS_OF)).all()
    assert set(tests["client_id"]) <= set(salon.clients["client_id"])
    assert (tests.loc[tests["result"] != "pass", "valid_until"]).isna().all()
    assert tests["valid_until"].notna().mean() > 0.5
    assert tests["date"].is_monotonic_increasing
    # The Clients columns repeat each client's latest test.
    latest = tests.groupby("client_id").tail(1).set_index("client_id")
    clients = salon.clients.set_index("client_id")
    assert (
        clients["patch_test_date"]
        .dropna()
        .equals(latest["date"].reindex(clients.index).dropna().rename("patch_test_date"))
    )
    assert (clients.loc[latest.index, "patch_test_result"] == latest["result"]).all()


def test_a_pending_test_shows_in_a_larger_salon() -> None:
    data = generate_demo(clients=1500, as_of=AS_OF, seed=3)
    assert (data.patch_tests["result"] == "pending").any()
    assert patch_test_gaps(data).empty


def latest_consent(data: WorkbookData, purpose: str) -> pd.Series:
    entries = data.consents[data.consents["purpose"] == purpose].reset_index(drop=True)
    order = entries.sort_values(["date"], kind="stable")
    return order.groupby("client_id")["decision"].last()


def test_the_consent_history_agrees_with_the_clients_sheet(salon: WorkbookData) -> None:
    clients = salon.clients.set_index("client_id")
    records = latest_consent(salon, "records")
    expected = clients["records_consent"].dropna().map({True: "granted", False: "withdrawn"})
    assert records.to_dict() == expected.to_dict()
    marketing = latest_consent(salon, "marketing")
    opt_in = clients["marketing_opt_in"]
    told = opt_in[opt_in.isin(["subscribed", "unsubscribed"])]
    assert marketing.to_dict() == told.map({"subscribed": "granted", "unsubscribed": "withdrawn"}).to_dict()
    granted_on = salon.consents[(salon.consents["purpose"] == "records") & (salon.consents["decision"] == "granted")]
    dates = granted_on.groupby("client_id")["date"].max()
    assert (clients["consent_date"].dropna() == dates.reindex(clients["consent_date"].dropna().index)).all()
    history = salon.consents.groupby(["client_id", "purpose"]).size()
    assert (history > 1).sum() >= 5  # a few withdrawn histories
    assert set(salon.consents["purpose"]) == {"records", "health_data", "marketing", "photos"}
    assert (salon.consents["date"] <= pd.Timestamp(AS_OF)).all()


def test_lapsed_and_at_risk_clients_are_followed_up(salon: WorkbookData) -> None:
    follow = salon.follow_ups
    assert {"lapsed", "at_risk", "complaint"} <= set(follow["reason"])
    assert {"reached", "booked", "declined", "no_answer"} <= set(follow["outcome"].dropna())
    as_of = pd.Timestamp(AS_OF)
    assert (follow["date"] <= as_of).all()
    assert follow["date"].is_monotonic_increasing
    assert ((as_of - follow["date"]).dt.days < 14).any()  # left out of the next outreach list
    visits = salon.visits.groupby("client_id")["visit_date"]
    lapsed = follow[follow["reason"].isin(["lapsed", "at_risk"])]
    came_back = lapsed["date"] < lapsed["client_id"].map(visits.max())
    assert came_back.any()  # win-backs
    assert (lapsed["date"] > lapsed["client_id"].map(visits.min())).all()
    booked = follow[follow["outcome"] == "booked"]
    future = salon.appointments[salon.appointments["scheduled_at"] >= END_OF_AS_OF]
    later_visit = booked["date"] < booked["client_id"].map(visits.max())
    assert (later_visit | booked["client_id"].isin(future["client_id"])).all()


ENGLISH_FREE_TEXT = ("analyzer_notes", "notes", "products_used", "result_notes", "occupation", "text", "resolution")
#: International names that every language writes the same: INCI ingredients, INN drugs, loanwords.
SAME_IN_EVERY_LANGUAGE = frozenset(
    {"vitamin", "retinol", "retinoid", "niacinamide", "peptide", "keratin", "ceramide", "jojoba", "yoga", "aloe"}
    | {"warfarin", "metformin", "ibuprofen", "glycolic", "lactic", "mandelic", "salicylic", "hyaluronic", "azulene"}
)
#: English words that are also words of the language ("piano" is a floor in an Italian address).
ALSO_LOCAL = {"it": frozenset({"piano", "software", "stress", "routine"})}


def latin_words(values: Iterable[object]) -> set[str]:
    return {w.lower() for v in values for w in re.findall(r"[A-Za-z]{4,}", str(v))}


def english_words() -> set[str]:
    found: set[str] = set()

    def walk(value: object) -> None:
        if isinstance(value, str):
            found.update(w.lower() for w in re.findall(r"[A-Za-z]{4,}", value))
        elif isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, (tuple, list)):
            for v in value:
                walk(v)

    for field in dataclasses.fields(words_en.WORDS):
        walk(getattr(words_en.WORDS, field.name))
    return found - SAME_IN_EVERY_LANGUAGE


@pytest.mark.parametrize("locale", [loc for loc in LOCALES if loc != "en"])
def test_a_demo_is_written_entirely_in_its_language(locale: str) -> None:
    data = generate_demo(clients=400, locale=locale, seed=11, as_of=AS_OF)
    template = load_template()
    english = english_words()
    assert {"prefers", "cleanser", "teacher", "waited"} <= english
    # Service names and other Lists entries are the template's translations, not the demo's words.
    translated = latin_words(v for frame in data.lists.values() for c in frame.columns for v in frame[c].dropna())
    allowed = translated | ALSO_LOCAL.get(locale.split("-", maxsplit=1)[0], frozenset())
    seen: dict[str, set[str]] = {}
    for sheet in template.sheets:
        for col in sheet.data_columns:
            if col.type == "text":
                found = (latin_words(data.frame(sheet.key)[col.key].dropna()) & english) - allowed
                if found:
                    seen[f"{sheet.key}.{col.key}"] = found
    assert not seen
    for key in ENGLISH_FREE_TEXT:
        assert any(key in data.frame(s.key) and data.frame(s.key)[key].notna().any() for s in template.sheets), key
    assert data.clients["occupation"].notna().mean() > 0.4


def test_the_demo_workbook_checks_clean_also_after_libreoffice_saves_it(tmp_path: Path) -> None:
    book = tmp_path / "spa.xlsx"
    sk.write_demo(book, clients=120, locale="vi", seed=4, as_of=AS_OF)
    result = sk.validate(book, as_of=AS_OF)
    assert not result.errors, [i.code for i in result.errors]
    assert not [i for i in result.issues if i.code in ("patch-test-missing", "consent-mismatch")]
    if find_soffice() is None:
        pytest.skip("LibreOffice not installed")
    saved = convert(book, "xlsx", tmp_path / "saved")
    again = sk.validate(saved, as_of=AS_OF)
    assert not again.errors, [i.code for i in again.errors]
    for key in ("patch_tests", "consents", "follow_ups"):
        before, after = result.frames.frame(key), again.frames.frame(key)
        assert len(after) == len(before) > 0, key
        pd.testing.assert_frame_equal(after.reset_index(drop=True), before.reset_index(drop=True), check_dtype=False)
    cancelled = again.frames.appointments["cancelled_at"].dropna()
    assert cancelled.equals(result.frames.appointments["cancelled_at"].dropna())
