"""Who comes when: client segments, cadences and the days each client visited.

:func:`plan_history` decides each client's story (regular, overdue, lapsed, paused,
ended, one-off, never came), spreads their visits back in time at a personal cadence
around the recommended interval of a favourite category, numbers clients in the order
they registered, and allocates branch, therapist and service to every visit. All days
are offsets from ``as_of`` (0 is ``as_of``, negative is the past).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sheetkit.demo.catalogue import Catalogue
from sheetkit.demo.columns import BoolArr, FloatArr, IntArr, probs
from sheetkit.demo.tables import (
    CATEGORY_WEIGHTS,
    ENDED,
    HISTORY_DAYS,
    LAPSED,
    NEVER,
    ONE_OFF,
    OVERDUE,
    PAUSED,
    REGULAR,
    SEGMENT_SHARES,
    SLOTS,
)


@dataclass(frozen=True)
class ClientPlan:
    """One entry per client, in client-ID (registration) order."""

    segment: IntArr
    fav_cat: IntArr
    #: Days between visits this client keeps to, roughly.
    cadence: FloatArr
    last_day: IntArr
    #: First visit day, or the sign-up day of a client who never came.
    first_day: IntArr
    visited: BoolArr
    branch: IntArr
    therapist: IntArr
    fav_service: IntArr


@dataclass(frozen=True)
class VisitDays:
    """One entry per day a client came, sorted by client then day."""

    client: IntArr
    day: IntArr
    has_prev: BoolArr
    #: The client's previous visit day (far in the past for a first visit).
    prev: IntArr
    #: Minutes after midnight of the appointment.
    slot: IntArr
    branch: IntArr
    therapist: IntArr
    service: IntArr


@dataclass(frozen=True)
class History:
    """The clients' plan, their visit days, and the treatment rows of the visits sheet in date order."""

    plan: ClientPlan
    days: VisitDays
    #: For each visits-sheet row: its visit day (an index into ``days``) and its service.
    row_day: IntArr
    row_service: IntArr


@dataclass(frozen=True)
class _Sketch:
    """The clients' stories before they are numbered: segment, cadence, first and last day."""

    segment: IntArr
    fav_cat: IntArr
    cadence: FloatArr
    last_day: IntArr
    earliest: IntArr


def plan_history(rng: np.random.Generator, catalogue: Catalogue, n: int, n_branches: int) -> History:
    """The visit history of ``n`` clients of a salon with ``n_branches`` branches."""
    sketch = _sketch_clients(rng, catalogue, n)
    owner, day = _spread_visits(rng, sketch)

    # Client IDs follow registration: the first visit day (or sign-up day of the never-visited).
    visited = sketch.segment != NEVER
    first_day = np.full(n, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(first_day, owner, day)
    first_day[~visited] = sketch.earliest[~visited]
    order = np.lexsort((rng.random(n), first_day)).astype(np.int64)
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n, dtype=np.int64)
    owner = rank[owner]
    days_order = np.lexsort((day, owner))
    client, day = owner[days_order], day[days_order]
    slot = SLOTS[rng.integers(0, len(SLOTS), len(day))]

    # Allocation: branch, assigned therapist, favourite service.
    fav_cat = sketch.fav_cat[order]
    branch = rng.integers(0, n_branches, n).astype(np.int64)
    therapist = catalogue.branch_therapists.pick(rng, branch)
    fav_service = catalogue.category_services.pick(rng, fav_cat)
    plan = ClientPlan(
        segment=sketch.segment[order],
        fav_cat=fav_cat,
        cadence=sketch.cadence[order],
        last_day=sketch.last_day[order],
        first_day=first_day[order],
        visited=visited[order],
        branch=branch,
        therapist=therapist,
        fav_service=fav_service,
    )
    days = _allocate_days(rng, catalogue, plan, client=client, day=day, slot=slot)
    row_day, row_service = _treatment_rows(rng, days, len(catalogue.service_names))
    return History(plan=plan, days=days, row_day=row_day, row_service=row_service)


