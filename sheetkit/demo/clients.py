"""The clients sheet: who each client is, their skin and health, consent, referrals and membership.

:func:`make_clients` draws the sheet section by section and ends with the pass that
leaves cells blank the way a busy front desk does. The sections run in a fixed order:
reordering them changes every value drawn after the move. Free text comes from the
locale's :mod:`.words`; the patch-test columns repeat each client's latest test of the
PatchTests sheet.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from sheetkit.demo.catalogue import Catalogue
from sheetkit.demo.columns import BoolArr, DateArr, FloatArr, ObjArr, days, keep, objects, present, sheet_frame
from sheetkit.demo.draw import Draw
from sheetkit.demo.history import ClientPlan
from sheetkit.demo.people import birth_dates, emails, full_names, phones
from sheetkit.demo.tables import (
    BALANCE_BY_SKIN,
    CHANNELS,
    CONCERNS,
    CONTRAINDICATIONS,
    ENDED,
    GENDERS,
    MARKETING,
    PAUSED,
    POOL,
    PRESSURE,
    REFERRALS,
    SEGMENT_STATUS,
    SKIN_TONES,
    SKIN_TYPES,
    TIERS,
)

Columns = dict[str, Any]


def make_clients(
    draw: Draw,
    catalogue: Catalogue,
    plan: ClientPlan,
    client_ids: ObjArr,
    *,
    member: BoolArr,
    points_by_client: FloatArr,
    latest_patch: tuple[DateArr, ObjArr],
) -> pd.DataFrame:
    """The clients sheet, one row per client of ``plan``, in client-ID order.

    ``latest_patch``: each client's latest patch test (date, NaT if none; result).
    """
    n = len(client_ids)
    status = np.full(n, "active", dtype=object)
    for seg, key in SEGMENT_STATUS.items():
        status[plan.segment == seg] = key
    cols: Columns = {
        "client_id": client_ids,
        "branch": catalogue.branch_names[plan.branch],
        "assigned_therapist": catalogue.therapist_names[plan.therapist],
        "client_status": status,
        "first_visit_date": days(draw.as_of, plan.first_day, plan.visited),
    }
    cols |= _identity(draw, n)
    cols |= _contacts(draw, n)
    cols |= _skin(draw, n)
    cols |= _health(draw, cols["gender"])
    cols |= {"patch_test_date": latest_patch[0], "patch_test_result": latest_patch[1]}
    cols |= _consent(draw, plan)
    cols |= _referrals(draw, client_ids)
    cols |= _membership(draw, catalogue, member, points_by_client, status)
    cols |= _notes(draw, plan)
    cols |= _fill_sometimes(draw, catalogue, plan, cols)
    return sheet_frame(draw.template.sheet("clients"), cols, n)


def _identity(draw: Draw, n: int) -> Columns:
    """Gender, name, birthday, phone and e-mail; pools of addresses and jobs to sample from later."""
    gender = draw.pick("gender", GENDERS, n)
    names = full_names(draw, gender)
    birth, birth_month_day = birth_dates(draw, n)
    phone = phones(draw, n)
    size = min(n, POOL)
    email = emails(draw, n)
    addresses = objects([a.replace("\n", ", ") for a in draw.pool(draw.fake.address, size)])
    jobs = objects(draw.words.occupations)
    return {
        "gender": gender,
        "full_name": names,
        "birth_date": birth,
        "birth_month_day": birth_month_day,
        "phone": phone,
        "email": email,
        "address_pool": addresses,
        "occupation_pool": jobs,
    }


def _contacts(draw: Draw, n: int) -> Columns:
    """The preferred channel (by the locale's habits) and an emergency contact for 60 %."""
    channel = draw.pick("channel", draw.flavour(CHANNELS), n)
    if "none" in draw.choice_keys("channel"):
        channel[draw.rng.random(n) < 0.02] = "none"
    has_emergency = draw.rng.random(n) < 0.6
    return {
        "preferred_channel": channel,
        "emergency_contact_name": keep(full_names(draw, draw.pick("gender", GENDERS, n)), has_emergency),
        "emergency_contact_phone": keep(phones(draw, n), has_emergency),
    }


def _skin(draw: Draw, n: int) -> Columns:
    """Skin type, tone (by the locale), sensitivity, oil/water balance and skin-analyzer notes."""
    rng = draw.rng
    skin = draw.pick("skin_type", SKIN_TYPES, n)
    tone_weights = dict(zip(draw.choice_keys("skin_tone"), draw.flavour(SKIN_TONES), strict=False))
    tone = draw.pick("skin_tone", tone_weights, n)
    sensitivity = np.where(
        skin == "sensitive",
        draw.pick("sensitivity_level", {"medium": 0.3, "high": 0.7}, n),
        draw.pick("sensitivity_level", {"low": 0.45, "medium": 0.4, "high": 0.15}, n),
    )
    options = (BALANCE_BY_SKIN.get(str(k), ("balanced",)) for k in skin)
    balance = objects([opts[int(u * len(opts))] for opts, u in zip(options, rng.random(n), strict=True)])
    analyzer = [
        draw.words.analyzer.format(moisture=m, sebum=sb, finding=uv) if here else None
        for m, sb, uv, here in zip(
            rng.integers(22, 61, n),
            rng.integers(15, 71, n),
            draw.bank(draw.words.uv_findings, n),
            rng.random(n) < 0.55,
            strict=True,
        )
    ]
    return {
        "skin_type": skin,
        "skin_tone": tone,
        "sensitivity": sensitivity,
        "oil_water_balance": keep(balance, np.isin(balance, draw.choice_keys("oil_water_balance"))),
        "analyzer_notes": objects(analyzer),
    }


def _health(draw: Draw, gender: ObjArr) -> Columns:
    """Allergies (mostly "none"), contraindications (pregnancy only for women) and skin concerns."""
    rng, n = draw.rng, len(gender)
    allergy_u = rng.random(n)
    allergies = keep(draw.bank(draw.words.allergies, n), allergy_u < 0.75)
    allergies[allergy_u < 0.55] = draw.labels.message("allergies_none")
    how_many = 1 + (rng.random(n) < 0.2).astype(np.int64)
    contra = draw.multi("contraindication", CONTRAINDICATIONS, rng.random(n) < 0.1, how_many)
    not_female = (gender != "female") & present(contra)
    if not_female.any():
        female_only = ("pregnant", "breastfeeding")
        others = {k: v for k, v in CONTRAINDICATIONS.items() if k not in female_only}
        everyone = np.ones(int(not_female.sum()), dtype=bool)
        contra[not_female] = draw.multi("contraindication", others, everyone, how_many[not_female])
    return {
        "allergies": allergies,
        "contraindications": contra,
        "skin_concerns": draw.multi("skin_concern", CONCERNS, rng.random(n) < 0.85, rng.integers(1, 4, n)),
    }


def _consent(draw: Draw, plan: ClientPlan) -> Columns:
    """Records consent (dated at or just before the first visit) and marketing opt-in.

    The Consents sheet (:mod:`.consents`) is drawn from these, so the two agree.
    """
    rng, n, as_of = draw.rng, len(plan.segment), draw.as_of
    consent = objects([True if u < 0.9 else False if u < 0.95 else None for u in rng.random(n)])
    consent_day = np.minimum(plan.first_day - (rng.random(n) < 0.3) * rng.integers(1, 4, n), 0)
    return {
        "records_consent": consent,
        "consent_date": days(as_of, consent_day, np.array([x is True for x in consent], dtype=bool)),
        "marketing_opt_in": draw.sometimes(draw.pick("marketing_opt_in", MARKETING, n), 0.92),
    }


def _referrals(draw: Draw, client_ids: ObjArr) -> Columns:
    """How clients found the salon; 10 % were referred by an earlier client (source "friend")."""
    rng, n = draw.rng, len(client_ids)
    referred = np.full(n, None, dtype=object)
    ref_mask = (rng.random(n) < 0.1) & (np.arange(n) > 0)
    earlier = (rng.random(n) * np.arange(n)).astype(np.int64)
    referred[ref_mask] = client_ids[earlier[ref_mask]]
    source = draw.sometimes(draw.pick("referral_source", REFERRALS, n), 0.88)
    source[ref_mask] = "friend"
    return {"referred_by": referred, "referral_source": source}


def _membership(
    draw: Draw, catalogue: Catalogue, member: BoolArr, points_by_client: FloatArr, status: ObjArr
) -> Columns:
    """Membership tier of most ``member`` clients, prepaid card balance and loyalty points still unspent."""
    rng, n = draw.rng, len(member)
    member = member & (rng.random(n) < 0.9)
    tier = np.where(member, draw.pick("membership_tier", TIERS, n), "none")
    balance_amount = np.round(catalogue.price_scale * rng.uniform(0.5, 8.0, n))
    card_balance = np.where(
        (member & (rng.random(n) < 0.65) & (status != "relationship_ended")) | (rng.random(n) < 0.02),
        balance_amount,
        0.0,
    )
    loyalty = np.floor(points_by_client * rng.uniform(0.1, 1.0, n)).astype(np.int64)
    return {"membership_tier": tier, "card_balance": card_balance, "loyalty_points": loyalty}


def _notes(draw: Draw, plan: ClientPlan) -> Columns:
    """Front-desk notes (why a client paused or left, for most of them) and a lifestyle line to keep for some."""
    rng, n = draw.rng, len(plan.segment)
    words = draw.words
    notes = draw.bank(words.notes, n, 0.08)
    for seg, texts in ((PAUSED, words.paused_notes), (ENDED, words.ended_notes)):
        mask = (plan.segment == seg) & (rng.random(n) < 0.6)
        notes[mask] = draw.bank(texts, int(mask.sum()))
    lifestyle = [
        words.lifestyle_join.join(part[int(u * len(part))] for part, u in zip(words.lifestyle, row, strict=True))
        for row in rng.random((n, len(words.lifestyle)))
    ]
    return {"notes": notes, "lifestyle": objects(lifestyle)}


def _fill_sometimes(draw: Draw, catalogue: Catalogue, plan: ClientPlan, cols: Columns) -> Columns:
    """The last pass: blanks where staff skip a field, and the optional preferences filled in for a few."""
    n = len(plan.segment)
    addresses, jobs = cols.pop("address_pool"), cols.pop("occupation_pool")
    return {
        "gender": draw.sometimes(cols["gender"], 0.97),
        "phone": draw.sometimes(cols["phone"], 0.97),
        "email": draw.sometimes(cols["email"], 0.8),
        "address": draw.sometimes(addresses[draw.rng.integers(0, len(addresses), n)], 0.8),
        "occupation": draw.sometimes(jobs[draw.rng.integers(0, len(jobs), n)], 0.6),
        "preferred_channel": draw.sometimes(cols["preferred_channel"], 0.95),
        "skin_type": draw.sometimes(cols["skin_type"], 0.9),
        "skin_tone": draw.sometimes(cols["skin_tone"], 0.85),
        "sensitivity": draw.sometimes(cols["sensitivity"], 0.85),
        "oil_water_balance": draw.sometimes(cols["oil_water_balance"], 0.8),
        "medications": draw.bank(draw.words.medications, n, 0.15),
        "liked_treatments": draw.sometimes(catalogue.service_names[plan.fav_service], 0.3),
        "disliked_ingredients": draw.bank(draw.words.disliked, n, 0.15),
        "pressure_preference": draw.sometimes(draw.pick("pressure", PRESSURE, n), 0.55),
        "room_music_notes": draw.bank(draw.words.room_music, n, 0.2),
        "lifestyle": draw.sometimes(cols["lifestyle"], 0.3),
    }
