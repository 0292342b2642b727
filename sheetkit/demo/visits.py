"""The visits sheet: one row per treatment, with products, reactions, ratings, payment and what comes next.

Also who holds a membership, because members pay by membership card more often and
the clients sheet gives them a tier.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sheetkit.demo.catalogue import Catalogue
from sheetkit.demo.columns import BoolArr, FloatArr, IntArr, ObjArr, days, ids, nones, objects, sheet_frame
from sheetkit.demo.draw import Draw
from sheetkit.demo.history import History
from sheetkit.demo.tables import RATINGS, REACTIONS


@dataclass(frozen=True)
class Visits:
    """The visits sheet and, per row, what the feedback and clients sheets draw on."""

    frame: pd.DataFrame
    day: IntArr
    client: IntArr
    therapist: IntArr
    service: IntArr
    #: Loyalty points each client earned over all their visits.
    points_by_client: FloatArr


def member_flags(rng: np.random.Generator, history: History) -> BoolArr:
    """Who holds a membership: more likely the more often a client came."""
    n = len(history.plan.segment)
    visits = np.bincount(history.days.client, minlength=n)
    p_member = 0.08 + 0.5 * np.minimum(1.0, visits / 25)
    flags: BoolArr = rng.random(n) < p_member
    return flags


def make_visits(draw: Draw, catalogue: Catalogue, history: History, client_ids: ObjArr, member: BoolArr) -> Visits:
    """The visits sheet of ``history``, one row per treatment, in date order."""
    rng, plan, vd = draw.rng, history.plan, history.days
    d, s = history.row_day, history.row_service
    nv = len(d)
    c = vd.client[d]
    cat = catalogue.service_cat[s]
    products: ObjArr = nones(nv)
    for i, key in enumerate(catalogue.category_keys):
        mask = cat == i
        bank = draw.words.products.get(key, draw.words.generic_products)
        products[mask] = draw.bank(bank, int(mask.sum()))
    products = draw.sometimes(products, 0.75)
    reaction = draw.pick("skin_reaction", REACTIONS, nv, default=0.005)
    price = catalogue.service_price[s]
    discount = np.where(rng.random(nv) < 0.15, rng.choice([0.1, 0.15, 0.2], nv), 0.0)
    amount = np.round(price * (1 - discount), 2)
    pay = rng.choice(len(catalogue.pay_names), size=nv, p=catalogue.pay_probs)
    if catalogue.card_method is not None:
        pay = np.where(member[c] & (rng.random(nv) < 0.5), catalogue.card_method, pay)
    points = np.floor(amount / catalogue.point_unit).astype(np.int64)
    nxt = np.where(rng.random(nv) < 0.6, plan.fav_service[c], s)
    due = vd.day[d] + np.rint(plan.cadence[c]).astype(np.int64)
    v_days = vd.day[d]
    v_therapist = vd.therapist[d]
    data = {
        "visit_id": objects(ids("V", nv, 6)),
        "client_id": client_ids[c],
        "visit_date": days(draw.as_of, v_days),
        "branch": catalogue.branch_names[vd.branch[d]],
        "therapist": catalogue.therapist_names[v_therapist],
        "service": catalogue.service_names[s],
        "products_used": products,
        "skin_reaction": draw.sometimes(reaction, 0.95),
        "result_notes": draw.bank(draw.words.result_notes, nv, 0.45),
        "effect_rating": rng.choice(np.arange(1, 6), size=nv, p=RATINGS),
        "satisfaction": rng.choice(np.arange(1, 6), size=nv, p=RATINGS),
        "amount_paid": amount,
        "payment_method": catalogue.pay_names[pay],
        "points_earned": points,
        "next_recommended_service": draw.sometimes(catalogue.service_names[nxt], 0.85),
        "next_visit_due": days(draw.as_of, due, rng.random(nv) < 0.9),
    }
    return Visits(
        frame=sheet_frame(draw.template.sheet("visits"), data, nv),
        day=v_days,
        client=c,
        therapist=v_therapist,
        service=s,
        points_by_client=np.bincount(c, weights=points, minlength=len(plan.segment)).astype(np.float64),
    )
