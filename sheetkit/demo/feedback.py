"""The feedback sheet: praise, suggestions and complaints after visits, who owns each, and what was done.

About one entry per three clients, a few days after a visit; complaints mostly go to the
manager, and at least one complaint is still open.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sheetkit.demo.catalogue import Catalogue
from sheetkit.demo.columns import ObjArr, days, ids, nones, objects, sheet_frame
from sheetkit.demo.draw import Draw
from sheetkit.demo.tables import FEEDBACK_CHANNELS, FEEDBACK_KINDS
from sheetkit.demo.visits import Visits


def make_feedback(draw: Draw, catalogue: Catalogue, visits: Visits, client_ids: ObjArr) -> pd.DataFrame:
    """The feedback sheet, in date order; nothing lies after ``as_of``."""
    rng = draw.rng
    nv = len(visits.day)
    m = round(0.3 * len(client_ids)) if nv else 0
    rows = rng.integers(0, max(nv, 1), m)
    when = np.minimum(visits.day[rows] + rng.integers(0, 4, m), 0) if m else np.zeros(0, np.int64)
    order = np.argsort(when, kind="stable")
    rows, when = rows[order], when[order]
    kind = draw.pick("feedback_kind", FEEDBACK_KINDS, m)
    therapist = catalogue.therapist_names[visits.therapist[rows]] if m else nones(0)
    to_manager = np.where(kind == "complaint", rng.random(m) < 0.75, rng.random(m) < 0.4)
    words = draw.words
    owner = np.where(to_manager, words.manager, therapist)
    conditions = [kind == "praise", kind == "suggestion", when < -30]
    resolved = rng.random(m) < np.select(conditions, [0.95, 0.7, 0.85], default=0.35)
    complaints = np.flatnonzero(kind == "complaint")
    if len(complaints) and resolved[complaints].all():
        resolved[complaints[-1]] = False
    texts: list[str] = []
    resolutions: list[str | None] = []
    for k, th, done, u, v in zip(kind, therapist, resolved, rng.random(m), rng.random(m), strict=True):
        bank = words.feedback.get(str(k), words.feedback["suggestion"])
        texts.append(bank[int(u * len(bank))].format(therapist=th))
        res = words.resolutions.get(str(k), words.resolutions["suggestion"])
        resolutions.append(res[int(v * len(res))].format(therapist=th) if done else None)
    data = {
        "feedback_id": objects(ids("F", m, 4)),
        "date": days(draw.as_of, when),
        "client_id": draw.sometimes(client_ids[visits.client[rows]] if m else nones(0), 0.92),
        "kind": kind,
        "channel": draw.pick("feedback_channel", FEEDBACK_CHANNELS, m),
        "text": objects(texts),
        "owner": owner,
        "resolved": resolved,
        "resolution": objects(resolutions),
    }
    return sheet_frame(draw.template.sheet("feedback"), data, m)
