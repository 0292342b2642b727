"""The weekly report's action lists: who to call back, who is due, whose birthday is near, open complaints.

The outreach lists (lapsed, at risk, due next week, birthdays) come from
:mod:`sheetkit.analytics.outreach` and respect consent (docs/metrics.md#consent):
a client whose marketing consent is unsubscribed or whose preferred channel is
none is left off, and counted in the list's ``do_not_contact``; each row shows
the preferred channel and the marketing consent (``unknown``: ask at the next
visit). Health data never appears: rows carry at most the boolean ``safety_flag``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final, Literal

import pandas as pd

from sheetkit.analytics import birthdays_ahead, call_list, due_next_week, open_complaints
from sheetkit.frames import WorkbookData
from sheetkit.template import Labels

__all__ = ["CALL_COLUMNS", "OUTREACH", "ActionList", "build_actions"]

#: Columns of the lapsed and at-risk lists, in order.
CALL_COLUMNS: Final = (
    "client_id",
    "full_name",
    "phone",
    "preferred_channel",
    "marketing_opt_in",
    "assigned_therapist",
    "follow_up",
    "last_service",
    "last_visit",
    "days_since_last_visit",
    "next_due",
    "safety_flag",
)
_DUE_COLUMNS: Final = (*CALL_COLUMNS[:8], "next_due", "days_until_due", "safety_flag")

#: The call lists and the follow-up status their rows show.
_CALLS: Final[tuple[tuple[Literal["lapsed", "at_risk"], str], ...]] = (("lapsed", "lapsed"), ("at_risk", "overdue"))

#: The lists that contact clients (and so leave out those who must not be contacted).
OUTREACH: Final = frozenset({"lapsed", "at_risk", "due_next_week", "birthdays"})


@dataclass(frozen=True)
class ActionList:
    """A list of clients or complaints to act on; ``rows`` holds canonical values."""

    key: str
    title: str
    description: str
    rows: pd.DataFrame
    #: Placeholder values of the localized description (e.g. ``days`` for birthdays).
    values: Mapping[str, Any] = field(default_factory=dict)
    #: Clients left off an outreach list because they must not be contacted (None for other lists).
    do_not_contact: int | None = None


def _action(labels: Labels, key: str, rows: pd.DataFrame, refused: int | None = None, **values: Any) -> ActionList:
    title = labels.report[f"action_{key}_title"]
    description = labels.report[f"action_{key}_description"].format(**values)
    return ActionList(key, title, description, rows, values, refused)


def build_actions(data: WorkbookData, as_of: dt.date, labels: Labels, view: pd.DataFrame) -> list[ActionList]:
    """The five action lists as of ``as_of``; ``view`` is the staff view as of ``as_of``."""
    args = (data.clients, data.visits, data.lists, data.settings)
    lists: dict[str, pd.DataFrame] = {}
    refused: dict[str, int] = {}
    for which, status in _CALLS:
        rows = call_list(*args, as_of=as_of, which=which, view=view)
        lists[which] = rows.assign(follow_up=status).loc[:, list(CALL_COLUMNS)]
        refused[which] = len(call_list(*args, as_of=as_of, which=which, contact="refused", view=view))
    due = due_next_week(*args, as_of=as_of, view=view).assign(follow_up="due_soon")
    lists["due_next_week"] = due.loc[:, list(_DUE_COLUMNS)]
    refused["due_next_week"] = len(due_next_week(*args, as_of=as_of, contact="refused", view=view))
    lists["birthdays"] = birthdays_ahead(data.clients, as_of=as_of, settings=data.settings)
    refused["birthdays"] = len(birthdays_ahead(data.clients, as_of=as_of, settings=data.settings, contact="refused"))
    complaints = open_complaints(data.feedback, as_of=as_of)
    names = data.clients.drop_duplicates("client_id").set_index("client_id")["full_name"]
    complaints.insert(3, "full_name", complaints["client_id"].map(names))
    lead = int(data.settings.get("birthday_lead_days", 7))
    return [
        _action(labels, "lapsed", lists["lapsed"], refused["lapsed"]),
        _action(labels, "at_risk", lists["at_risk"], refused["at_risk"]),
        _action(labels, "due_next_week", lists["due_next_week"], refused["due_next_week"]),
        _action(labels, "birthdays", lists["birthdays"], refused["birthdays"], days=lead),
        _action(labels, "open_complaints", complaints),
    ]
