"""The demo's fixed tables: segment shares and probability tables, some by language.

Nothing here draws: the modules that build the sheets sample from these tables with the
salon's seeded generator, so changing a value here changes every demo workbook. The
free text staff write (notes, products, reasons) is in :mod:`.words`, per language.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Final

import numpy as np

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
#: Real cities to name the branches of a chain after. Fixed here rather than drawn from
#: Faker, whose ``city()`` is not reproducible across processes in some locales (it_IT
#: draws from a list built from a set, so its order follows ``PYTHONHASHSEED``).
# Rows of names read better than a name per line.
# fmt: off
BRANCH_CITIES: Final[Mapping[str, Sequence[str]]] = {
    "zh": (
        "上海", "北京", "广州", "深圳", "杭州", "南京", "成都", "重庆", "武汉", "西安", "天津", "苏州",
        "长沙", "青岛", "厦门", "宁波", "郑州", "昆明", "大连", "沈阳", "哈尔滨", "济南", "福州", "合肥",
    ),
    "vi": (
        "Hà Nội", "Hồ Chí Minh", "Hải Phòng", "Đà Nẵng", "Huế", "Cần Thơ", "Nha Trang", "Đà Lạt",
        "Vũng Tàu", "Biên Hòa", "Buôn Ma Thuột", "Quy Nhơn", "Hạ Long", "Vinh", "Hội An", "Long Xuyên",
        "Rạch Giá", "Phan Thiết", "Thái Nguyên", "Nam Định", "Mỹ Tho", "Bắc Ninh", "Pleiku", "Cà Mau",
    ),
    "it": (
        "Milano", "Roma", "Napoli", "Torino", "Palermo", "Genova", "Bologna", "Firenze", "Bari", "Catania",
        "Venezia", "Verona", "Padova", "Trieste", "Brescia", "Parma", "Modena", "Bergamo", "Perugia",
        "Cagliari", "Lecce", "Salerno", "Pescara", "Trento",
    ),
    "en": (
        "London", "Manchester", "Birmingham", "Leeds", "Glasgow", "Edinburgh", "Bristol", "Liverpool",
        "Sheffield", "Newcastle", "Nottingham", "Leicester", "Cardiff", "Belfast", "Brighton", "Oxford",
        "Cambridge", "York", "Bath", "Exeter", "Norwich", "Southampton", "Plymouth", "Aberdeen",
    ),
}
# fmt: on
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

# ------------------------------------------------------------------ template version 2
#: Of the cancellations: made less than 24 hours before the appointment (late).
LATE_CANCEL_SHARE: Final = 0.3
#: Patch tests: a test that failed before the one that passed (another product), and one
#: left pending in the last days before ``as_of``.
PATCH_FAILED_FIRST: Final = 0.06
PATCH_PENDING_CLIENTS: Final = 0.01
#: Share of tests whose valid-until date staff fill in (blank: the longest validity counts).
PATCH_VALID_UNTIL: Final = 0.85
#: Consents: photos and health-data consents given at the first visit, and marketing withdrawn and given again.
CONSENT_PHOTOS: Final = 0.35
CONSENT_HEALTH: Final = 0.7
CONSENT_REGRANTED: Final = 0.08
#: Follow-ups: share of lapsed and overdue clients the salon called, and how the calls went.
FOLLOW_UP_LAPSED: Final = 0.45
FOLLOW_UP_OVERDUE: Final = 0.35
FOLLOW_UP_OUTCOMES: Final = {"reached": 0.35, "booked": 0.15, "declined": 0.15, "no_answer": 0.35}
#: Share of long gaps in a regular's history (lapsed, then came back) that began with a follow-up call.
WIN_BACK_CALLED: Final = 0.5