def _sketch_clients(rng: np.random.Generator, catalogue: Catalogue, n: int) -> _Sketch:
    """Segments in their shares, a favourite category and cadence each, and the span of their visits."""
    counts = {seg: int(share * n) for seg, share in SEGMENT_SHARES.items()}
    counts[REGULAR] = n - sum(counts.values())
    segment = rng.permutation(np.repeat(np.array(list(counts), dtype=np.int64), list(counts.values())))
    usable = np.flatnonzero(catalogue.category_services.counts > 0)
    keys = [catalogue.category_keys[i] for i in usable]
    fav_cat = usable[rng.choice(len(usable), size=n, p=probs(keys, CATEGORY_WEIGHTS, default=0.12))]
    cadence = catalogue.category_interval[fav_cat] * rng.uniform(0.7, 1.8, n)
    ceil_c = np.ceil(cadence).astype(np.int64)

    last = np.zeros(n, dtype=np.int64)
    reg = segment == REGULAR
    last[reg] = -(rng.random(reg.sum()) * cadence[reg]).astype(np.int64)
    od = segment == OVERDUE
    late = np.rint(cadence[od] * rng.uniform(1.15, 1.9, od.sum())).astype(np.int64)
    last[od] = -np.minimum(np.maximum(ceil_c[od] + 1, late), 88)
    away = {LAPSED: (120, 500), PAUSED: (150, 600), ENDED: (200, 900), ONE_OFF: (7, HISTORY_DAYS)}
    for seg, (lo, hi) in away.items():
        mask = segment == seg
        last[mask] = -rng.integers(lo, hi + 1, mask.sum())

    floor_ = -HISTORY_DAYS
    first = np.zeros(n, dtype=np.int64)
    before = last - np.ceil(cadence * 1.3).astype(np.int64)
    ongoing = reg | od
    # The client base grows and churns: recent first visits are more common than old ones.
    start = 7 + ((HISTORY_DAYS - 7) * rng.random(ongoing.sum()) ** 1.5).astype(np.int64)
    first[ongoing] = np.minimum(-start, before[ongoing])
    gone = np.isin(segment, [LAPSED, PAUSED, ENDED])
    room = np.maximum(0, before[gone] - floor_)
    first[gone] = before[gone] - (rng.random(gone.sum()) ** 1.5 * room).astype(np.int64)
    first = np.maximum(first, floor_)
    one = segment == ONE_OFF
    first[one] = last[one]
    never = segment == NEVER
    first[never] = -rng.integers(0, 61, never.sum())  # registration day
    last[never] = first[never]
    return _Sketch(segment=segment, fav_cat=fav_cat, cadence=cadence, last_day=last, earliest=first)


def _spread_visits(rng: np.random.Generator, sketch: _Sketch) -> tuple[IntArr, IntArr]:
    """The visit days (owner, day) of every client: back from the last visit at gaps around the cadence."""
    n = len(sketch.segment)
    visited = sketch.segment != NEVER
    min_gap = np.maximum(1, np.floor(sketch.cadence * 0.8)).astype(np.int64)
    counts = np.where(visited, (sketch.last_day - sketch.earliest) // min_gap + 1, 0).astype(np.int64)
    total = int(counts.sum())
    owner = np.repeat(np.arange(n, dtype=np.int64), counts)
    starts = (np.cumsum(counts) - counts).astype(np.int64)
    pos = np.arange(total, dtype=np.int64) - np.repeat(starts, counts)
    stretch = rng.uniform(0.8, 1.25, total) + (rng.random(total) < 0.15) * rng.uniform(0.5, 2.5, total)
    gap = np.maximum(min_gap[owner], np.rint(sketch.cadence[owner] * stretch).astype(np.int64))
    gap[pos == 0] = 0
    csum = np.cumsum(gap)
    back = csum - np.repeat(csum[starts[counts > 0]], counts[counts > 0])
    day = sketch.last_day[owner] - back
    kept = day >= sketch.earliest[owner]
    return owner[kept], day[kept]


def _allocate_days(
    rng: np.random.Generator, catalogue: Catalogue, plan: ClientPlan, *, client: IntArr, day: IntArr, slot: IntArr
) -> VisitDays:
    """Branch, therapist and service of each visit day: mostly the client's own, sometimes not."""
    nd = len(day)
    same = np.zeros(nd, dtype=bool)
    same[1:] = client[1:] == client[:-1]
    branch = plan.branch[client].copy()
    n_branches = len(catalogue.branch_names)
    if n_branches > 1:
        away = rng.random(nd) < 0.03
        branch[away] = (branch[away] + rng.integers(1, n_branches, away.sum())) % n_branches
    therapist = catalogue.branch_therapists.pick(rng, branch)
    own = (branch == plan.branch[client]) & (rng.random(nd) < 0.8)
    therapist[own] = plan.therapist[client][own]
    u = rng.random(nd)
    in_cat = catalogue.category_services.pick(rng, plan.fav_cat[client])
    anything = rng.integers(0, len(catalogue.service_names), nd)
    service = np.where(u < 0.6, plan.fav_service[client], np.where(u < 0.8, in_cat, anything))
    return VisitDays(
        client=client,
        day=day,
        has_prev=same,
        prev=np.where(same, np.roll(day, 1), day - 10_000),
        slot=slot,
        branch=branch,
        therapist=therapist,
        service=service,
    )


def _treatment_rows(rng: np.random.Generator, days: VisitDays, n_services: int) -> tuple[IntArr, IntArr]:
    """Visits-sheet rows (visit day, service) in date order: ~5 % of days carry a second, different treatment."""
    nd = len(days.day)
    double = np.flatnonzero(rng.random(nd) < 0.05)
    r_day = np.concatenate([np.arange(nd, dtype=np.int64), double])
    r_seq = np.concatenate([np.zeros(nd, dtype=np.int64), np.ones(len(double), dtype=np.int64)])
    second = rng.integers(0, n_services, len(double))
    clash = second == days.service[double]
    second[clash] = (second[clash] + 1) % n_services
    r_service = np.concatenate([days.service, second])
    rows = np.lexsort((r_seq, days.client[r_day], days.day[r_day]))
    return r_day[rows], r_service[rows]
