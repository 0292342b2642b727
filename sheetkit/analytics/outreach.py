"""Outreach lists: lapsed and at-risk clients, due next week, birthdays ahead, never visited.

Every list follows docs/metrics.md under the name given there and takes an
explicit ``as_of``; nothing here reads the clock. The follow-up statuses (lapsed,
overdue, next due, never visited) come from
:func:`sheetkit.analytics.intervals.staff_view` so the Python figures match the
workbook's staff-view formula columns; dates are compared by calendar day.

**Consent** (docs/metrics.md#consent): a client whose marketing consent is
``unsubscribed`` or whose preferred channel is ``none`` is *do not contact*. The
outreach lists (lapsed, at risk, due next week, birthdays) leave them out by
default (``contact="allowed"``); ``contact="refused"`` lists only them (to count
them) and ``contact="all"`` everyone. ``contact="marketing"`` keeps only the
clients who gave marketing consent (:func:`~sheetkit.analytics.followups.marketing_consent`,
which also reads the Consents sheet): the weekly report uses it for the lists meant
for marketing. Every list carries the preferred channel and the marketing consent; a
blank consent is ``unknown`` (ask at the next visit).

**Follow-ups** (template v2, docs/metrics.md#follow-ups): a client followed up within
Settings ``follow_up_quiet_days`` before ``as_of`` is left out too
(``followed_up="leave_out"``, the default); ``"only"`` lists only them (to count them),
``"keep"`` ignores follow-ups. The FollowUps and Consents sheets are read from a
ValidationResult or WorkbookData; with the old four-frame form there are none.

Health data (allergies, medications, contraindications, patch tests) never leaves
this module: outputs carry at most the boolean ``safety_flag``.
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any, Final, Literal

import pandas as pd

from sheetkit.analytics.followups import QUIET_DAYS, marketing_consent, recently_followed_up
from sheetkit.analytics.inputs import Source, workbook_inputs
from sheetkit.analytics.intervals import birthday_column, client_intervals, days_to_birthday, last_service, staff_view
from sheetkit.errors import UsageError
from sheetkit.frames import WorkbookData
from sheetkit.template import load_template

__all__ = [
    "CONTACT_COLUMNS",
    "Contact",
    "FollowedUp",
    "allergy_none_words",
    "birthdays_ahead",
    "call_list",
    "do_not_contact",
    "due_next_week",
    "never_visited",
    "safety_flag",
]

#: Which clients an outreach list holds: those who may be contacted, only those who may not, or everyone.
Contact = Literal["allowed", "refused", "all", "marketing"]
#: Clients followed up recently: left out of the list, the only ones listed, or not looked at.
FollowedUp = Literal["leave_out", "only", "keep"]


def _choice(choice_list: str, key: str) -> str:
    """A key of one of the template's fixed choice lists (fails at import if the template renamed it)."""
    if key not in load_template().choice_lists[choice_list]:
        raise AssertionError(f"the template's {choice_list} choices have no {key!r}")  # pragma: no cover
    return key


#: The preferred channel that means "do not contact me".
NO_CHANNEL: Final = _choice("channel", "none")
#: Marketing consent withdrawn.
UNSUBSCRIBED: Final = _choice("marketing_opt_in", "unsubscribed")
#: Marketing consent not asked yet (also what a blank consent cell means).
UNKNOWN_CONSENT: Final = _choice("marketing_opt_in", "unknown")

#: Contact columns of the Clients sheet carried into call lists (never health columns).
CONTACT_COLUMNS: Final = (
    "client_id",
    "full_name",
    "phone",
    "preferred_channel",
    "marketing_opt_in",
    "assigned_therapist",
)


@functools.cache
def allergy_none_words() -> frozenset[str]:
    """The explicit "no allergies" words of every template locale (``allergies_none``), folded."""
    template = load_template()
    return frozenset(
        template.labels(locale).message("allergies_none").strip().casefold() for locale in template.locales
    )


