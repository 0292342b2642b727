"""Synthetic demo data: a realistic salon / skin-care centre, in any locale of the template.

:func:`generate_demo` returns canonical frames (see :mod:`sheetkit.frames`) that are
deterministic for a given seed and ``as_of`` date, so that docs, tests and benchmarks
can build, read and report on the same workbook every time.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import pandas as pd
from faker import Faker

from sheetkit.errors import UsageError
from sheetkit.frames import WorkbookData
from sheetkit.template import MULTICHOICE_SEPARATOR, Labels, Sheet, Template, load_template
from sheetkit.template.defaults import default_lists, default_settings

__all__ = ["generate_demo", "write_demo"]

IntArr = npt.NDArray[np.int64]
FloatArr = npt.NDArray[np.float64]
BoolArr = npt.NDArray[np.bool_]
ObjArr = npt.NDArray[np.object_]

#: Days of history: the oldest first visit lies about three years before ``as_of``.
HISTORY_DAYS: Final = 1095
#: Faker values are drawn once into pools of at most this size, then sampled.
POOL: Final = 2000
#: Appointment slots: 09:00 to 19:30 on the half hour, in minutes after midnight.
SLOTS: Final = np.arange(9 * 60, 19 * 60 + 31, 30, dtype=np.int64)
DAY_MIN: Final = 24 * 60

# Client segments: what the client's visit history looks like.
NEVER, ONE_OFF, REGULAR, OVERDUE, LAPSED, PAUSED, ENDED = range(7)
SEGMENT_SHARES: Final = {NEVER: 0.07, ONE_OFF: 0.08, OVERDUE: 0.08, LAPSED: 0.14, PAUSED: 0.05, ENDED: 0.10}
SEGMENT_STATUS: Final = {PAUSED: "paused", ENDED: "relationship_ended"}

# ------------------------------------------------------------------ flavour by language
CHANNELS: Final[Mapping[str, Mapping[str, float]]] = {
    "zh": {"wechat": 0.6, "phone": 0.25, "sms": 0.15},
    "vi": {"zalo": 0.6, "phone": 0.25, "sms": 0.15},
    "it": {"whatsapp": 0.55, "phone": 0.3, "email": 0.15},
    "en": {"sms": 0.35, "email": 0.3, "phone": 0.2, "whatsapp": 0.15},
}
SKIN_TONES: Final[Mapping[str, Sequence[float]]] = {
    "zh": (0.02, 0.15, 0.45, 0.33, 0.05, 0.0),
    "vi": (0.01, 0.08, 0.35, 0.4, 0.15, 0.01),
    "it": (0.05, 0.25, 0.4, 0.2, 0.07, 0.03),
    "en": (0.15, 0.35, 0.25, 0.12, 0.08, 0.05),
}
PAYMENTS: Final[Mapping[str, Mapping[str, float]]] = {
    "zh": {"cash": 0.05, "card": 0.1, "membership_card": 0.2, "mobile_wallet": 0.6, "bank_transfer": 0.05},
    "vi": {"cash": 0.35, "card": 0.1, "membership_card": 0.1, "mobile_wallet": 0.35, "bank_transfer": 0.1},
    "it": {"cash": 0.3, "card": 0.45, "membership_card": 0.1, "mobile_wallet": 0.1, "bank_transfer": 0.05},
    "en": {"cash": 0.15, "card": 0.55, "membership_card": 0.1, "mobile_wallet": 0.15, "bank_transfer": 0.05},
}
MANAGER: Final = {"zh": "店长", "vi": "Quản lý", "it": "Responsabile", "en": "Manager"}
#: Languages that write the family name first (separator between family and given name).
FAMILY_FIRST: Final = {"zh": "", "ja": "", "ko": "", "vi": " ", "hu": " "}

CATEGORY_WEIGHTS: Final = {"facial": 0.34, "peel": 0.12, "massage": 0.2, "body": 0.08, "hair_removal": 0.14}
GENDERS: Final = {"female": 0.78, "male": 0.18, "other": 0.01, "undisclosed": 0.03}
SKIN_TYPES: Final = {"dry": 0.2, "oily": 0.18, "combination": 0.32, "normal": 0.15, "sensitive": 0.15}
CONCERNS: Final = {
    "acne": 0.14,
    "pigmentation": 0.18,
    "wrinkles": 0.16,
    "redness": 0.1,
    "enlarged_pores": 0.12,
    "dehydration": 0.15,
    "dullness": 0.1,
    "scarring": 0.05,
}
BALANCE_BY_SKIN: Final = {
    "dry": ("dry", "dry_dehydrated"),
    "oily": ("oily", "oily_dehydrated"),
    "combination": ("oily_dehydrated", "balanced"),
    "normal": ("balanced",),
    "sensitive": ("dry_dehydrated", "balanced"),
}
REACTIONS: Final = {
    "none": 0.88,
    "mild_redness": 0.06,
    "redness": 0.02,
    "irritation": 0.02,
    "breakout": 0.015,
}
CONTRAINDICATIONS: Final = {
    "pregnant": 0.25,
    "breastfeeding": 0.15,
    "post_surgery": 0.15,
    "recent_peel_laser": 0.2,
    "isotretinoin": 0.1,
    "other": 0.15,
}
REFERRALS: Final = {
    "walk_in": 0.2,
    "friend": 0.25,
    "social_media": 0.25,
    "search": 0.12,
    "advertising": 0.06,
    "event": 0.05,
    "other": 0.02,
}
MARKETING: Final = {"subscribed": 0.55, "unsubscribed": 0.2, "unknown": 0.25}
PRESSURE: Final = {"light": 0.3, "medium": 0.5, "firm": 0.2}
TIERS: Final = {"silver": 0.5, "gold": 0.35, "platinum": 0.15}
FEEDBACK_KINDS: Final = {"praise": 0.55, "suggestion": 0.3, "complaint": 0.15}
FEEDBACK_CHANNELS: Final = {
    "in_person": 0.35,
    "phone": 0.1,
    "survey": 0.25,
    "online_review": 0.2,
    "message": 0.1,
}
RATINGS: Final = (0.01, 0.03, 0.08, 0.38, 0.5)

# ------------------------------------------------------------------ free-text banks (English)
PRODUCTS: Final[Mapping[str, Sequence[str]]] = {
    "facial": (
        "Gentle cleanser; hyaluronic serum",
        "Enzyme exfoliant; hydrating mask",
        "Vitamin C serum; SPF 50",
        "Clay mask; niacinamide toner",
        "Peptide serum; barrier cream",
        "Cleansing oil; sheet mask",
    ),
    "peel": (
        "Glycolic acid 30%; neutraliser; SPF 50",
        "Lactic acid 40%; soothing gel",
        "Mandelic acid 25%; ceramide cream",
        "Salicylic acid 20%; calming mask",
        "Diamond tip; hydrating serum",
    ),
    "massage": ("Sweet almond oil", "Lavender massage oil", "Basalt stones; jojoba oil", "Unscented balm"),
    "body": ("Sea salt scrub; body butter", "Coffee scrub; shea lotion", "Sugar scrub; aloe gel"),
    "hair_removal": ("Hot wax; tea tree lotion", "Strip wax; azulene oil", "Sugaring paste; cooling gel"),
    "lash_brow": ("Lift lotion; keratin serum", "Brow tint (dark brown)", "Lash tint; nourishing oil"),
}
GENERIC_PRODUCTS: Final = ("House cleanser; moisturiser", "Soothing gel", "SPF 50")
RESULT_NOTES: Final = (
    "Skin visibly brighter.",
    "Good hydration; advised SPF daily.",
    "Pores cleaner; slight redness settled within the hour.",
    "Client relaxed; shoulder tension reduced.",
    "Pigmentation a little lighter than last session.",
    "Advised a gentle cleanser and no exfoliation for 3 days.",
    "Even result; recommended the next session.",
    "Texture smoother; continue the home-care routine.",
    "Mild dryness on cheeks; recommended a barrier cream.",
)
UV_FINDINGS: Final = (
    "UV camera: mild pigmentation on cheeks",
    "UV camera: sun damage on forehead",
    "enlarged pores on the T-zone",
    "fine lines around the eyes",
    "redness on nose and cheeks",
    "even tone, no major findings",
    "dehydration lines on cheeks",
    "comedones on chin",
)
ALLERGIES: Final = (
    "nuts",
    "latex",
    "fragrance",
    "salicylic acid",
    "lanolin",
    "nickel",
    "propolis",
    "penicillin",
    "glycolic acid",
    "parabens",
    "tea tree oil",
)
MEDICATIONS: Final = (
    "Oral contraceptive",
    "Levothyroxine",
    "Antihistamines (seasonal)",
    "Topical retinoid",
    "Warfarin",
    "Metformin",
    "Ibuprofen as needed",
    "Topical steroid cream",
)
DISLIKED: Final = ("Fragrance", "Alcohol-based toners", "Essential oils", "Retinol", "Coconut oil", "Menthol")
ROOM_MUSIC: Final = (
    "Warm room, dim lights",
    "Quiet room, no music",
    "Soft piano music",
    "Nature sounds, extra blanket",
    "Cool room, light jazz",
    "Room by the window",
)
LIFESTYLE: Final = (
    ("Sleeps 6 h", "Sleeps 7-8 h", "Poor sleep", "Shift work"),
    ("non-smoker", "non-smoker", "non-smoker", "smoker", "ex-smoker"),
    ("balanced diet", "vegetarian", "lots of coffee", "drinks little water"),
    ("runs twice a week", "yoga weekly", "gym 3x a week", "little exercise"),
    ("low stress", "high work stress", "moderate stress"),
)
NOTES: Final = (
    "Prefers morning appointments.",
    "Ask about her sunscreen routine.",
    "Offer tea on arrival.",
    "Usually 10 minutes late.",
    "Wants reminders two days before.",
    "A relative is also a client.",
    "Sensitive to strong smells.",
    "Prefers the same room each time.",
    "Interested in a membership.",
)
STATUS_NOTES: Final = {
    PAUSED: ("Pausing treatments during pregnancy.", "Abroad for several months.", "Paused: health."),
    ENDED: (
        "Moved away.",
        "Declined further contact after the follow-up call.",
        "Switched to another salon.",
        "Asked to end the relationship.",
    ),
}
CANCEL_REASONS: Final = (
    "Client unwell",
    "Work commitment",
    "Rescheduled by client",
    "Therapist unavailable",
    "Travelling",
    "Family emergency",
    "Called to cancel, no reason given",
)
APPOINTMENT_NOTES: Final = (
    "First visit: arrive 10 min early",
    "Requested the same room",
    "Gift voucher",
    "Patch test needed before treatment",
    "Reminder sent",
)
FEEDBACK_TEXT: Final[Mapping[str, Sequence[str]]] = {
    "praise": (
        "Lovely treatment, my skin feels amazing.",
        "{therapist} was gentle and very professional.",
        "Best treatment I have had in years.",
        "Clean, calm and friendly. Thank you!",
        "My pigmentation has really improved.",
        "{therapist} explained every step, I felt at ease.",
    ),
    "suggestion": (
        "Could you open earlier on Saturdays?",
        "Please send booking reminders by message.",
        "More parking information on the website would help.",
        "A loyalty discount on products would be nice.",
        "Softer music in the treatment rooms, please.",
        "Please offer herbal tea as well as coffee.",
    ),
    "complaint": (
        "Waited 25 minutes past my appointment time.",
        "Skin felt irritated for two days after the peel.",
        "Charged twice for one treatment.",
        "The room was too cold during the massage.",
        "My therapist was changed without notice.",
        "Products used were not the ones we agreed.",
    ),
}
RESOLUTIONS: Final[Mapping[str, Sequence[str]]] = {
    "praise": ("Thanked the client and shared with the team.", "Passed on to {therapist}."),
    "suggestion": ("Discussed at the team meeting; trial next month.", "Added to the improvement list."),
    "complaint": (
        "Apologised and offered a complimentary treatment.",
        "Refunded the double charge.",
        "Called the client; follow-up skin check booked.",
        "Apologised; schedule adjusted to avoid delays.",
    ),
}


def generate_demo(
    *,
    clients: int = 300,
    branches: int = 1,
    locale: str = "en",
    seed: int = 1,
    as_of: dt.date,
    template: Template | None = None,
) -> WorkbookData:
    """Build a synthetic salon / skin-care centre with up to three years of history.

    The salon has ``branches`` branches (one: the localized main branch; more: named
    after cities of the locale), 3-6 therapists per branch and the template's default
    services, categories and payment methods. Its ``clients`` clients carry names,
    phones, addresses and jobs from Faker in the locale's language, a skin profile,
    health and consent data, membership and loyalty points. About 85 % are active
    (some of them lapsed or overdue, 7 % never visited), 5 % paused and 10 % ended the
    relationship long ago. Each visited client comes back at a personal cadence around
    the recommended interval of a favourite category, so a typical client has about ten
    treatments; appointments (completed, cancelled, no-show, booked ahead with
    same-day rebooking, a few today) and feedback (praise, suggestions, complaints,
    some still open) follow from the visits. Nothing lies after ``as_of`` except
    appointments booked ahead and next-visit-due dates.

    The result depends only on the arguments: the same ``(seed, as_of, clients,
    branches, locale)`` gives identical frames on every call. Free-text fields
    (notes, products, feedback) are in English in every locale.

    >>> data = generate_demo(clients=20, as_of=dt.date(2025, 3, 14))
    >>> len(data.clients), data.clients["client_id"].iloc[0]
    (20, 'C0001')
    """
    if clients < 1:
        raise UsageError(f"clients must be at least 1, not {clients}")
    if branches < 1:
        raise UsageError(f"branches must be at least 1, not {branches}")
    tpl = template if template is not None else load_template()
    day = dt.date(as_of.year, as_of.month, as_of.day)
    return _Demo(tpl, tpl.labels(locale), clients=clients, branches=branches, seed=seed, as_of=day).build()


# --------------------------------------------------------------------------- helpers


def _lang(labels: Labels) -> str:
    return labels.faker_locale.split("_")[0].lower()


def _probs(keys: Sequence[str], weights: Mapping[str, float], default: float = 0.0) -> FloatArr:
    w = np.array([weights.get(k, default) for k in keys], dtype=np.float64)
    if w.sum() <= 0:
        w = np.ones(len(keys), dtype=np.float64)
    out: FloatArr = w / w.sum()
    return out


def _objects(values: Sequence[Any]) -> ObjArr:
    out = np.empty(len(values), dtype=object)
    out[:] = list(values)
    return out


def _present(values: ObjArr) -> BoolArr:
    return np.array([v is not None for v in values], dtype=bool)


def _keep(values: ObjArr, keep: BoolArr) -> ObjArr:
    """``values`` with None where ``keep`` is False."""
    out = values.copy()
    out[~keep] = None
    return out


def _nones(n: int) -> ObjArr:
    return np.full(n, None, dtype=object)


def _days(as_of: dt.date, offsets: IntArr, present: BoolArr | None = None) -> npt.NDArray[np.datetime64]:
    """Dates ``as_of + offsets`` (NaT where not ``present``)."""
    out = np.datetime64(as_of, "D") + offsets.astype("timedelta64[D]")
    if present is not None:
        out = np.where(present, out, np.datetime64("NaT", "D"))
    return out


def _minutes(as_of: dt.date, offsets: IntArr) -> npt.NDArray[np.datetime64]:
    """Datetimes ``as_of 00:00 + offsets`` minutes."""
    return np.datetime64(as_of, "m") + offsets.astype("timedelta64[m]")


def _frame(sheet: Sheet, data: Mapping[str, Any], n: int) -> pd.DataFrame:
    """A canonical frame: the sheet's data columns in order, dtypes by column type."""
    out: dict[str, pd.Series[Any]] = {}
    for col in sheet.data_columns:
        values: Any = data.get(col.key)
        if values is None:
            values = _nones(n)
        series: pd.Series[Any]
        if col.type in ("date", "datetime") and not col.month_day:
            series = pd.Series(pd.to_datetime(values)).astype("datetime64[ns]")
        elif col.type in ("int", "rating"):
            series = pd.Series(values).astype("Int64")
        elif col.type == "bool":
            series = pd.Series(values, dtype=object).astype("boolean")
        elif col.type in ("decimal", "money"):
            series = pd.Series(values).astype("float64")
        else:
            series = pd.Series(values, dtype=object)
        out[col.key] = series
    return pd.DataFrame(out, columns=[c.key for c in sheet.data_columns])


