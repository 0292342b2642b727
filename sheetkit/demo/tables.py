"""The demo's fixed tables: segment shares, probability tables by language and the English free-text banks.

Nothing here draws: the modules that build the sheets sample from these tables with the
salon's seeded generator, so changing a value here changes every demo workbook.
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
MANAGER: Final = {"zh": "店长", "vi": "Quản lý", "it": "Responsabile", "en": "Manager"}
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
