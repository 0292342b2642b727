"""The follow-ups sheet: calls and messages to clients who stayed away, complained or have a birthday.

The salon calls about half of its lapsed clients and a third of the overdue ones, some
of them within the last days (so they drop out of the next outreach list); a few calls
go unanswered first. Some regulars who once stayed away too long were called then and
came back (the win-back the report counts). Complaints get a call within days, and a
few clients get birthday greetings a week ahead. Overdue clients are "booked" only
when they really hold a booking made after they fell due.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from sheetkit.demo.columns import IntArr, ObjArr, days, ids, objects, probs, sheet_frame
from sheetkit.demo.draw import Draw
from sheetkit.demo.history import ClientPlan, VisitDays
from sheetkit.demo.tables import (
    FOLLOW_UP_LAPSED,
    FOLLOW_UP_OUTCOMES,
    FOLLOW_UP_OVERDUE,
    LAPSED,
    OVERDUE,
    WIN_BACK_CALLED,
)

_Row = tuple[int, int, str, str]  # client, day offset, reason, outcome


def make_follow_ups(
    draw: Draw,
    plan: ClientPlan,
    visit_days: VisitDays,
    frames: Mapping[str, pd.DataFrame],
    settings: Mapping[str, Any],
) -> pd.DataFrame:
    """The follow-ups sheet, in date order, from the ``clients``, ``appointments`` and ``feedback`` ``frames``."""
    floor = float(settings.get("lapse_floor_days") or 90)
    factor = float(settings.get("lapse_factor") or 2.0)
    threshold = np.maximum(floor, factor * plan.cadence).astype(np.int64)
    clients = frames["clients"]
    index = {str(c): i for i, c in enumerate(clients["client_id"])}
    rows = _win_backs(draw, visit_days, threshold)
    rows += _lapsed(draw, plan, threshold)
    rows += _overdue(draw, plan, frames["appointments"], index)
    rows += _complaints(draw, frames["feedback"], index)
    rows += _birthdays(draw, clients)
    return _sheet(draw, clients, sorted(rows, key=lambda r: (r[1], r[0])))


def _outcomes(draw: Draw, m: int, *, booked: bool) -> ObjArr:
    """``m`` outcomes by :data:`FOLLOW_UP_OUTCOMES`; without "booked" unless ``booked``."""
    weights = dict(FOLLOW_UP_OUTCOMES) if booked else {k: v for k, v in FOLLOW_UP_OUTCOMES.items() if k != "booked"}
    keys = list(FOLLOW_UP_OUTCOMES)
    return objects(keys)[draw.rng.choice(len(keys), size=m, p=probs(keys, weights))]


def _win_backs(draw: Draw, vd: VisitDays, threshold: IntArr) -> list[_Row]:
    """A call during some long gaps between two visits; the client booked or came back after it."""
    rng = draw.rng
    gap = vd.day - vd.prev
    long_gap = np.flatnonzero(vd.has_prev & (gap > threshold[vd.client] + 1))
    called = long_gap[rng.random(len(long_gap)) < WIN_BACK_CALLED]
    start = vd.prev[called] + threshold[vd.client[called]]
    when = start + (rng.random(len(called)) * (vd.day[called] - start)).astype(np.int64)
    outcome = np.where(rng.random(len(called)) < 0.6, "booked", "reached")
    return [(int(c), int(d), "lapsed", str(o)) for c, d, o in zip(vd.client[called], when, outcome, strict=True)]


def _lapsed(draw: Draw, plan: ClientPlan, threshold: IntArr) -> list[_Row]:
    """Calls to lapsed clients since they lapsed; a quarter had an unanswered call a week or more before."""
    rng, n = draw.rng, len(plan.segment)
    since = plan.last_day + threshold
    who = np.flatnonzero((plan.segment == LAPSED) & (since <= 0) & (rng.random(n) < FOLLOW_UP_LAPSED))
    when = since[who] + (rng.random(len(who)) * (1 - since[who])).astype(np.int64)
    outcome = _outcomes(draw, len(who), booked=False)
    earlier = when - rng.integers(7, 31, len(who))
    again = (rng.random(len(who)) < 0.25) & (earlier >= since[who])
    rows = [(int(c), int(d), "lapsed", str(o)) for c, d, o in zip(who, when, outcome, strict=True)]
    rows += [(int(c), int(d), "lapsed", "no_answer") for c, d in zip(who[again], earlier[again], strict=True)]
    return rows


def _overdue(draw: Draw, plan: ClientPlan, appointments: pd.DataFrame, index: Mapping[str, int]) -> list[_Row]:
    """Calls to overdue clients since they fell due: "booked" on the day of a booking made after that."""
    rng, n = draw.rng, len(plan.segment)
    due = plan.last_day + np.rint(plan.cadence).astype(np.int64)
    who = np.flatnonzero((plan.segment == OVERDUE) & (due <= 0) & (rng.random(n) < FOLLOW_UP_OVERDUE))
    as_of = pd.Timestamp(draw.as_of)
    ahead = appointments[(appointments["status"] == "booked") & (appointments["scheduled_at"] > as_of)]
    booked_day = {
        index[str(c)]: int((b.normalize() - as_of).days)
        for c, b in zip(ahead["client_id"], ahead["booked_at"], strict=True)
    }
    when = due[who] + (rng.random(len(who)) * (1 - due[who])).astype(np.int64)
    outcome = _outcomes(draw, len(who), booked=False)
    rows: list[_Row] = []
    for c, d, o in zip(who, when, outcome, strict=True):
        day = booked_day.get(int(c))
        if day is not None and due[c] <= day <= 0:
            rows.append((int(c), day, "at_risk", "booked"))
        else:
            rows.append((int(c), int(d), "at_risk", str(o)))
    return rows


def _complaints(draw: Draw, feedback: pd.DataFrame, index: Mapping[str, int]) -> list[_Row]:
    """A call within three days of most complaints from a known client."""
    complaints = feedback[(feedback["kind"] == "complaint") & feedback["client_id"].notna()]
    m = len(complaints)
    called = draw.rng.random(m) < 0.6
    offset = ((complaints["date"] - pd.Timestamp(draw.as_of)).dt.days.to_numpy(dtype=np.int64)) + draw.rng.integers(
        0, 4, m
    )
    outcome = np.where(draw.rng.random(m) < 0.8, "reached", "no_answer")
    return [
        (index[str(c)], int(min(d, 0)), "complaint", str(o))
        for c, d, o, keep in zip(complaints["client_id"], offset, outcome, called, strict=True)
        if keep
    ]


def _birthdays(draw: Draw, clients: pd.DataFrame) -> list[_Row]:
    """Birthday greetings a week ahead, to some active clients whose birthday fell in the last two months."""
    as_of = draw.as_of
    active = clients["client_status"].to_numpy(dtype=object) == "active"
    month_day = clients["birth_month_day"].to_numpy(dtype=object)
    chosen = active & (draw.rng.random(len(clients)) < 0.1)
    rows: list[_Row] = []
    for c in np.flatnonzero(chosen):
        if not isinstance(month_day[c], str):
            continue
        month, day = int(month_day[c][:2]), int(month_day[c][3:])
        year = as_of.year if (month, day) <= (as_of.month, as_of.day) else as_of.year - 1
        birthday = dt.date(year, month, min(day, 28) if month == 2 and day == 29 else day)
        greet = (birthday - as_of).days - 7
        if -60 <= greet <= 0:
            rows.append((int(c), greet, "birthday", "reached"))
    return rows


def _sheet(draw: Draw, clients: pd.DataFrame, rows: list[_Row]) -> pd.DataFrame:
    """The frame: channel as the client prefers (phone when none), staff, notes by outcome."""
    rng, words, m = draw.rng, draw.words, len(rows)
    client = np.array([r[0] for r in rows], dtype=np.int64)
    outcome = objects([r[3] for r in rows])
    channel = clients["preferred_channel"].to_numpy(dtype=object)[client]
    channel = np.where(pd.isna(channel) | (channel == "none"), "phone", channel)
    therapist = clients["assigned_therapist"].to_numpy(dtype=object)[client]
    notes = [
        bank[int(u * len(bank))] if here else None
        for bank, u, here in zip(
            (words.follow_up_notes[str(o)] for o in outcome), rng.random(m), rng.random(m) < 0.5, strict=True
        )
    ]
    data = {
        "follow_up_id": objects(ids("FU", m, 5)),
        "date": days(draw.as_of, np.array([r[1] for r in rows], dtype=np.int64)),
        "client_id": clients["client_id"].to_numpy(dtype=object)[client],
        "reason": objects([r[2] for r in rows]),
        "channel": channel.astype(object),
        "outcome": outcome,
        "staff": np.where(rng.random(m) < 0.5, words.manager, therapist).astype(object),
        "notes": objects(notes),
    }
    return sheet_frame(draw.template.sheet("follow_ups"), data, m)