def _ids(prefix: str, n: int, width: int) -> list[str]:
    digits = max(width, len(str(n)))
    return [f"{prefix}{i:0{digits}d}" for i in range(1, n + 1)]


def _group_pick(rng: np.random.Generator, group: IntArr, offsets: IntArr, counts: IntArr) -> IntArr:
    """For each element, a random member index of its group (groups stored contiguously)."""
    return offsets[group] + (rng.random(len(group)) * counts[group]).astype(np.int64)


# --------------------------------------------------------------------------- builder


class _Demo:
    def __init__(
        self, template: Template, labels: Labels, *, clients: int, branches: int, seed: int, as_of: dt.date
    ) -> None:
        self.t = template
        self.labels = labels
        self.n = clients
        self.n_branches = branches
        self.as_of = as_of
        self.rng = np.random.default_rng(seed)
        self.fake = Faker(labels.faker_locale)
        self.fake.seed_instance(seed)
        self.lang = _lang(labels)

    # -- small random helpers ------------------------------------------------------------

    def choice_keys(self, name: str) -> tuple[str, ...]:
        return self.t.choice_lists[name]

    def pick(self, name: str, weights: Mapping[str, float], n: int, default: float = 0.0) -> ObjArr:
        """``n`` keys of the fixed choice list ``name`` drawn with ``weights``."""
        keys = self.choice_keys(name)
        idx = self.rng.choice(len(keys), size=n, p=_probs(keys, weights, default))
        return _objects(keys)[idx]

    def bank(self, values: Sequence[str], n: int, share: float = 1.0) -> ObjArr:
        """``n`` draws from ``values``, None for a ``1 - share`` fraction."""
        drawn = _objects(values)[self.rng.integers(0, len(values), n)]
        return self.sometimes(drawn, share)

    def sometimes(self, values: ObjArr, share: float) -> ObjArr:
        return _keep(values, self.rng.random(len(values)) < share)

    def flavour(self, table: Mapping[str, Any]) -> Any:
        return table.get(self.lang, table["en"])

    def pool(self, make: Callable[[], object], size: int) -> list[str]:
        return [str(make()) for _ in range(size)]

    # -- the whole salon ---------------------------------------------------------------

    def build(self) -> WorkbookData:
        self.make_lists()
        self.plan_clients()
        self.make_visits()
        self.client_ids = _objects(_ids("C", self.n, 4))
        self.member = self.member_flags()
        visits = self.visits_frame()
        clients = self.make_clients()
        appointments = self.make_appointments()
        feedback = self.make_feedback()
        return WorkbookData(
            clients=clients,
            visits=visits,
            appointments=appointments,
            feedback=feedback,
            lists=self.lists,
            settings=default_settings(self.t, self.labels),
        )

    def make_lists(self) -> None:
        t, labels = self.t, self.labels
        self.lists = default_lists(t, labels)
        names = [str(n) for n in self.lists["branches"]["name"]]
        if self.n_branches > 1:
            names = []
            for attempt in range(100 * self.n_branches):
                city = str(self.fake.city())
                if attempt >= 50 * self.n_branches:
                    city = f"{city} {len(names) + 1}"
                if city not in names:
                    names.append(city)
                if len(names) == self.n_branches:
                    break
            names += [f"#{i}" for i in range(len(names) + 1, self.n_branches + 1)]
        self.branch_names = _objects(names)
        self.lists["branches"] = pd.DataFrame({"name": names}, columns=["name"])

        therapists: list[str] = []
        t_branch: list[int] = []
        for b in range(self.n_branches):
            for _ in range(int(self.rng.integers(3, 7))):
                female = self.rng.random() < 0.9
                for attempt in range(100):
                    first = str(self.fake.first_name_female() if female else self.fake.first_name_male())
                    name = first if attempt < 20 else f"{first} {str(self.fake.last_name())[:1]}."
                    if name not in therapists:
                        break
                else:
                    name = f"{first} {len(therapists) + 1}"
                therapists.append(name)
                t_branch.append(b)
        self.therapist_names = _objects(therapists)
        self.therapist_branch = np.array(t_branch, dtype=np.int64)
        self.branch_t_count = np.bincount(self.therapist_branch, minlength=self.n_branches).astype(np.int64)
        self.branch_t_offset = (np.cumsum(self.branch_t_count) - self.branch_t_count).astype(np.int64)
        t_cols = [c.key for c in t.reference_lists["therapists"].columns]
        self.lists["therapists"] = pd.DataFrame(
            {"name": therapists, "branch": [names[b] for b in t_branch]}, columns=t_cols
        )

        categories = self.lists["categories"]
        cat_keys = [str(r["key"]) for r in t.reference_lists["categories"].default_rows]
        self.category_keys = cat_keys
        self.category_interval = categories["recommended_interval_days"].astype("float64").to_numpy()
        services = self.lists["services"]
        cat_index = {str(name): i for i, name in enumerate(categories["name"])}
        self.service_names = _objects([str(s) for s in services["name"]])
        self.service_price = services["price"].astype("float64").to_numpy()
        self.service_cat = np.array([cat_index[str(c)] for c in services["category"]], dtype=np.int64)
        order = np.argsort(self.service_cat, kind="stable").astype(np.int64)
        self.cat_services = order
        self.cat_s_count = np.bincount(self.service_cat, minlength=len(cat_keys)).astype(np.int64)
        self.cat_s_offset = (np.cumsum(self.cat_s_count) - self.cat_s_count).astype(np.int64)
        median_price = float(np.median(self.service_price)) if len(self.service_price) else 1.0
        self.price_scale = max(median_price, 1.0)
        self.point_unit = 10.0 ** max(0, math.floor(math.log10(self.price_scale)) - 1)

        pay_keys = [str(r["key"]) for r in t.reference_lists["payment_methods"].default_rows]
        self.pay_names = _objects([str(p) for p in self.lists["payment_methods"]["name"]])
        self.pay_probs = _probs(pay_keys, self.flavour(PAYMENTS), default=0.05)
        card = "membership_card"
        self.card_method: int | None = pay_keys.index(card) if card in pay_keys else None

    # -- who comes when ----------------------------------------------------------------

    def plan_clients(self) -> None:
        rng, n = self.rng, self.n
        counts = {seg: int(share * n) for seg, share in SEGMENT_SHARES.items()}
        counts[REGULAR] = n - sum(counts.values())
        segment = rng.permutation(np.repeat(np.array(list(counts), dtype=np.int64), list(counts.values())))
        usable = np.flatnonzero(self.cat_s_count > 0)
        keys = [self.category_keys[i] for i in usable]
        fav_cat = usable[rng.choice(len(usable), size=n, p=_probs(keys, CATEGORY_WEIGHTS, default=0.12))]
        cadence = self.category_interval[fav_cat] * rng.uniform(0.7, 1.8, n)
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

        self.segment, self.fav_cat, self.cadence = segment, fav_cat, cadence
        self.last_day, self.earliest = last, first

    def make_visits(self) -> None:
        rng, n = self.rng, self.n
        visited = self.segment != NEVER
        min_gap = np.maximum(1, np.floor(self.cadence * 0.8)).astype(np.int64)
        counts = np.where(visited, (self.last_day - self.earliest) // min_gap + 1, 0).astype(np.int64)
        total = int(counts.sum())
        owner = np.repeat(np.arange(n, dtype=np.int64), counts)
        starts = (np.cumsum(counts) - counts).astype(np.int64)
        pos = np.arange(total, dtype=np.int64) - np.repeat(starts, counts)
        stretch = rng.uniform(0.8, 1.25, total) + (rng.random(total) < 0.15) * rng.uniform(0.5, 2.5, total)
        gap = np.maximum(min_gap[owner], np.rint(self.cadence[owner] * stretch).astype(np.int64))
        gap[pos == 0] = 0
        csum = np.cumsum(gap)
        back = csum - np.repeat(csum[starts[counts > 0]], counts[counts > 0])
        day = self.last_day[owner] - back
        keep = day >= self.earliest[owner]
        owner, day = owner[keep], day[keep]

        # Client IDs follow registration: the first visit day (or sign-up day of the never-visited).
        first_day = np.full(n, np.iinfo(np.int64).max, dtype=np.int64)
        np.minimum.at(first_day, owner, day)
        first_day[~visited] = self.earliest[~visited]
        order = np.lexsort((rng.random(n), first_day)).astype(np.int64)
        rank = np.empty(n, dtype=np.int64)
        rank[order] = np.arange(n, dtype=np.int64)
        self.segment = self.segment[order]
        self.fav_cat = self.fav_cat[order]
        self.cadence = self.cadence[order]
        self.last_day = self.last_day[order]
        self.first_day = first_day[order]
        self.visited = visited[order]
        owner = rank[owner]

        # Visit days sorted by client then date.
        days_order = np.lexsort((day, owner))
        self.d_client = owner[days_order]
        self.d_day = day[days_order]
        nd = len(self.d_day)
        same = np.zeros(nd, dtype=bool)
        same[1:] = self.d_client[1:] == self.d_client[:-1]
        self.d_has_prev = same
        self.d_prev = np.where(same, np.roll(self.d_day, 1), self.d_day - 10_000)
        self.d_slot = SLOTS[rng.integers(0, len(SLOTS), nd)]

        # Allocation: branch, assigned therapist, favourite service.
        self.branch = rng.integers(0, self.n_branches, n).astype(np.int64)
        self.therapist = _group_pick(rng, self.branch, self.branch_t_offset, self.branch_t_count)
        fav = _group_pick(rng, self.fav_cat, self.cat_s_offset, self.cat_s_count)
        self.fav_service = self.cat_services[fav]

        c = self.d_client
        branch = self.branch[c].copy()
        if self.n_branches > 1:
            away = rng.random(nd) < 0.03
            branch[away] = (branch[away] + rng.integers(1, self.n_branches, away.sum())) % self.n_branches
        therapist = _group_pick(rng, branch, self.branch_t_offset, self.branch_t_count)
        own = (branch == self.branch[c]) & (rng.random(nd) < 0.8)
        therapist[own] = self.therapist[c][own]
        self.d_branch, self.d_therapist = branch, therapist
        u = rng.random(nd)
        in_cat = self.cat_services[_group_pick(rng, self.fav_cat[c], self.cat_s_offset, self.cat_s_count)]
        anything = rng.integers(0, len(self.service_names), nd)
        self.d_service = np.where(u < 0.6, self.fav_service[c], np.where(u < 0.8, in_cat, anything))

        # Treatment rows: ~5 % of visit days carry a second, different treatment.
        double = np.flatnonzero(rng.random(nd) < 0.05)
        r_day = np.concatenate([np.arange(nd, dtype=np.int64), double])
        r_seq = np.concatenate([np.zeros(nd, dtype=np.int64), np.ones(len(double), dtype=np.int64)])
        n_services = len(self.service_names)
        second = rng.integers(0, n_services, len(double))
        clash = second == self.d_service[double]
        second[clash] = (second[clash] + 1) % n_services
        r_service = np.concatenate([self.d_service, second])
        rows = np.lexsort((r_seq, self.d_client[r_day], self.d_day[r_day]))
        self.r_day, self.r_service = r_day[rows], r_service[rows]

    def visits_frame(self) -> pd.DataFrame:
        rng = self.rng
        d, s = self.r_day, self.r_service
        nv = len(d)
        c = self.d_client[d]
        cat = self.service_cat[s]
        products: ObjArr = _nones(nv)
        for i, key in enumerate(self.category_keys):
            mask = cat == i
            products[mask] = self.bank(PRODUCTS.get(key, GENERIC_PRODUCTS), int(mask.sum()))
        products = self.sometimes(products, 0.75)
        reaction = self.pick("skin_reaction", REACTIONS, nv, default=0.005)
        price = self.service_price[s]
        discount = np.where(rng.random(nv) < 0.15, rng.choice([0.1, 0.15, 0.2], nv), 0.0)
        amount = np.round(price * (1 - discount), 2)
        pay = rng.choice(len(self.pay_names), size=nv, p=self.pay_probs)
        if self.card_method is not None:
            pay = np.where(self.member[c] & (rng.random(nv) < 0.5), self.card_method, pay)
        points = np.floor(amount / self.point_unit).astype(np.int64)
        self.points_by_client = np.bincount(c, weights=points, minlength=self.n)
        nxt = np.where(rng.random(nv) < 0.6, self.fav_service[c], s)
        due = self.d_day[d] + np.rint(self.cadence[c]).astype(np.int64)
        self.v_ids = _objects(_ids("V", nv, 6))
        self.v_days = self.d_day[d]
        self.v_client = c
        self.v_therapist = self.d_therapist[d]
        data = {
            "visit_id": self.v_ids,
            "client_id": self.client_ids[c],
            "visit_date": _days(self.as_of, self.v_days),
            "branch": self.branch_names[self.d_branch[d]],
            "therapist": self.therapist_names[self.v_therapist],
            "service": self.service_names[s],
            "products_used": products,
            "skin_reaction": self.sometimes(reaction, 0.95),
            "result_notes": self.bank(RESULT_NOTES, nv, 0.45),
            "effect_rating": rng.choice(np.arange(1, 6), size=nv, p=RATINGS),
            "satisfaction": rng.choice(np.arange(1, 6), size=nv, p=RATINGS),
            "amount_paid": amount,
            "payment_method": self.pay_names[pay],
            "points_earned": points,
            "next_recommended_service": self.sometimes(self.service_names[nxt], 0.85),
            "next_visit_due": _days(self.as_of, due, rng.random(nv) < 0.9),
        }
        return _frame(self.t.sheet("visits"), data, nv)

    def member_flags(self) -> BoolArr:
        visits = np.bincount(self.d_client, minlength=self.n)
        p_member = 0.08 + 0.5 * np.minimum(1.0, visits / 25)
        flags: BoolArr = self.rng.random(self.n) < p_member
        return flags

    # -- who they are ------------------------------------------------------------------

    def make_clients(self) -> pd.DataFrame:
        rng, n, fake, as_of = self.rng, self.n, self.fake, self.as_of
        status = np.full(n, "active", dtype=object)
        for seg, key in SEGMENT_STATUS.items():
            status[self.segment == seg] = key

        gender = self.pick("gender", GENDERS, n)
        names = self.names(gender)
        birth = self.birth_dates()
        phones = self.phones(n)
        size = min(n, POOL)
        emails = self.emails(n)
        addresses = _objects([a.replace("\n", ", ") for a in self.pool(fake.address, size)])
        jobs = _objects(self.pool(fake.job, min(n, POOL // 4)))

        lang_channels = self.flavour(CHANNELS)
        channel = self.pick("channel", lang_channels, n)
        if "none" in self.choice_keys("channel"):
            channel[rng.random(n) < 0.02] = "none"
        has_emergency = rng.random(n) < 0.6
        emergency_names = _keep(self.names(self.pick("gender", GENDERS, n)), has_emergency)
        emergency_phones = _keep(self.phones(n), has_emergency)

        skin = self.pick("skin_type", SKIN_TYPES, n)
        tone_weights = dict(zip(self.choice_keys("skin_tone"), self.flavour(SKIN_TONES), strict=False))
        tone = self.pick("skin_tone", tone_weights, n)
        sensitivity = np.where(
            skin == "sensitive",
            self.pick("sensitivity_level", {"medium": 0.3, "high": 0.7}, n),
            self.pick("sensitivity_level", {"low": 0.45, "medium": 0.4, "high": 0.15}, n),
        )
        balance = _objects(
            [
                opts[int(u * len(opts))]
                for opts, u in zip(
                    (BALANCE_BY_SKIN.get(str(k), ("balanced",)) for k in skin), rng.random(n), strict=True
                )
            ]
        )
        balance = _keep(balance, np.isin(balance, self.choice_keys("oil_water_balance")))
        analyzer = [
            f"Moisture {m}%, sebum {sb}%; {uv}" if keep else None
            for m, sb, uv, keep in zip(
                rng.integers(22, 61, n),
                rng.integers(15, 71, n),
                self.bank(UV_FINDINGS, n),
                rng.random(n) < 0.55,
                strict=True,
            )
        ]

        allergy_u = rng.random(n)
        allergies = _keep(self.bank(ALLERGIES, n), allergy_u < 0.75)
        allergies[allergy_u < 0.55] = self.labels.message("allergies_none")
        how_many = 1 + (rng.random(n) < 0.2).astype(np.int64)
        contra = self.multi("contraindication", CONTRAINDICATIONS, rng.random(n) < 0.1, how_many)
        not_female = (gender != "female") & _present(contra)
        if not_female.any():
            female_only = ("pregnant", "breastfeeding")
            others = {k: v for k, v in CONTRAINDICATIONS.items() if k not in female_only}
            everyone = np.ones(int(not_female.sum()), dtype=bool)
            contra[not_female] = self.multi("contraindication", others, everyone, how_many[not_female])

        concerns = self.multi("skin_concern", CONCERNS, rng.random(n) < 0.85, rng.integers(1, 4, n))
        visited = self.visited
        first_visit = _days(as_of, self.first_day, visited)
        patch = rng.random(n) < 0.4
        patch_day = np.minimum(self.first_day - rng.integers(0, 8, n), 0)
        recent_patch = patch_day >= -2
        patch_result = np.where(
            recent_patch & (rng.random(n) < 0.7), "pending", np.where(rng.random(n) < 0.93, "pass", "fail")
        )

        consent_u = rng.random(n)
        consent = _objects([True if u < 0.9 else False if u < 0.95 else None for u in consent_u])
        consent_day = np.minimum(self.first_day - (rng.random(n) < 0.3) * rng.integers(1, 4, n), 0)
        marketing = self.sometimes(self.pick("marketing_opt_in", MARKETING, n), 0.92)

        referred = np.full(n, None, dtype=object)
        ref_mask = (rng.random(n) < 0.1) & (np.arange(n) > 0)
        earlier = (rng.random(n) * np.arange(n)).astype(np.int64)
        referred[ref_mask] = self.client_ids[earlier[ref_mask]]
        source = self.sometimes(self.pick("referral_source", REFERRALS, n), 0.88)
        source[ref_mask] = "friend"

        member = self.member & (rng.random(n) < 0.9)
        tier = np.where(member, self.pick("membership_tier", TIERS, n), "none")
        balance_amount = np.round(self.price_scale * rng.uniform(0.5, 8.0, n))
        card_balance = np.where(
            (member & (rng.random(n) < 0.65) & (status != "relationship_ended")) | (rng.random(n) < 0.02),
            balance_amount,
            0.0,
        )
        loyalty = np.floor(self.points_by_client * rng.uniform(0.1, 1.0, n)).astype(np.int64)

        notes = self.bank(NOTES, n, 0.08)
        for seg, texts in STATUS_NOTES.items():
            mask = (self.segment == seg) & (rng.random(n) < 0.6)
            notes[mask] = self.bank(texts, int(mask.sum()))
        lifestyle = [
            "; ".join(part[int(u * len(part))] for part, u in zip(LIFESTYLE, row, strict=True))
            for row in rng.random((n, len(LIFESTYLE)))
        ]

        data = {
            "client_id": self.client_ids,
            "full_name": names,
            "gender": self.sometimes(gender, 0.97),
            "birth_date": birth,
            "phone": self.sometimes(phones, 0.97),
            "email": self.sometimes(emails, 0.8),
            "address": self.sometimes(addresses[rng.integers(0, len(addresses), n)], 0.8),
            "occupation": self.sometimes(jobs[rng.integers(0, len(jobs), n)], 0.6),
            "preferred_channel": self.sometimes(channel, 0.95),
            "emergency_contact_name": emergency_names,
            "emergency_contact_phone": emergency_phones,
            "branch": self.branch_names[self.branch],
            "assigned_therapist": self.therapist_names[self.therapist],
            "first_visit_date": first_visit,
            "client_status": status,
            "skin_type": self.sometimes(skin, 0.9),
            "skin_tone": self.sometimes(tone, 0.85),
            "skin_concerns": concerns,
            "sensitivity": self.sometimes(sensitivity, 0.85),
            "oil_water_balance": self.sometimes(balance, 0.8),
            "analyzer_notes": _objects(analyzer),
            "allergies": allergies,
            "medications": self.bank(MEDICATIONS, n, 0.15),
            "contraindications": contra,
            "patch_test_date": _days(as_of, patch_day, patch),
            "patch_test_result": _keep(patch_result.astype(object), patch),
            "liked_treatments": self.sometimes(self.service_names[self.fav_service], 0.3),
            "disliked_ingredients": self.bank(DISLIKED, n, 0.15),
            "pressure_preference": self.sometimes(self.pick("pressure", PRESSURE, n), 0.55),
            "room_music_notes": self.bank(ROOM_MUSIC, n, 0.2),
            "lifestyle": self.sometimes(_objects(lifestyle), 0.3),
            "records_consent": consent,
            "consent_date": _days(as_of, consent_day, np.array([x is True for x in consent], dtype=bool)),
            "marketing_opt_in": marketing,
            "referred_by": referred,
            "referral_source": source,
            "membership_tier": tier,
            "card_balance": card_balance,
            "loyalty_points": loyalty,
            "notes": notes,
        }
        return _frame(self.t.sheet("clients"), data, n)

    def names(self, gender: ObjArr) -> ObjArr:
        rng, fake, n = self.rng, self.fake, len(gender)
        size = min(max(n, 50), POOL // 2)
        female = _objects(self.pool(fake.first_name_female, size))
        male = _objects(self.pool(fake.first_name_male, size))
        last = _objects(self.pool(fake.last_name, size))
        is_female = (gender == "female") | ((gender != "male") & (rng.random(n) < 0.5))
        first = np.where(is_female, female[rng.integers(0, size, n)], male[rng.integers(0, size, n)])
        family = last[rng.integers(0, size, n)]
        sep = FAMILY_FIRST.get(self.lang)
        if sep is None:
            return _objects([f"{a} {b}" for a, b in zip(first, family, strict=True)])
        if self.lang == "vi":
            pool = self.pool(fake.middle_name, min(size, 200))
            middle = _objects([m for m in pool if m != "Thị"] or ["Văn"])
            thi = is_female & (rng.random(n) < 0.5)
            mid = np.where(thi, "Thị", middle[rng.integers(0, len(middle), n)])
            return _objects([f"{b} {m} {a}" for a, m, b in zip(first, mid, family, strict=True)])
        return _objects([f"{b}{sep}{a}" for a, b in zip(first, family, strict=True)])

    def birth_dates(self) -> ObjArr:
        rng, n, as_of = self.rng, self.n, self.as_of
        top = as_of.toordinal() - math.ceil(18 * 365.25)
        bottom = as_of.toordinal() - math.floor(76 * 365.25) + 1
        ordinals = rng.integers(bottom, top + 1, n)
        kind = rng.random(n)
        out: list[Any] = []
        for o, k in zip(ordinals, kind, strict=True):
            born = dt.date.fromordinal(int(o))
            out.append(born if k < 0.83 else born.strftime("%m-%d") if k < 0.95 else None)
        if n >= 20:
            leap = [y for y in range(as_of.year - 75, as_of.year - 18) if calendar.isleap(y)]
            picks = rng.choice(n, size=2, replace=False)
            out[int(picks[0])] = dt.date(int(rng.choice(leap)), 2, 29)
            out[int(picks[1])] = "02-29"
        return _objects(out)

    def phones(self, n: int) -> ObjArr:
        """Phones as the locale writes them; the last four digits are random, so they rarely repeat."""
        make = getattr(self.fake, "cellphone_number", self.fake.phone_number)
        pool = self.pool(make, min(n, POOL))
        picks = self.rng.integers(0, len(pool), n)
        digits = self.rng.integers(0, 10, (n, 4))
        spaced = self.rng.random(n) < 0.15
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
        return _objects(out)

    def emails(self, n: int) -> ObjArr:
        users = self.pool(self.fake.user_name, min(n, POOL))
        domains = self.pool(self.fake.free_email_domain, 12)
        picks = self.rng.integers(0, len(users), n)
        dom = self.rng.integers(0, len(domains), n)
        extra = self.rng.integers(1, 100, n)
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
        return _objects(out)

    def multi(self, name: str, weights: Mapping[str, float], present: BoolArr, k: IntArr) -> ObjArr:
        """Multichoice cells: ``k`` distinct keys joined by ";" in template order, None where absent."""
        keys = self.choice_keys(name)
        p = _probs(keys, weights)
        n = len(present)
        with np.errstate(divide="ignore"):
            score = np.log(self.rng.random((n, len(keys)))) / np.where(p > 0, p, 1e-12)
        ranked = np.argsort(-score, axis=1)
        out: list[str | None] = []
        for row, kk, here in zip(ranked, k, present, strict=True):
            if not here:
                out.append(None)
                continue
            chosen = sorted(int(i) for i in row[: max(1, int(kk))])
            out.append(MULTICHOICE_SEPARATOR.join(keys[i] for i in chosen))
        return _objects(out)

    # -- bookings ----------------------------------------------------------------------

    def booking_time(self, n: int) -> IntArr:
        """Minutes after midnight when a booking is made: 08:00-21:00, in 5-minute steps."""
        return (8 * 60 + 5 * self.rng.integers(0, 157, n)).astype(np.int64)

    def make_appointments(self) -> pd.DataFrame:
        rng, n = self.rng, self.n
        nd = len(self.d_day)
        day, slot, prev = self.d_day, self.d_slot, self.d_prev
        prev_slot = np.roll(slot, 1)
        sched = day * DAY_MIN + slot

        # Completed: most visit days were booked (the rest were walk-ins).
        booked_ahead = rng.random(nd) < 0.88
        rebook = self.d_has_prev & (rng.random(nd) < 0.45)
        same_day = ~rebook & (rng.random(nd) < 0.12)
        booked = (day - rng.integers(1, 22, nd)) * DAY_MIN + self.booking_time(nd)
        walk_in_call = day * DAY_MIN + np.maximum(8 * 60, slot - rng.integers(30, 241, nd))
        booked = np.where(same_day, walk_in_call, booked)
        booked = np.where(rebook, prev * DAY_MIN + prev_slot + rng.integers(45, 91, nd), booked)
        parts: list[dict[str, Any]] = []
        done = np.flatnonzero(booked_ahead)
        parts.append(self.appt(done, sched[done], booked[done], "completed"))

        # Cancelled and no-show appointments between visits, never visits themselves.
        room = np.minimum(14, np.where(self.d_has_prev, day - prev - 1, 14))
        eligible = np.flatnonzero(room >= 2)
        k = min(len(eligible), round(0.05 * len(done)))
        chosen = rng.permutation(eligible)[: 2 * k]
        for status, idx in (("cancelled", chosen[:k]), ("no_show", chosen[k:])):
            when = day[idx] - 2 - (rng.random(len(idx)) * (room[idx] - 1)).astype(np.int64)
            at = when * DAY_MIN + SLOTS[rng.integers(0, len(SLOTS), len(idx))]
            made = (when - rng.integers(1, 15, len(idx))) * DAY_MIN + self.booking_time(len(idx))
            parts.append(self.appt(idx, at, made, status, cancelled=status == "cancelled"))

        # Booked ahead: ~40 % of active clients who still come regularly, some never-visited.
        is_last = np.ones(nd, dtype=bool)
        is_last[:-1] = self.d_client[1:] != self.d_client[:-1]
        last_idx = np.flatnonzero(is_last)
        ongoing = np.isin(self.segment[self.d_client[last_idx]], [REGULAR, OVERDUE])
        last_idx = last_idx[ongoing]
        future = last_idx[rng.random(len(last_idx)) < 0.4]
        c = self.d_client[future]
        due = day[future] + np.rint(self.cadence[c]).astype(np.int64)
        fday = np.maximum(1, due + rng.integers(-3, 4, len(c)))
        fat = fday * DAY_MIN + SLOTS[rng.integers(0, len(SLOTS), len(c))]
        same = rng.random(len(c)) < 0.5
        later = day[future] + 1 + (rng.random(len(c)) * (-day[future])).astype(np.int64)
        fmade = np.where(
            same | (day[future] >= 0),
            day[future] * DAY_MIN + slot[future] + rng.integers(45, 91, len(c)),
            np.minimum(later, 0) * DAY_MIN + self.booking_time(len(c)),
        )
        fstatus = np.where(rng.random(len(c)) < 0.06, "cancelled", "booked")
        parts.append(self.appt(future, fat, fmade, fstatus, cancelled=fstatus == "cancelled"))

        # A few appointments today, from regulars who are not booked yet.
        rest = np.setdiff1d(last_idx, future)
        rest = rest[day[rest] < 0]
        today = rng.permutation(rest)[: max(2, round(0.01 * n))]
        tat = SLOTS[rng.integers(0, len(SLOTS), len(today))]
        since = np.maximum(day[today], -14)
        tday = since + (rng.random(len(today)) * -since).astype(np.int64)
        tmade = tday * DAY_MIN + self.booking_time(len(today))
        parts.append(self.appt(today, tat, tmade, "booked"))

        # First appointments of clients who registered but never came.
        newbies = np.flatnonzero((self.segment == NEVER) & (rng.random(n) < 0.4))
        nat = rng.integers(1, 22, len(newbies)) * DAY_MIN + SLOTS[rng.integers(0, len(SLOTS), len(newbies))]
        nmade = self.first_day[newbies] * DAY_MIN + self.booking_time(len(newbies))
        first = self.appt_for_clients(newbies, nat, nmade)
        parts.append(first)

        cols = {key: np.concatenate([p[key] for p in parts]) for key in parts[0]}
        order = np.lexsort((cols["booked_min"], cols["client"], cols["sched_min"]))
        cols = {key: v[order] for key, v in cols.items()}
        na = len(order)
        data = {
            "appointment_id": _objects(_ids("A", na, 6)),
            "client_id": self.client_ids[cols["client"]],
            "scheduled_at": _minutes(self.as_of, cols["sched_min"]),
            "service": self.service_names[cols["service"]],
            "therapist": self.therapist_names[cols["therapist"]],
            "branch": self.branch_names[cols["branch"]],
            "status": cols["status"],
            "booked_at": _minutes(self.as_of, cols["booked_min"]),
            "cancellation_reason": _keep(self.bank(CANCEL_REASONS, na), cols["cancelled"]),
            "notes": self.bank(APPOINTMENT_NOTES, na, 0.06),
        }
        return _frame(self.t.sheet("appointments"), data, na)

    def appt(
        self, days: IntArr, sched: IntArr, booked: IntArr, status: Any, *, cancelled: Any = False
    ) -> dict[str, Any]:
        """Appointment columns for visit days ``days`` (their client, service, therapist, branch)."""
        m = len(days)
        return {
            "client": self.d_client[days],
            "sched_min": sched.astype(np.int64),
            "booked_min": np.minimum(booked, sched).astype(np.int64),
            "service": self.d_service[days],
            "therapist": self.d_therapist[days],
            "branch": self.d_branch[days],
            "status": np.broadcast_to(np.asarray(status, dtype=object), (m,)).copy(),
            "cancelled": np.broadcast_to(np.asarray(cancelled, dtype=bool), (m,)).copy(),
        }

    def appt_for_clients(self, clients: IntArr, sched: IntArr, booked: IntArr) -> dict[str, Any]:
        m = len(clients)
        return {
            "client": clients,
            "sched_min": sched.astype(np.int64),
            "booked_min": np.minimum(booked, sched).astype(np.int64),
            "service": self.fav_service[clients],
            "therapist": self.therapist[clients],
            "branch": self.branch[clients],
            "status": np.full(m, "booked", dtype=object),
            "cancelled": np.zeros(m, dtype=bool),
        }

    # -- what they said ----------------------------------------------------------------

    def make_feedback(self) -> pd.DataFrame:
        rng = self.rng
        nv = len(self.v_days)
        m = round(0.3 * self.n) if nv else 0
        rows = rng.integers(0, max(nv, 1), m)
        days = np.minimum(self.v_days[rows] + rng.integers(0, 4, m), 0) if m else np.zeros(0, np.int64)
        order = np.argsort(days, kind="stable")
        rows, days = rows[order], days[order]
        kind = self.pick("feedback_kind", FEEDBACK_KINDS, m)
        therapist = self.therapist_names[self.v_therapist[rows]] if m else _nones(0)
        manager = self.flavour(MANAGER)
        to_manager = np.where(kind == "complaint", rng.random(m) < 0.75, rng.random(m) < 0.4)
        owner = np.where(to_manager, manager, therapist)
        conditions = [kind == "praise", kind == "suggestion", days < -30]
        p_resolved = np.select(conditions, [0.95, 0.7, 0.85], default=0.35)
        resolved = rng.random(m) < p_resolved
        complaints = np.flatnonzero(kind == "complaint")
        if len(complaints) and resolved[complaints].all():
            resolved[complaints[-1]] = False
        texts: list[str] = []
        resolutions: list[str | None] = []
        for k, th, done, u, v in zip(kind, therapist, resolved, rng.random(m), rng.random(m), strict=True):
            bank = FEEDBACK_TEXT.get(str(k), FEEDBACK_TEXT["suggestion"])
            texts.append(bank[int(u * len(bank))].format(therapist=th))
            res = RESOLUTIONS.get(str(k), RESOLUTIONS["suggestion"])
            resolutions.append(res[int(v * len(res))].format(therapist=th) if done else None)
        data = {
            "feedback_id": _objects(_ids("F", m, 4)),
            "date": _days(self.as_of, days),
            "client_id": self.sometimes(self.client_ids[self.v_client[rows]] if m else _nones(0), 0.92),
            "kind": kind,
            "channel": self.pick("feedback_channel", FEEDBACK_CHANNELS, m),
            "text": _objects(texts),
            "owner": owner,
            "resolved": resolved,
            "resolution": _objects(resolutions),
        }
        return _frame(self.t.sheet("feedback"), data, m)


def write_demo(
    path: Path | str,
    *,
    clients: int = 300,
    branches: int = 1,
    locale: str = "en",
    seed: int = 1,
    as_of: dt.date,
    overwrite: bool = False,
) -> dict[str, Any]:
    """Generate a demo salon and write it as a workbook; return a summary.

    The summary counts the rows written and the clients a front desk would act
    on as of ``as_of`` (due soon, overdue, lapsed, never visited), computed
    with :func:`sheetkit.analytics.intervals.staff_view`.
    """
    from sheetkit.analytics.intervals import staff_view  # noqa: PLC0415 - analytics imports pandas-heavy code
    from sheetkit.excel.writer import write_excel  # noqa: PLC0415 - the writer imports this module's frames

    data = generate_demo(clients=clients, branches=branches, locale=locale, seed=seed, as_of=as_of)
    written = write_excel(
        path, data, locale=locale, overwrite=overwrite, generated_at=dt.datetime.combine(as_of, dt.time(8, 0))
    )
    view = staff_view(data.clients, data.visits, data.lists, data.settings, as_of=as_of)
    follow = view["follow_up"].value_counts()
    return {
        "workbook": str(written),
        "locale": locale,
        "as_of": as_of.isoformat(),
        "clients": len(data.clients),
        "visits": len(data.visits),
        "appointments": len(data.appointments),
        "feedback": len(data.feedback),
        **{key: int(follow.get(key, 0)) for key in ("due_soon", "overdue", "lapsed", "never_visited")},
    }
