"""The demo salon as a whole: :func:`generate_demo` builds its frames, :func:`write_demo` its workbook.

The sheets are drawn in a fixed order from one seeded generator (see :mod:`.draw`):
reference lists, visit history, memberships, visits, patch tests, clients, consents,
appointments, feedback, follow-ups. Moving a step changes every value drawn after it.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from sheetkit.demo.appointments import make_appointments
from sheetkit.demo.catalogue import make_catalogue
from sheetkit.demo.clients import make_clients
from sheetkit.demo.columns import ids, objects
from sheetkit.demo.consents import make_consents
from sheetkit.demo.draw import Draw
from sheetkit.demo.feedback import make_feedback
from sheetkit.demo.follow_ups import make_follow_ups
from sheetkit.demo.history import plan_history
from sheetkit.demo.patch_tests import make_patch_tests
from sheetkit.demo.visits import make_visits, member_flags
from sheetkit.errors import UsageError
from sheetkit.frames import WorkbookData
from sheetkit.template import Template, load_template
from sheetkit.template.defaults import default_settings

__all__ = ["generate_demo", "write_demo"]


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
    after real cities of the locale), 3-6 therapists per branch and the template's default
    services, categories and payment methods. Its ``clients`` clients carry names,
    phones and addresses from Faker in the locale's language, occupations of the
    locale, a skin profile, health and consent data, membership and loyalty points. About 85 % are active
    (some of them lapsed or overdue, 7 % never visited), 5 % paused and 10 % ended the
    relationship long ago. Each visited client comes back at a personal cadence around
    the recommended interval of a favourite category, so a typical client has about ten
    treatments; appointments (completed, cancelled, no-show, booked ahead with
    same-day rebooking, a few today) and feedback (praise, suggestions, complaints,
    some still open) follow from the visits. Cancellations record when they were made
    (some late); every treatment that needs a patch test has a passing, valid one
    before it (and a few tests failed or are pending); the consent history agrees with
    the clients' consent and marketing columns; lapsed and overdue clients have
    follow-up calls with outcomes. Nothing lies after ``as_of`` except appointments
    booked ahead, valid-until and next-visit-due dates.

    The result depends only on the arguments: the same ``(seed, as_of, clients,
    branches, locale)`` gives identical frames on every call, in every process (whatever
    ``PYTHONHASHSEED``). Every free-text field (notes, products, reasons,
    occupations, feedback) is in the locale's language (:mod:`.words`).

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
    draw = Draw(tpl, tpl.labels(locale), seed=seed, as_of=day)
    catalogue = make_catalogue(draw, branches)
    history = plan_history(draw.rng, catalogue, clients, branches)
    client_ids = objects(ids("C", clients, 4))
    member = member_flags(draw.rng, history)
    visits = make_visits(draw, catalogue, history, client_ids, member)
    patch_tests = make_patch_tests(draw, catalogue, history.plan, visits, client_ids)
    clients_frame = make_clients(
        draw,
        catalogue,
        history.plan,
        client_ids,
        member=member,
        points_by_client=visits.points_by_client,
        latest_patch=(patch_tests.latest_date, patch_tests.latest_result),
    )
    consents = make_consents(draw, history.plan, clients_frame)
    appointments = make_appointments(draw, catalogue, history, client_ids)
    feedback = make_feedback(draw, catalogue, visits, client_ids)
    settings = default_settings(tpl, draw.labels)
    frames = {"clients": clients_frame, "appointments": appointments, "feedback": feedback}
    follow_ups = make_follow_ups(draw, history.plan, history.days, frames, settings)
    return WorkbookData(
        clients=clients_frame,
        visits=visits.frame,
        appointments=appointments,
        feedback=feedback,
        lists=catalogue.lists,
        settings=settings,
        patch_tests=patch_tests.frame,
        consents=consents,
        follow_ups=follow_ups,
    )


def write_demo(
    path: Path | str,
    *,
    clients: int = 300,
    branches: int = 1,
    locale: str = "en",
    seed: int = 1,
    as_of: dt.date,
    overwrite: bool = False,
    password: str | None = None,
) -> dict[str, Any]:
    """Generate a demo salon and write it as a workbook (encrypted with ``password``, if given); return a summary.

    The summary counts the rows written and the clients a front desk would act
    on as of ``as_of`` (due soon, overdue, lapsed, never visited), computed
    with :func:`sheetkit.analytics.intervals.staff_view`.
    """
    from sheetkit.analytics.intervals import staff_view  # noqa: PLC0415 - analytics imports pandas-heavy code
    from sheetkit.excel.writer import write_excel  # noqa: PLC0415 - the writer imports this module's frames

    data = generate_demo(clients=clients, branches=branches, locale=locale, seed=seed, as_of=as_of)
    written = write_excel(
        path,
        data,
        locale=locale,
        overwrite=overwrite,
        generated_at=dt.datetime.combine(as_of, dt.time(8, 0)),
        password=password,
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
        "patch_tests": len(data.patch_tests),
        "consents": len(data.consents),
        "follow_ups": len(data.follow_ups),
        **{key: int(follow.get(key, 0)) for key in ("due_soon", "overdue", "lapsed", "never_visited")},
    }