def _day(value: dt.date) -> pd.Timestamp:
    return pd.Timestamp(value).normalize()


def _column(frame: pd.DataFrame, key: str) -> pd.Series:
    if key in frame:
        return frame[key]
    return pd.Series(None, index=frame.index, dtype=object)


def _present(values: pd.Series) -> pd.Series:
    text = values.astype("string").str.strip()
    return (text.notna() & text.ne("")).fillna(False).astype(bool)


def safety_flag(clients: pd.DataFrame) -> pd.Series:
    """True when a client has an allergy other than an explicit none, or any contraindication.

    The explicit none words are the template's ``allergies_none`` messages
    (:func:`allergy_none_words`, compared trimmed and case-insensitively), as in the
    workbook's health-alert highlight.

    >>> c = pd.DataFrame({"allergies": ["None", "latex", None, ""], "contraindications": [None, None, "pregnant", " "]})
    >>> safety_flag(c).tolist()
    [False, True, True, False]
    """
    allergies = _column(clients, "allergies").astype("string").str.strip()
    allergy = _present(allergies) & ~allergies.str.lower().isin(allergy_none_words()).fillna(False).astype(bool)
    contra = _present(_column(clients, "contraindications"))
    return (allergy | contra).astype(bool)


def do_not_contact(clients: pd.DataFrame) -> pd.Series:
    """True for clients who must not be contacted: marketing consent unsubscribed, or preferred channel none.

    Definition: docs/metrics.md#consent. A blank consent or channel is not a refusal.

    >>> c = pd.DataFrame({"marketing_opt_in": ["subscribed", "unsubscribed", None, "unknown"],
    ...                   "preferred_channel": ["sms", "sms", "none", None]})
    >>> do_not_contact(c).tolist()
    [False, True, True, False]
    """
    consent = _column(clients, "marketing_opt_in").astype("string").str.strip()
    channel = _column(clients, "preferred_channel").astype("string").str.strip()
    refused = consent.eq(UNSUBSCRIBED).fillna(False) | channel.eq(NO_CHANNEL).fillna(False)
    return refused.astype(bool)


def _contact_mask(data: WorkbookData, contact: Contact, as_of: dt.date) -> pd.Series:
    clients = data.clients
    if contact not in {"allowed", "refused", "all", "marketing"}:
        raise UsageError(f"contact must be 'allowed', 'refused', 'all' or 'marketing', not {contact!r}")
    refused = do_not_contact(clients)
    if contact == "all":
        return pd.Series(True, index=clients.index)
    if contact == "marketing":
        return ~refused & marketing_consent(clients, data.consents, as_of=as_of)
    return refused if contact == "refused" else ~refused


def _follow_up_mask(data: WorkbookData, followed_up: FollowedUp, as_of: dt.date) -> pd.Series:
    """Clients rows kept by ``followed_up`` (docs/metrics.md#follow-ups)."""
    if followed_up not in {"leave_out", "only", "keep"}:
        raise UsageError(f"followed_up must be 'leave_out', 'only' or 'keep', not {followed_up!r}")
    clients = data.clients
    if followed_up == "keep":
        return pd.Series(True, index=clients.index)
    quiet = int(data.settings.get("follow_up_quiet_days", QUIET_DAYS))
    recent = clients["client_id"].isin(recently_followed_up(data.follow_ups, as_of=as_of, quiet_days=quiet))
    recent = recent.fillna(False).astype(bool)
    return recent if followed_up == "only" else ~recent


def _kept(data: WorkbookData, contact: Contact, followed_up: FollowedUp, as_of: dt.date) -> pd.Series:
    return _contact_mask(data, contact, as_of) & _follow_up_mask(data, followed_up, as_of)


def _contacts(clients: pd.DataFrame, keep: pd.Series) -> pd.DataFrame:
    """The contact columns of the kept clients; a blank marketing consent reads ``unknown``."""
    out = pd.DataFrame({key: _column(clients, key) for key in CONTACT_COLUMNS}, index=clients.index).loc[keep]
    consent = out["marketing_opt_in"].astype("string").str.strip()
    out["marketing_opt_in"] = consent.mask(consent.isna() | consent.eq(""), UNKNOWN_CONSENT).astype(object)
    return out


