"""The patch-tests sheet: a passing, valid test before every treatment of a service that needs one.

Services with ``patch_test_valid_days`` in Lists (chemical peel and lash lift by default)
need a passing patch test of the client dated on or before the visit and still valid on
it. Each client's tests are drawn the way a careful salon works: a test a few days before
the first such treatment, and a new one when the last has run out. A few clients failed a
first test (another product passed later), a few failed and never had the treatment,
and a few tests from the last days are still pending.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sheetkit.demo.catalogue import Catalogue
from sheetkit.demo.columns import DateArr, IntArr, ObjArr, days, ids, nones, objects, sheet_frame
from sheetkit.demo.draw import Draw
from sheetkit.demo.history import ClientPlan
from sheetkit.demo.tables import NEVER, PATCH_FAILED_FIRST, PATCH_PENDING_CLIENTS, PATCH_VALID_UNTIL
from sheetkit.demo.visits import Visits


@dataclass(frozen=True)
class PatchTests:
    """The patch-tests sheet and each client's latest test, for the Clients sheet's patch-test columns."""

    frame: pd.DataFrame
    latest_date: DateArr
    latest_result: ObjArr


@dataclass
class _Rows:
    """Tests being drawn: client, day offset, service index, therapist index, result."""

    client: list[int]
    day: list[int]
    service: list[int]
    therapist: list[int]
    result: list[str]

    def add(self, client: int, day: int, service: int, therapist: int, result: str) -> None:
        self.client.append(client)
        self.day.append(day)
        self.service.append(service)
        self.therapist.append(therapist)
        self.result.append(result)


def make_patch_tests(
    draw: Draw, catalogue: Catalogue, plan: ClientPlan, visits: Visits, client_ids: ObjArr
) -> PatchTests:
    """The patch-tests sheet, in date order; tests never lie after ``as_of``."""
    patch_days = catalogue.service_patch_days
    needing = np.flatnonzero(patch_days > 0)
    rows = _Rows([], [], [], [], [])
    window = int(patch_days[needing].min()) if len(needing) else 0
    if window:
        _covering_tests(draw, visits, patch_days, window, rows)
        _failed_and_pending(draw, plan, needing, rows)
    return _sheet(draw, catalogue, plan, client_ids, rows=rows, window=window)


def _covering_tests(draw: Draw, visits: Visits, patch_days: IntArr, window: int, rows: _Rows) -> None:
    """A passing test 2-10 days before each treatment that the client's previous test no longer covers.

    Every test covers ``window`` days (the shortest validity of any service), so each
    visit is covered whatever validity its own service has.
    """
    rng = draw.rng
    idx = np.flatnonzero(patch_days[visits.service] > 0)
    idx = idx[np.lexsort((visits.day[idx], visits.client[idx]))]
    lead = rng.integers(2, 11, len(idx))
    failed_first = rng.random(len(idx)) < PATCH_FAILED_FIRST
    gap = rng.integers(7, 31, len(idx))
    client, day = visits.client[idx], visits.day[idx]
    last_client, covered_until = -1, 0
    for k, i in enumerate(idx):
        c, d = int(client[k]), int(day[k])
        if c == last_client and d <= covered_until:
            continue
        test_day = d - int(lead[k])
        if c != last_client and failed_first[k]:
            rows.add(c, test_day - int(gap[k]), int(visits.service[i]), int(visits.therapist[i]), "fail")
        rows.add(c, test_day, int(visits.service[i]), int(visits.therapist[i]), "pass")
        last_client, covered_until = c, test_day + window


def _failed_and_pending(draw: Draw, plan: ClientPlan, needing: IntArr, rows: _Rows) -> None:
    """Tests of clients who never had the treatment: a few failed in the past, a few pending now."""
    rng, n = draw.rng, len(plan.segment)
    tested = np.zeros(n, dtype=bool)
    tested[np.asarray(rows.client, dtype=np.int64)] = True
    came = (plan.segment != NEVER) & ~tested
    failed = np.flatnonzero(came & (rng.random(n) < PATCH_FAILED_FIRST / 3))
    when = plan.first_day[failed] + (rng.random(len(failed)) * -plan.first_day[failed]).astype(np.int64)
    pending = np.flatnonzero(~tested & (plan.last_day > -120) & (rng.random(n) < PATCH_PENDING_CLIENTS))
    drawn = (
        (failed, when, "fail"),
        (pending, -rng.integers(0, 3, len(pending)), "pending"),
    )
    for clients, day, result in drawn:
        service = needing[rng.integers(0, len(needing), len(clients))]
        for c, d, s in zip(clients, day, service, strict=True):
            rows.add(int(c), int(d), int(s), int(plan.therapist[c]), result)


def _sheet(
    draw: Draw, catalogue: Catalogue, plan: ClientPlan, client_ids: ObjArr, *, rows: _Rows, window: int
) -> PatchTests:
    """The frame of the drawn tests (products, areas, validity, notes) and each client's latest test."""
    rng, words = draw.rng, draw.words
    client = np.asarray(rows.client, dtype=np.int64)
    day = np.asarray(rows.day, dtype=np.int64)
    order = np.lexsort((client, day))
    client, day = client[order], day[order]
    service = np.asarray(rows.service, dtype=np.int64)[order]
    therapist = np.asarray(rows.therapist, dtype=np.int64)[order]
    result = objects(rows.result)[order] if len(order) else nones(0)
    m = len(order)
    products: list[str] = []
    for s, u, code in zip(service, rng.random(m), rng.integers(1000, 10000, m), strict=True):
        bank = words.patch_products.get(catalogue.service_keys[int(s)], words.patch_products["other"])
        product = bank[int(u * len(bank))]
        products.append(words.batch.format(product=product, code=f"{chr(65 + int(code) % 26)}{int(code)}"))
    notes: list[str | None] = []
    for r, u, here in zip(result, rng.random(m), rng.random(m) < 0.4, strict=True):
        bank = words.patch_notes[str(r)]
        notes.append(bank[int(u * len(bank))] if here or r == "fail" else None)
    valid = (result == "pass") & (rng.random(m) < PATCH_VALID_UNTIL)
    data = {
        "patch_test_id": objects(ids("PT", m, 5)),
        "date": days(draw.as_of, day),
        "client_id": client_ids[client] if m else nones(0),
        "product": objects(products),
        "area": draw.bank(words.patch_areas, m, 0.9),
        "therapist": catalogue.therapist_names[therapist] if m else nones(0),
        "result": result,
        "valid_until": days(draw.as_of, day + window, valid),
        "notes": objects(notes),
    }
    n = len(plan.segment)
    latest = np.full(n, -1, dtype=np.int64)
    latest[client] = np.arange(m, dtype=np.int64)  # rows are in date order: the last write wins
    has = latest >= 0
    latest_result = nones(n)
    latest_result[has] = result[latest[has]]
    return PatchTests(
        frame=sheet_frame(draw.template.sheet("patch_tests"), data, m),
        latest_date=days(draw.as_of, np.where(has, day[np.maximum(latest, 0)] if m else 0, 0), has),
        latest_result=latest_result,
    )
