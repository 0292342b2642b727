"""Consent-aware action lists: do-not-contact clients are left off the outreach lists and counted apart."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from sheetkit.analytics import birthdays_ahead, call_list, do_not_contact, due_next_week
from sheetkit.errors import UsageError
from sheetkit.issues import ValidationResult
from sheetkit.report import WeeklyReport, build_report, write_report_html, write_report_xlsx
from sheetkit.report.content import HEALTH_COLUMNS, action_description, display_value
from sheetkit.template import load_template
from tests.test_report_periods import frames

D = pd.Timestamp
AS_OF = dt.date(2026, 11, 18)

#: client, marketing consent, preferred channel, status, last visit, birthday. Worked out for 2026-11-18:
#: a facial (28 days) on 2026-01-05 is lapsed, on 2026-10-01 at risk (due 10-29), on 2026-10-25 due 11-22.
CLIENTS: list[tuple[str, str | None, str | None, str, str, str | None]] = [
    ("L1", "subscribed", "sms", "active", "2026-01-05", "11-20"),  # lapsed, listed; birthday in 2 days
    ("L2", "unsubscribed", "sms", "active", "2026-01-05", "11-21"),  # lapsed, do not contact (both lists)
    ("L3", "subscribed", "none", "active", "2026-01-05", None),  # lapsed, channel none: do not contact
    ("L4", "unknown", "phone", "active", "2026-01-05", None),  # lapsed, listed: ask for consent
    ("L5", None, "email", "active", "2026-01-05", None),  # lapsed, blank consent = unknown, listed
    ("L6", "unsubscribed", "sms", "paused", "2026-01-05", None),  # paused: on no list, not counted
    ("R1", "unsubscribed", "whatsapp", "active", "2026-10-01", None),  # at risk, do not contact
    ("D1", "subscribed", "email", "active", "2026-10-25", None),  # due 11-22, listed
    ("D2", "subscribed", "none", "active", "2026-10-25", None),  # due 11-22, do not contact
]


def consent_salon() -> Any:
    clients = [
        {
            "client_id": cid,
            "full_name": f"Name {cid}",
            "phone": "+44 20 0000 0000",
            "marketing_opt_in": consent,
            "preferred_channel": channel,
            "client_status": status,
            "birth_date": birthday,
            "allergies": "zz-secret-latex" if cid == "L1" else None,
        }
        for cid, consent, channel, status, _, birthday in CLIENTS
    ]
    visits = [
        {
            "visit_id": f"V{n}",
            "client_id": cid,
            "visit_date": D(day),
            "service": "Hydrating facial",
            "amount_paid": 80.0,
        }
        for n, (cid, _, _, _, day, _) in enumerate(CLIENTS)
    ]
    return frames(clients, visits, [])


@pytest.fixture(scope="module")
def report() -> WeeklyReport:
    return build_report(ValidationResult(frames=consent_salon()), as_of=AS_OF)


def _ids(report: WeeklyReport, key: str) -> list[str]:
    action = next(a for a in report.actions if a.key == key)
    return list(action.rows["client_id"])


def _refused(report: WeeklyReport, key: str) -> int | None:
    return next(a for a in report.actions if a.key == key).do_not_contact


def test_do_not_contact_rule() -> None:
    data = consent_salon()
    flags = dict(zip(data.clients["client_id"], do_not_contact(data.clients), strict=True))
    assert [cid for cid, flag in flags.items() if flag] == ["L2", "L3", "L6", "R1", "D2"]


def test_outreach_lists_leave_out_and_count_do_not_contact(report: WeeklyReport) -> None:
    assert _ids(report, "lapsed") == ["L1", "L4", "L5"]
    assert _refused(report, "lapsed") == 2  # L2 unsubscribed, L3 channel none; paused L6 is on no list at all
    assert _ids(report, "at_risk") == []
    assert _refused(report, "at_risk") == 1
    assert _ids(report, "due_next_week") == ["D1"]
    assert _refused(report, "due_next_week") == 1
    assert _ids(report, "birthdays") == ["L1"]
    assert _refused(report, "birthdays") == 1
    assert _refused(report, "open_complaints") is None  # not an outreach list
    # The lapsed KPI counts every lapsed client, listed or not.
    lapsed = next(k for k in report.kpis if k.key == "lapsed_clients")
    assert lapsed.this == 5


def test_lists_show_channel_and_consent_and_prompt_for_unknown(report: WeeklyReport) -> None:
    labels = load_template().labels("en")
    for action in report.actions[:4]:
        assert {"preferred_channel", "marketing_opt_in"} <= set(action.rows.columns)
        assert not HEALTH_COLUMNS & set(action.rows.columns)
    lapsed = report.actions[0].rows.set_index("client_id")
    assert lapsed["marketing_opt_in"].to_dict() == {"L1": "subscribed", "L4": "unknown", "L5": "unknown"}
    assert display_value(labels, "marketing_opt_in", "unknown") == "Unknown: ask at the next visit"
    assert display_value(labels, "marketing_opt_in", "subscribed") == "Subscribed"
    it = load_template().labels("it")
    assert display_value(it, "preferred_channel", "sms") == "SMS"
    assert display_value(it, "marketing_opt_in", "unknown") == "Sconosciuto: chiedere alla prossima visita"
    assert action_description(labels, report.actions[0]).endswith(
        'Not listed: 2 clients who must not be contacted (unsubscribed, or preferred channel "No contact").'
    )


def test_rendered_reports_name_nobody_who_must_not_be_contacted(report: WeeklyReport, tmp_path: Path) -> None:
    page = write_report_html(report, tmp_path / "weekly.html", locale="en").read_text(encoding="utf-8")
    xlsx = write_report_xlsx(report, tmp_path / "weekly.xlsx", locale="en")
    with zipfile.ZipFile(xlsx) as z:
        strings = z.read("xl/sharedStrings.xml").decode("utf-8")
    for text in (page, strings):
        assert "Name L1" in text
        assert "Unknown: ask at the next visit" in text
        for refused in ("Name L2", "Name L3", "Name R1", "Name D2"):
            assert refused not in text
        assert "zz-secret-latex" not in text


def test_analytics_contact_choice() -> None:
    data = consent_salon()
    args = (data.clients, data.visits, data.lists, data.settings)
    everyone = call_list(*args, as_of=AS_OF, contact="all")["client_id"].tolist()
    assert sorted(everyone) == ["L1", "L2", "L3", "L4", "L5"]
    assert call_list(*args, as_of=AS_OF, contact="refused")["client_id"].tolist() == ["L2", "L3"]
    assert due_next_week(*args, as_of=AS_OF, contact="all")["client_id"].tolist() == ["D1", "D2"]
    assert birthdays_ahead(data.clients, as_of=AS_OF, contact="refused")["client_id"].tolist() == ["L2"]
    with pytest.raises(UsageError, match="contact must be"):
        call_list(*args, as_of=AS_OF, contact="maybe")  # type: ignore[arg-type]
