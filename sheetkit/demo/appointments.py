"""The appointments sheet: the bookings behind past visits, and the ones that did not turn into visits.

Completed appointments are booked days ahead, rebooked at the end of the previous visit
or phoned in the same day (the rest of the visits were walk-ins); cancellations and
no-shows fall between visits; regulars have their next visit booked ahead, a few are
booked today, and some clients who registered but never came have a first booking.
Every cancellation records when it was made: most well ahead, some late (less than
24 hours before the appointment).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from sheetkit.demo.catalogue import Catalogue
from sheetkit.demo.columns import BoolArr, IntArr, ObjArr, ids, keep, minutes, objects, sheet_frame
from sheetkit.demo.draw import Draw
from sheetkit.demo.history import ClientPlan, History, VisitDays
from sheetkit.demo.tables import DAY_MIN, LATE_CANCEL_SHARE, NEVER, OVERDUE, REGULAR, SLOTS

#: Appointment columns by internal name; times are minutes after ``as_of`` 00:00.
Part = dict[str, Any]


def make_appointments(draw: Draw, catalogue: Catalogue, history: History, client_ids: ObjArr) -> pd.DataFrame:
    """The appointments sheet of ``history``, in order of scheduled time."""
    vd = history.days
    completed = _completed(draw, vd)
    parts = [completed, *_missed(draw, vd, len(completed["client"]))]
    last_idx = _last_visits_of_regulars(history)
    ahead, future = _booked_ahead(draw, history, last_idx)
    parts += [ahead, _today(draw, vd, np.setdiff1d(last_idx, future), len(client_ids))]
    parts.append(_first_bookings(draw, history.plan))

    cols = {key: np.concatenate([p[key] for p in parts]) for key in parts[0]}
    order = np.lexsort((cols["booked_min"], cols["client"], cols["sched_min"]))
    cols = {key: v[order] for key, v in cols.items()}
    na = len(order)
    cancelled = cols["cancelled"]
    cancelled_min = _cancelled_at(draw, cols["sched_min"], cols["booked_min"], cancelled)
    data = {
        "appointment_id": objects(ids("A", na, 6)),
        "client_id": client_ids[cols["client"]],
        "scheduled_at": minutes(draw.as_of, cols["sched_min"]),
        "service": catalogue.service_names[cols["service"]],
        "therapist": catalogue.therapist_names[cols["therapist"]],
        "branch": catalogue.branch_names[cols["branch"]],
        "status": cols["status"],
        "booked_at": minutes(draw.as_of, cols["booked_min"]),
        "cancelled_at": np.where(cancelled, minutes(draw.as_of, cancelled_min), np.datetime64("NaT", "m")),
        "cancellation_reason": keep(draw.bank(draw.words.cancel_reasons, na), cancelled),
        "notes": draw.bank(draw.words.appointment_notes, na, 0.06),
    }
    return sheet_frame(draw.template.sheet("appointments"), data, na)


def _cancelled_at(draw: Draw, sched: IntArr, booked: IntArr, cancelled: BoolArr) -> IntArr:
    """When each appointment was cancelled (minutes after ``as_of`` 00:00; meaningful where ``cancelled``).

    A share are late, less than 24 hours before the appointment; the rest lie between
    the booking and a day before. Nothing is cancelled after the end of ``as_of``.
    """
    rng, m = draw.rng, len(sched)
    end = DAY_MIN - 1
    ahead_limit = np.minimum(sched - DAY_MIN, end)
    ahead = booked + (rng.random(m) * np.maximum(ahead_limit - booked, 0)).astype(np.int64)
    late = np.clip(sched - rng.integers(30, DAY_MIN - 60, m), booked, end)
    is_late = (rng.random(m) < LATE_CANCEL_SHARE) | (ahead_limit <= booked)
    when = np.where(is_late, late, ahead)
    # Rounded down to five minutes, never before the booking.
    out: IntArr = np.where(cancelled, np.maximum(when - when % 5, booked), 0).astype(np.int64)
    return out


def _completed(draw: Draw, vd: VisitDays) -> Part:
    """Most visit days were booked: days ahead, rebooked at the previous visit, or called in that day."""
    rng, nd = draw.rng, len(vd.day)
    day, slot = vd.day, vd.slot
    booked_ahead = rng.random(nd) < 0.88
    rebook = vd.has_prev & (rng.random(nd) < 0.45)
    same_day = ~rebook & (rng.random(nd) < 0.12)
    booked = (day - rng.integers(1, 22, nd)) * DAY_MIN + draw.booking_time(nd)
    walk_in_call = day * DAY_MIN + np.maximum(8 * 60, slot - rng.integers(30, 241, nd))
    booked = np.where(same_day, walk_in_call, booked)
    booked = np.where(rebook, vd.prev * DAY_MIN + np.roll(slot, 1) + rng.integers(45, 91, nd), booked)
    done = np.flatnonzero(booked_ahead)
    return _for_visits(vd, done, (day * DAY_MIN + slot)[done], booked[done], "completed")


def _missed(draw: Draw, vd: VisitDays, n_completed: int) -> list[Part]:
    """Cancelled and no-show appointments (5 % of completed each) between visits, never on a visit day."""
    rng, day = draw.rng, vd.day
    room = np.minimum(14, np.where(vd.has_prev, day - vd.prev - 1, 14))
    eligible = np.flatnonzero(room >= 2)
    k = min(len(eligible), round(0.05 * n_completed))
    chosen = rng.permutation(eligible)[: 2 * k]
    parts: list[Part] = []
    for status, idx in (("cancelled", chosen[:k]), ("no_show", chosen[k:])):
        when = day[idx] - 2 - (rng.random(len(idx)) * (room[idx] - 1)).astype(np.int64)
        at = when * DAY_MIN + SLOTS[rng.integers(0, len(SLOTS), len(idx))]
        made = (when - rng.integers(1, 15, len(idx))) * DAY_MIN + draw.booking_time(len(idx))
        parts.append(_for_visits(vd, idx, at, made, status, cancelled=status == "cancelled"))
    return parts


def _last_visits_of_regulars(history: History) -> IntArr:
    """The last visit day of each client who still comes (regular or overdue)."""
    vd = history.days
    is_last = np.ones(len(vd.day), dtype=bool)
    is_last[:-1] = vd.client[1:] != vd.client[:-1]
    last_idx = np.flatnonzero(is_last)
    ongoing = np.isin(history.plan.segment[vd.client[last_idx]], [REGULAR, OVERDUE])
    return last_idx[ongoing]


def _booked_ahead(draw: Draw, history: History, last_idx: IntArr) -> tuple[Part, IntArr]:
    """Next visits booked for ~40 % of the regulars around their due date; and which last visits they follow."""
    rng, vd = draw.rng, history.days
    day = vd.day
    future = last_idx[rng.random(len(last_idx)) < 0.4]
    c = vd.client[future]
    due = day[future] + np.rint(history.plan.cadence[c]).astype(np.int64)
    fday = np.maximum(1, due + rng.integers(-3, 4, len(c)))
    fat = fday * DAY_MIN + SLOTS[rng.integers(0, len(SLOTS), len(c))]
    same = rng.random(len(c)) < 0.5
    later = day[future] + 1 + (rng.random(len(c)) * (-day[future])).astype(np.int64)
    fmade = np.where(
        same | (day[future] >= 0),
        day[future] * DAY_MIN + vd.slot[future] + rng.integers(45, 91, len(c)),
        np.minimum(later, 0) * DAY_MIN + draw.booking_time(len(c)),
    )
    fstatus = np.where(rng.random(len(c)) < 0.06, "cancelled", "booked")
    return _for_visits(vd, future, fat, fmade, fstatus, cancelled=fstatus == "cancelled"), future


def _today(draw: Draw, vd: VisitDays, unbooked: IntArr, n_clients: int) -> Part:
    """A few appointments today (1 % of clients, at least 2), from regulars who are not booked yet."""
    rng, day = draw.rng, vd.day
    rest = unbooked[day[unbooked] < 0]
    today = rng.permutation(rest)[: max(2, round(0.01 * n_clients))]
    tat = SLOTS[rng.integers(0, len(SLOTS), len(today))]
    since = np.maximum(day[today], -14)
    tday = since + (rng.random(len(today)) * -since).astype(np.int64)
    tmade = tday * DAY_MIN + draw.booking_time(len(today))
    return _for_visits(vd, today, tat, tmade, "booked")


def _first_bookings(draw: Draw, plan: ClientPlan) -> Part:
    """First appointments, within three weeks, of 40 % of the clients who registered but never came."""
    rng = draw.rng
    newbies = np.flatnonzero((plan.segment == NEVER) & (rng.random(len(plan.segment)) < 0.4))
    m = len(newbies)
    sched = rng.integers(1, 22, m) * DAY_MIN + SLOTS[rng.integers(0, len(SLOTS), m)]
    booked = plan.first_day[newbies] * DAY_MIN + draw.booking_time(m)
    return {
        "client": newbies,
        "sched_min": sched.astype(np.int64),
        "booked_min": np.minimum(booked, sched).astype(np.int64),
        "service": plan.fav_service[newbies],
        "therapist": plan.therapist[newbies],
        "branch": plan.branch[newbies],
        "status": np.full(m, "booked", dtype=object),
        "cancelled": np.zeros(m, dtype=bool),
    }


def _for_visits(
    vd: VisitDays, idx: IntArr, sched: IntArr, booked: IntArr, status: Any, *, cancelled: Any = False
) -> Part:
    """Appointments like the visit days ``idx`` (same client, service, therapist, branch), booked no later than held."""
    m = len(idx)
    return {
        "client": vd.client[idx],
        "sched_min": sched.astype(np.int64),
        "booked_min": np.minimum(booked, sched).astype(np.int64),
        "service": vd.service[idx],
        "therapist": vd.therapist[idx],
        "branch": vd.branch[idx],
        "status": np.broadcast_to(np.asarray(status, dtype=object), (m,)).copy(),
        "cancelled": np.broadcast_to(np.asarray(cancelled, dtype=bool), (m,)).copy(),
    }
