"""Follow-ups and consents (template version 2): who was contacted lately, who may get marketing, win-back outcomes.

Definitions: docs/metrics.md#follow-ups and docs/metrics.md#consent.

* **recently followed up**: a client with a FollowUps row dated in
  (as_of - quiet days, as_of] (Settings ``follow_up_quiet_days``, default 14; 0 turns
  it off). The outreach lists leave them out and count them.
* **latest consent**: per client and purpose, the Consents row with the latest date
  on or before ``as_of`` (on one date, the lower row); never defaulted to yes.
* **marketing consent**: the latest marketing consent is ``granted``, or there is
  none and Clients ``marketing_opt_in`` is ``subscribed``; a withdrawn consent or an
  ``unsubscribed`` opt-in always wins. Lists meant for marketing hold only these clients.
* **win-back outcomes**: FollowUps dated in the period, counted by reason x outcome
  (a blank outcome is ``not_recorded``); and, of the clients followed up in the period
  for reason lapsed or at_risk, how many had a visit day after their (first) follow-up
  in the period, up to ``as_of``.

A workbook of template version 1 has no FollowUps or Consents sheet: its frames
are empty and every function here then changes nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import Final, NamedTuple

import pandas as pd

from sheetkit.safety import latest_consents
from sheetkit.template import load_template

__all__ = [
    "NOT_RECORDED",
    "WinBack",
    "marketing_consent",
    "recently_followed_up",
    "win_back",
]

#: Default of Settings ``follow_up_quiet_days``.
QUIET_DAYS: Final = 14
#: The outcome column value of a follow-up whose outcome cell is blank.
NOT_RECORDED: Final = "not_recorded"
#: Follow-up reasons that try to win a client back.
WIN_BACK_REASONS: Final = ("lapsed", "at_risk")


def _day(value: dt.date) -> pd.Timestamp:
    return pd.Timestamp(value).normalize()


def _dates(frame: pd.DataFrame, key: str) -> pd.Series:
    if key not in frame:
        return pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns]")
    return pd.to_datetime(frame[key], errors="coerce").dt.normalize()


def _text(frame: pd.DataFrame, key: str) -> pd.Series:
    if key not in frame:
        return pd.Series(None, index=frame.index, dtype=object)
    return frame[key].astype(object)


def recently_followed_up(follow_ups: pd.DataFrame, *, as_of: dt.date, quiet_days: int = QUIET_DAYS) -> frozenset[str]:
    """Client IDs with a follow-up dated in (as_of - quiet_days, as_of].

    >>> f = pd.DataFrame({"client_id": ["C1", "C2", "C3"],
    ...                   "date": pd.to_datetime(["2026-11-20", "2026-11-08", "2026-11-23"])})
    >>> sorted(recently_followed_up(f, as_of=dt.date(2026, 11, 22), quiet_days=14))
    ['C1']
    """
    if quiet_days <= 0 or follow_ups.empty:
        return frozenset()
    when = _dates(follow_ups, "date")
    today = _day(as_of)
    keep = (when > today - pd.Timedelta(days=quiet_days)) & (when <= today)
    return frozenset(str(c) for c in _text(follow_ups, "client_id")[keep.fillna(False)].dropna())


def marketing_consent(clients: pd.DataFrame, consents: pd.DataFrame, *, as_of: dt.date) -> pd.Series:
    """True for each Clients row whose client gave marketing consent (docs/metrics.md#consent).

    >>> c = pd.DataFrame({"client_id": ["C1", "C2", "C3", "C4"],
    ...                   "marketing_opt_in": ["subscribed", "subscribed", "unknown", "unsubscribed"]})
    >>> k = pd.DataFrame({"client_id": ["C2", "C3", "C4"], "purpose": ["marketing"] * 3,
    ...                   "decision": ["withdrawn", "granted", "granted"],
    ...                   "date": pd.to_datetime(["2026-01-01"] * 3)}, index=[2, 3, 4])
    >>> marketing_consent(c, k, as_of=dt.date(2026, 11, 22)).tolist()
    [True, False, True, False]
    """
    opt_in = _text(clients, "marketing_opt_in").astype("string").str.strip()
    latest = latest_consents(consents, as_of=as_of)
    marketing = (
        latest.xs("marketing", level="purpose")["decision"]
        if "marketing" in set(latest.index.get_level_values("purpose"))
        else pd.Series(dtype=object)
    )
    decision = _text(clients, "client_id").map(marketing)
    granted = decision.eq("granted") | (decision.isna() & opt_in.eq("subscribed").fillna(False))
    refused = decision.eq("withdrawn") | opt_in.eq("unsubscribed").fillna(False)
    return (granted & ~refused).fillna(False).astype(bool)


class WinBack(NamedTuple):
    """Win-back outcomes of one period (docs/metrics.md#win-back-outcomes)."""

    #: Follow-ups in the period: one row per reason, one column per outcome (plus not_recorded), counts.
    outcomes: pd.DataFrame
    #: Per win-back reason (lapsed, at_risk): clients followed up, clients who visited after, rate.
    returned: pd.DataFrame


def win_back(
    follow_ups: pd.DataFrame, visits: pd.DataFrame, *, start: dt.date, end: dt.date, as_of: dt.date
) -> WinBack:
    """Follow-ups in [start, end] by reason x outcome, and the lapsed / at-risk clients who came back after them.

    A client followed up for a win-back reason returns when they have a visit day
    after the date of their first follow-up for that reason in the period, up to
    ``as_of``. ``rate`` = returned / clients (NaN when none).

    >>> f = pd.DataFrame({"client_id": ["C1", "C2"], "reason": ["lapsed", "lapsed"],
    ...                   "outcome": ["booked", None], "date": pd.to_datetime(["2026-11-16", "2026-11-17"])})
    >>> v = pd.DataFrame({"client_id": ["C1"], "visit_date": pd.to_datetime(["2026-11-20"])})
    >>> w = win_back(f, v, start=dt.date(2026, 11, 16), end=dt.date(2026, 11, 22), as_of=dt.date(2026, 11, 22))
    >>> w.returned.loc["lapsed"].tolist()
    [2.0, 1.0, 0.5]
    """
    template = load_template()
    reasons = list(template.choice_lists.get("follow_up_reason", ()))
    outcomes = [*template.choice_lists.get("follow_up_outcome", ()), NOT_RECORDED]
    when = _dates(follow_ups, "date")
    in_period = when.between(_day(start), _day(min(end, as_of))).fillna(False).astype(bool)
    rows = pd.DataFrame(
        {
            "client_id": _text(follow_ups, "client_id"),
            "reason": _text(follow_ups, "reason"),
            "outcome": _text(follow_ups, "outcome").fillna(NOT_RECORDED),
            "date": when,
        }
    ).loc[in_period]
    rows = rows.loc[rows["reason"].notna()]
    table = pd.crosstab(rows["reason"], rows["outcome"]) if not rows.empty else pd.DataFrame()
    known = reasons + [r for r in table.index if r not in reasons]
    table = table.reindex(index=known, columns=outcomes + [c for c in table.columns if c not in outcomes])
    table = table.fillna(0).astype("int64")
    table.index.name, table.columns.name = "reason", "outcome"
    back = rows.loc[rows["reason"].isin(WIN_BACK_REASONS) & rows["client_id"].notna()]
    first = back.groupby(["reason", "client_id"])["date"].min().reset_index()
    visit_days = pd.DataFrame({"client_id": _text(visits, "client_id"), "visit": _dates(visits, "visit_date")}).dropna()
    visit_days = visit_days.loc[visit_days["visit"] <= _day(as_of)]
    later = first.merge(visit_days, on="client_id", how="left")
    later["after"] = later["visit"] > later["date"]
    came_back = later.groupby(["reason", "client_id"])["after"].any()
    summary = pd.DataFrame(index=pd.Index(list(WIN_BACK_REASONS), name="reason"))
    summary["clients"] = first.groupby("reason").size().reindex(summary.index, fill_value=0).astype(float)
    summary["returned"] = (
        came_back.groupby(level="reason").sum().reindex(summary.index, fill_value=0).astype(float)
        if not came_back.empty
        else 0.0
    )
    summary["rate"] = (summary["returned"] / summary["clients"].where(summary["clients"] > 0)).astype(float)
    return WinBack(table, summary)
