"""What the client-level analytics take: a ValidationResult (or WorkbookData), or the frames one by one.

``staff_view`` and the outreach lists were first written for four separate inputs
(clients, visits, lists, settings); a notebook more often holds the
:class:`~sheetkit.issues.ValidationResult` of :func:`sheetkit.validate`. Both
forms are accepted: :func:`workbook_inputs` turns either into one
:class:`~sheetkit.frames.WorkbookData`.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from sheetkit.errors import UsageError
from sheetkit.frames import WorkbookData, empty_frame
from sheetkit.issues import ValidationResult
from sheetkit.template import load_template

__all__ = ["Source", "workbook_inputs"]

#: A ValidationResult, its WorkbookData, or (old form) the Clients frame followed by visits, lists and settings.
Source = ValidationResult | WorkbookData | pd.DataFrame


def workbook_inputs(
    source: Source,
    visits: pd.DataFrame | None = None,
    lists: dict[str, pd.DataFrame] | None = None,
    settings: dict[str, Any] | None = None,
) -> WorkbookData:
    """One WorkbookData from either calling form.

    With a ValidationResult or WorkbookData, the other arguments must be left out;
    with a Clients frame, ``visits`` is required and lists and settings default to
    none (the template's defaults then apply where a metric needs one).
    """
    if isinstance(source, ValidationResult):
        source = source.frames
    if isinstance(source, WorkbookData):
        if visits is not None or lists is not None or settings is not None:
            raise UsageError(
                "give either a ValidationResult (or WorkbookData) alone, or clients, visits, lists, settings"
            )
        return source
    if not isinstance(source, pd.DataFrame):
        raise UsageError(
            f"expected a ValidationResult, WorkbookData or the Clients DataFrame, not {type(source).__name__}"
        )
    if visits is None:
        raise UsageError("with a Clients DataFrame, the Visits DataFrame must be given too")
    template = load_template()
    empty = {key: empty_frame(template, key) for key in ("appointments", "feedback")}
    return WorkbookData(clients=source, visits=visits, **empty, lists=lists or {}, settings=settings or {})
