"""People as the locale writes them: full names, birth dates, phone numbers and e-mail addresses.

Faker values are drawn once into pools (at most :data:`~sheetkit.demo.tables.POOL`
values) and then sampled with the numpy generator, which keeps large demos fast.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math

import numpy as np

from sheetkit.demo.columns import ObjArr, objects
from sheetkit.demo.draw import Draw
from sheetkit.demo.tables import FAMILY_FIRST, POOL


def full_names(draw: Draw, gender: ObjArr) -> ObjArr:
    """A full name per ``gender``, in the locale's order (family name first in Chinese and Vietnamese)."""
    rng, fake, n = draw.rng, draw.fake, len(gender)
    size = min(max(n, 50), POOL // 2)
    female = objects(draw.pool(fake.first_name_female, size))
    male = objects(draw.pool(fake.first_name_male, size))
    last = objects(draw.pool(fake.last_name, size))
    is_female = (gender == "female") | ((gender != "male") & (rng.random(n) < 0.5))
    first = np.where(is_female, female[rng.integers(0, size, n)], male[rng.integers(0, size, n)])
    family = last[rng.integers(0, size, n)]
    sep = FAMILY_FIRST.get(draw.lang)
    if sep is None:
        return objects([f"{a} {b}" for a, b in zip(first, family, strict=True)])
    if draw.lang == "vi":
        pool = draw.pool(fake.middle_name, min(size, 200))
        middle = objects([m for m in pool if m != "Thị"] or ["Văn"])
        thi = is_female & (rng.random(n) < 0.5)
        mid = np.where(thi, "Thị", middle[rng.integers(0, len(middle), n)])
        return objects([f"{b} {m} {a}" for a, m, b in zip(first, mid, family, strict=True)])
    return objects([f"{b}{sep}{a}" for a, b in zip(first, family, strict=True)])


def birth_dates(draw: Draw, n: int) -> tuple[ObjArr, ObjArr]:
    """Birthdays of adults (18-76): (full dates, "MM-DD" of every known birthday).

    Mostly full dates; some clients give only the day and month (no full date), a few
    nothing; two are born on 29 February (one with, one without the year).
    """
    rng, as_of = draw.rng, draw.as_of
    top = as_of.toordinal() - math.ceil(18 * 365.25)
    bottom = as_of.toordinal() - math.floor(76 * 365.25) + 1
    ordinals = rng.integers(bottom, top + 1, n)
    kind = rng.random(n)
    full: list[dt.date | None] = []
    month_day: list[str | None] = []
    for o, k in zip(ordinals, kind, strict=True):
        born = dt.date.fromordinal(int(o))
        full.append(born if k < 0.83 else None)
        month_day.append(born.strftime("%m-%d") if k < 0.95 else None)
    if n >= 20:
        leap = [y for y in range(as_of.year - 75, as_of.year - 18) if calendar.isleap(y)]
        picks = rng.choice(n, size=2, replace=False)
        full[int(picks[0])] = dt.date(int(rng.choice(leap)), 2, 29)
        full[int(picks[1])] = None
        month_day[int(picks[0])] = month_day[int(picks[1])] = "02-29"
    return objects(full), objects(month_day)


def phones(draw: Draw, n: int) -> ObjArr:
    """Phones as the locale writes them; the last four digits are random, so they rarely repeat."""
    make = getattr(draw.fake, "cellphone_number", draw.fake.phone_number)
    pool = draw.pool(make, min(n, POOL))
    picks = draw.rng.integers(0, len(pool), n)
    digits = draw.rng.integers(0, 10, (n, 4))
    spaced = draw.rng.random(n) < 0.15
    out: list[str] = []
    for p, ds, sp in zip(picks, digits, spaced, strict=True):
        chars = list(pool[p])
        where = [i for i, ch in enumerate(chars) if ch.isdigit()][-4:]
        for i, dgt in zip(where, ds, strict=False):
            chars[i] = str(dgt)
        phone = "".join(chars)
        if sp and phone.isdigit() and len(phone) >= 10:
            phone = f"{phone[:3]} {phone[3:-4]} {phone[-4:]}"
        out.append(phone)
    return objects(out)


def emails(draw: Draw, n: int) -> ObjArr:
    """Distinct e-mail addresses at free mail domains of the locale."""
    users = draw.pool(draw.fake.user_name, min(n, POOL))
    domains = draw.pool(draw.fake.free_email_domain, 12)
    picks = draw.rng.integers(0, len(users), n)
    dom = draw.rng.integers(0, len(domains), n)
    extra = draw.rng.integers(1, 100, n)
    seen: set[str] = set()
    out: list[str] = []
    for u, d, x in zip(picks, dom, extra, strict=True):
        email = f"{users[u]}@{domains[d]}"
        bump = int(x)
        while email in seen:
            email = f"{users[u]}{bump}@{domains[d]}"
            bump += 100
        seen.add(email)
        out.append(email)
    return objects(out)
