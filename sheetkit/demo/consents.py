"""The consents sheet: each client's consent history, agreeing with the Clients sheet's quick view.

The latest entry per client and purpose is what counts. It agrees with the Clients
columns: ``records_consent`` yes is a records consent granted on ``consent_date``, no is
a records consent withdrawn (some granted first); ``marketing_opt_in`` subscribed is a
marketing consent granted (some withdrew once and gave it again), unsubscribed is one
withdrawn; an unknown value has no entry. Clients who consented to their records often
also consented to health data and photos; a few withdrew the photos later.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sheetkit.demo.columns import IntArr, ObjArr, days, ids, objects, sheet_frame
from sheetkit.demo.draw import Draw
from sheetkit.demo.history import ClientPlan
from sheetkit.demo.tables import CONSENT_HEALTH, CONSENT_PHOTOS, CONSENT_REGRANTED

#: One history per client and purpose: the decisions in date order.
GRANTED, WITHDRAWN = "granted", "withdrawn"


def make_consents(draw: Draw, plan: ClientPlan, clients: pd.DataFrame) -> pd.DataFrame:
    """The consents sheet of ``clients`` (as made by :func:`.clients.make_clients`), in date order."""
    rng, n = draw.rng, len(clients)
    as_of = pd.Timestamp(draw.as_of)
    records = clients["records_consent"]
    consented = records.eq(True).fillna(False).to_numpy(dtype=bool)
    refused = records.eq(False).fillna(False).to_numpy(dtype=bool)
    consent_day = ((clients["consent_date"] - as_of).dt.days.fillna(0)).to_numpy(dtype=np.int64)
    start = np.where(consented, consent_day, np.minimum(plan.first_day, 0))
    marketing = clients["marketing_opt_in"].to_numpy(dtype=object)
    # Each history: (clients, purpose, decisions); dates are spread strictly after ``start``.
    later = rng.random(n) < 0.5
    regranted = rng.random(n) < CONSENT_REGRANTED
    photos = consented & (rng.random(n) < CONSENT_PHOTOS)
    photos_withdrawn = photos & (rng.random(n) < 0.1)
    histories: list[tuple[IntArr, str, tuple[str, ...]]] = [
        (np.flatnonzero(consented), "records", (GRANTED,)),
        (np.flatnonzero(refused & later), "records", (GRANTED, WITHDRAWN)),
        (np.flatnonzero(refused & ~later), "records", (WITHDRAWN,)),
        (np.flatnonzero(consented & (rng.random(n) < CONSENT_HEALTH)), "health_data", (GRANTED,)),
        (np.flatnonzero(photos & ~photos_withdrawn), "photos", (GRANTED,)),
        (np.flatnonzero(photos_withdrawn), "photos", (GRANTED, WITHDRAWN)),
        (np.flatnonzero((marketing == "subscribed") & ~regranted), "marketing", (GRANTED,)),
        (np.flatnonzero((marketing == "subscribed") & regranted), "marketing", (GRANTED, WITHDRAWN, GRANTED)),
        (np.flatnonzero((marketing == "unsubscribed") & later), "marketing", (GRANTED, WITHDRAWN)),
        (np.flatnonzero((marketing == "unsubscribed") & ~later), "marketing", (WITHDRAWN,)),
    ]
    client_parts: list[IntArr] = []
    day_parts: list[IntArr] = []
    purpose_parts: list[ObjArr] = []
    decision_parts: list[ObjArr] = []
    for who, purpose, decisions in histories:
        when = _spread(rng, start[who], len(decisions))
        for step, decision in enumerate(decisions):
            client_parts.append(who)
            day_parts.append(when[:, step])
            purpose_parts.append(np.full(len(who), purpose, dtype=object))
            decision_parts.append(np.full(len(who), decision, dtype=object))
    client = np.concatenate(client_parts)
    day = np.concatenate(day_parts)
    order = np.lexsort((client, day))
    client, day = client[order], day[order]
    m = len(order)
    dates = days(draw.as_of, day)
    years = dates.astype("datetime64[Y]").astype(np.int64) + 1970
    versions = objects([draw.words.form_version.format(year=int(y)) for y in years])
    data = {
        "consent_id": objects(ids("CS", m, 5)),
        "client_id": clients["client_id"].to_numpy(dtype=object)[client],
        "purpose": np.concatenate(purpose_parts)[order],
        "decision": np.concatenate(decision_parts)[order],
        "date": dates,
        "form_version": draw.sometimes(versions, 0.9),
    }
    return sheet_frame(draw.template.sheet("consents"), data, m)


def _spread(rng: np.random.Generator, start: IntArr, steps: int) -> IntArr:
    """``steps`` strictly increasing days from ``start`` (the first) up to ``as_of`` (day 0), one row per start.

    A history that has no room for its steps is squeezed into the last days before
    ``as_of``, a day apart.
    """
    first = np.minimum(start, -(steps - 1))
    out = np.empty((len(start), steps), dtype=np.int64)
    out[:, 0] = first
    for step in range(1, steps):
        room = -out[:, step - 1] - (steps - 1 - step)  # days left, keeping one for each later step
        out[:, step] = out[:, step - 1] + 1 + (rng.random(len(start)) * np.maximum(room - 1, 0)).astype(np.int64)
    return out
