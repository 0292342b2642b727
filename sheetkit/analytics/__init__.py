"""Analytics over the canonical frames: DataFrame in, DataFrame out, explicit ``as_of``.

Every metric follows its definition in docs/metrics.md and names whose definition
it follows in its docstring:

* :mod:`sheetkit.analytics.intervals` - visit days, intervals, typical interval,
  next due, lapsed / overdue / due soon, the Clients staff view;
* :mod:`sheetkit.analytics.retention` - return within X days (Zenoti), future-booked
  (Timely), returning share (Square), new-client conversion (Salon Iris), cohort
  matrix, CRR;
* :mod:`sheetkit.analytics.outreach` - call lists (lapsed, at risk, never visited),
  due next week, birthdays ahead, each respecting marketing consent (do not contact);
* :mod:`sheetkit.analytics.activity` - rebooking rate (same day / 24 h, cancelled or
  not), no-show, cancellation and late-cancellation rates, open complaints, spend,
  weekly activity (the report's trend);
* :mod:`sheetkit.analytics.followups` - recently followed-up clients, marketing
  consent (Clients and the Consents sheet), win-back outcomes of the follow-ups.
"""

from __future__ import annotations

from sheetkit.analytics.activity import (
    average_visit_value,
    cancellation_rate,
    cancelled_late,
    late_cancellation_rate,
    no_show_rate,
    open_complaints,
    rebooking_rate,
    spend,
    weekly_activity,
)
from sheetkit.analytics.followups import WinBack, marketing_consent, recently_followed_up, win_back
from sheetkit.analytics.intervals import client_intervals, days_to_birthday, staff_view
from sheetkit.analytics.outreach import (
    birthdays_ahead,
    call_list,
    do_not_contact,
    due_next_week,
    never_visited,
    safety_flag,
)
from sheetkit.analytics.retention import (
    cohort_matrix,
    crr,
    future_booked,
    new_client_conversion,
    return_within,
    returning_share,
)

__all__ = [
    "WinBack",
    "average_visit_value",
    "birthdays_ahead",
    "call_list",
    "cancellation_rate",
    "cancelled_late",
    "client_intervals",
    "cohort_matrix",
    "crr",
    "days_to_birthday",
    "do_not_contact",
    "due_next_week",
    "future_booked",
    "late_cancellation_rate",
    "marketing_consent",
    "never_visited",
    "new_client_conversion",
    "no_show_rate",
    "open_complaints",
    "rebooking_rate",
    "recently_followed_up",
    "return_within",
    "returning_share",
    "safety_flag",
    "spend",
    "staff_view",
    "weekly_activity",
    "win_back",
]