def _active(clients: pd.DataFrame) -> pd.Series:
    return clients["client_status"].eq("active").fillna(False).astype(bool)


def call_list(
    clients: Source,
    visits: pd.DataFrame | None = None,
    lists: dict[str, pd.DataFrame] | None = None,
    settings: dict[str, Any] | None = None,
    *,
    as_of: dt.date,
    which: Literal["lapsed", "at_risk"] = "lapsed",
    contact: Contact = "allowed",
    followed_up: FollowedUp = "leave_out",
    view: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Lapsed or at-risk (overdue) clients to call, most overdue first.

    ``clients`` is a :class:`~sheetkit.ValidationResult` (or its WorkbookData), or,
    as before, the Clients frame followed by visits, lists and settings.

    Definitions (docs/metrics.md#call-list, as computed by :func:`staff_view` from the
    workbook Settings ``lapse_floor_days`` / ``lapse_factor``): **lapsed** = active
    and days since last visit > max(lapse floor, lapse factor x typical interval)
    (SalonBiz floor 90, factor 2.0); **at risk** (overdue) = active, next due before
    ``as_of`` and not lapsed. Relationship-ended and paused clients are never listed;
    never-visited clients are not lapsed (see :func:`never_visited`). ``contact`` and
    ``followed_up``: see the module docstring (do-not-contact and recently followed-up
    clients are left out by default).

    Columns: client_id, full_name, phone, preferred_channel, marketing_opt_in,
    assigned_therapist, last_service, last_visit, days_since_last_visit,
    typical_interval_days, next_due (the calendar day), days_overdue (= as_of - next
    due, in days; blank when the typical interval is unknown), safety_flag. No health
    column is included.

    ``view``: the :func:`staff_view` of the same data when the caller already
    has it (it is the costly part), else it is computed here.
    """
    data = workbook_inputs(clients, visits, lists, settings)
    status = {"lapsed": "lapsed", "at_risk": "overdue"}.get(which)
    if status is None:
        raise UsageError(f"which must be 'lapsed' or 'at_risk', not {which!r}")
    if view is None:
        view = staff_view(data, as_of=as_of)
    people = data.clients
    keep = view["follow_up"].eq(status).fillna(False).astype(bool) & _kept(data, contact, followed_up, as_of)
    out = _contacts(people, keep)
    services = last_service(data.visits, as_of)
    out["last_service"] = out["client_id"].map(services) if not services.empty else None
    out["last_visit"] = view.loc[keep, "last_visit"]
    out["days_since_last_visit"] = view.loc[keep, "days_since_last_visit"].astype("Int64")
    out["typical_interval_days"] = view.loc[keep, "typical_interval_days"].astype(float)
    out["next_due"] = view.loc[keep, "next_due"].dt.floor("D")
    out["days_overdue"] = (_day(as_of) - out["next_due"]).dt.days.astype(float)
    out["safety_flag"] = safety_flag(people).loc[keep]
    out = out.sort_values(
        ["days_overdue", "days_since_last_visit", "client_id"], ascending=[False, False, True], na_position="last"
    )
    return out.reset_index(drop=True)


def never_visited(clients: pd.DataFrame, visits: pd.DataFrame, *, as_of: dt.date) -> pd.DataFrame:
    """Active clients with no visit day on or before ``as_of`` (docs/metrics.md#never-visited).

    Listed apart from lapsed clients. Columns: the contact columns and safety_flag,
    in Clients sheet order.
    """
    seen = client_intervals(visits, as_of=as_of).index
    ids = clients["client_id"]
    keep = (_active(clients) & ids.notna() & ~ids.isin(seen)).fillna(False).astype(bool)
    out = _contacts(clients, keep)
    out["safety_flag"] = safety_flag(clients).loc[keep]
    return out.reset_index(drop=True)


def due_next_week(
    clients: Source,
    visits: pd.DataFrame | None = None,
    lists: dict[str, pd.DataFrame] | None = None,
    settings: dict[str, Any] | None = None,
    *,
    as_of: dt.date,
    contact: Contact = "allowed",
    followed_up: FollowedUp = "leave_out",
    view: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Active clients whose next due falls on one of the 7 days after ``as_of``: (as_of, as_of + 7].

    Definition: docs/metrics.md#due-next-week; next due = last visit day +
    typical interval, from :func:`staff_view`, counted on its calendar day (a next
    due of 16:00 on ``as_of`` is due on ``as_of``, so not next week), as the
    workbook's formulas do. Columns: the contact columns, last_service, last_visit,
    typical_interval_days, next_due (the calendar day), days_until_due, safety_flag;
    soonest first. Arguments as for :func:`call_list`.
    """
    data = workbook_inputs(clients, visits, lists, settings)
    if view is None:
        view = staff_view(data, as_of=as_of)
    people = data.clients
    today = _day(as_of)
    due = view["next_due"].dt.floor("D")
    window = (due > today) & (due <= today + pd.Timedelta(days=7))
    keep = (_active(people) & window).fillna(False).astype(bool) & _kept(data, contact, followed_up, as_of)
    out = _contacts(people, keep)
    services = last_service(data.visits, as_of)
    out["last_service"] = out["client_id"].map(services) if not services.empty else None
    out["last_visit"] = view.loc[keep, "last_visit"]
    out["typical_interval_days"] = view.loc[keep, "typical_interval_days"].astype(float)
    out["next_due"] = due.loc[keep]
    out["days_until_due"] = (out["next_due"] - today).dt.days.astype("Int64")
    out["safety_flag"] = safety_flag(people).loc[keep]
    return out.sort_values(["next_due", "client_id"]).reset_index(drop=True)


def birthdays_ahead(
    clients: Source,
    *,
    as_of: dt.date,
    lead_days: int | None = None,
    settings: dict[str, Any] | None = None,
    contact: Contact = "allowed",
    followed_up: FollowedUp = "leave_out",
) -> pd.DataFrame:
    """Active clients whose next birthday falls within the lead days after ``as_of``.

    Definition: docs/metrics.md#birthdays-ahead, as the workbook's birthday
    highlight: days to the next birthday in [0, lead] (0 = today). ``lead_days``
    defaults to Settings ``birthday_lead_days`` (7: a gift one week before). The
    birthday is ``birth_month_day`` ("MM-DD", known also without the year), or
    ``birth_date`` in frames without it; 29 February falls on 28 February in
    non-leap years. ``clients``: a ValidationResult, WorkbookData or the Clients
    frame; ``contact`` and ``followed_up`` as for :func:`call_list`. Columns: the
    contact columns, birthday (the date of the next birthday), days_until; soonest first.
    """
    if isinstance(clients, pd.DataFrame):
        data = workbook_inputs(clients, clients.iloc[0:0].reindex(columns=["client_id", "visit_date"]), None, settings)
    else:
        data = workbook_inputs(clients)
        settings = data.settings if settings is None else settings
    people = data.clients
    if lead_days is None:
        lead_days = int((settings or {}).get("birthday_lead_days", 7))
    days = days_to_birthday(birthday_column(people), as_of=as_of)
    keep = (_active(people) & days.notna() & (days <= lead_days)).fillna(False).astype(bool)
    keep &= _kept(data, contact, followed_up, as_of)
    out = _contacts(people, keep)
    out["days_until"] = days.loc[keep].astype("Int64")
    out["birthday"] = [as_of + dt.timedelta(days=int(d)) for d in days.loc[keep].tolist()]
    out = out.loc[:, [*CONTACT_COLUMNS, "birthday", "days_until"]]
    return out.sort_values(["days_until", "client_id"]).reset_index(drop=True)
