"""Spreadsheet formulas of the canonical workbook, as text.

Staff-view columns, helper columns and conditional-format rules are written
with functions that Excel, LibreOffice and Google Sheets all compute (COUNTIFS,
MAXIFS, MINIFS, SUMPRODUCT, INDEX/MATCH, DATE). Python never trusts the
cached results: :mod:`sheetkit.analytics.intervals` computes the same quantities
and the tests compare both after a LibreOffice recalculation.

The definitions are those of docs/metrics.md#visits-and-follow-up with ``as_of = TODAY()``:

* visit days are distinct dates; the hidden Visits column ``visit_day_key``
  holds the date on the first row of a (client, date) pair and 0 elsewhere;
* typical interval = mean of the last 3 intervals when there are at least 3,
  else the recommended interval of the category of the most recent service
  (the last row of the last visit day);
* next due = last visit day + typical interval;
* lapsed = active and days since > max(lapse floor, lapse factor x typical);
  overdue = next due before today and not lapsed; due soon = next due within
  the due-soon lead days from today. Next due is compared by its calendar day
  (``INT``), as :mod:`sheetkit.analytics.intervals` does: a fractional next due
  on today is due today.

Name look-ups (``client_name`` beside every ``client_id`` outside Clients) are
``IFERROR(INDEX(client_names, MATCH(id, client_ids, 0)), "")``. A birthday typed
without the year is read in the order of the Settings ``date_order`` cell: ``DD-MM``
when it is DMY, else ``MM-DD`` (``-``, ``/`` or ``.`` between the parts).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from sheetkit.template import Labels
from sheetkit.template.geometry import FIRST_DATA_ROW, WorkbookLayout

__all__ = ["ConditionalRule", "StaffFormulas"]

#: Number of most recent intervals averaged for the typical interval (Phorest).
TYPICAL_INTERVALS: Final = 3


@dataclass(frozen=True)
class ConditionalRule:
    """A formula-based conditional format on some columns of a sheet.

    ``formula`` is written for the first data row; spreadsheet apps shift it
    down the range. ``style`` names a look the writers know (see STYLES).
    """

    sheet: str
    columns: tuple[str, ...]
    formula: str
    style: str
    stop: bool = False


class StaffFormulas:
    """Formula text for one workbook layout in one locale."""

    def __init__(self, layout: WorkbookLayout, labels: Labels) -> None:
        self.layout = layout
        self.labels = labels
        self.clients = layout.sheet("clients")
        self.visits = layout.sheet("visits")
        self.appointments = layout.sheet("appointments")
        self.feedback = layout.sheet("feedback")

    # ----------------------------------------------------------------- helpers
    def _c(self, column: str, row: int) -> str:
        return self.clients.cell(column, row)

    def _v(self, column: str) -> str:
        return self.visits.data_range(column)

    @staticmethod
    def _text(value: str) -> str:
        return '"' + value.replace('"', '""') + '"'

    def _setting(self, key: str) -> str:
        return self.layout.setting_name(key)

    # ------------------------------------------------------------- Visits helper
    def visit_day_key(self, row: int) -> str:
        """Visits helper: the visit date on the first row of a (client, day) pair, else 0."""
        client = self.visits.cell("client_id", row)
        day = self.visits.cell("visit_date", row)
        c_letter = self.visits.letter("client_id")
        d_letter = self.visits.letter("visit_date")
        return (
            f'=IF(AND(ISNUMBER({day}),{client}<>""),'
            f"IF(COUNTIFS(${c_letter}${FIRST_DATA_ROW}:{client},{client},"
            f"${d_letter}${FIRST_DATA_ROW}:{day},{day})=1,INT({day}),0),0)"
        )

    # ----------------------------------------------------------- name look-up
    def client_name(self, row: int, sheet: str) -> str:
        """The client's name from Clients, beside a ``client_id`` of another sheet (blank when unknown)."""
        cid = self.layout.sheet(sheet).cell("client_id", row)
        return f'=IF({cid}="","",IFERROR(INDEX(client_names,MATCH({cid},client_ids,0)),""))'

    # ---------------------------------------------------------- Clients columns
    def formula(self, column: str, row: int, sheet: str = "clients") -> str:
        """Formula of a staff-view column (``formula:`` in template.yaml) of ``sheet`` at a 1-based row."""
        if column == "client_name":
            return self.client_name(row, sheet)
        builders = {
            "last_visit": self.last_visit,
            "visit_count": self.visit_count,
            "avg_interval_days": self.avg_interval_days,
            "next_due": self.next_due,
            "days_since_last_visit": self.days_since_last_visit,
            "follow_up": self.follow_up,
            "days_to_birthday": self.days_to_birthday,
            "visit_day_key": self.visit_day_key,
        }
        return builders[column](row)

    def _today_criteria(self) -> str:
        return '"<="&TODAY()'

    def visit_count(self, row: int) -> str:
        """Number of distinct visit days up to today."""
        cid = self._c("client_id", row)
        return (
            f'=IF({cid}="","",COUNTIFS({self._v("client_id")},{cid},'
            f'{self._v("visit_day_key")},">0",{self._v("visit_day_key")},{self._today_criteria()}))'
        )

    def last_visit(self, row: int) -> str:
        """Most recent visit day up to today."""
        count = self._c("visit_count", row)
        cid = self._c("client_id", row)
        return (
            f'=IF(N({count})=0,"",_xlfn.MAXIFS({self._v("visit_date")},{self._v("client_id")},{cid},'
            f"{self._v('visit_date')},{self._today_criteria()}))"
        )

    def _first_visit(self, row: int) -> str:
        cid = self._c("client_id", row)
        return (
            f"_xlfn.MINIFS({self._v('visit_date')},{self._v('client_id')},{cid},"
            f"{self._v('visit_date')},{self._today_criteria()})"
        )

    def avg_interval_days(self, row: int) -> str:
        """(last - first visit day) / (visit days - 1), blank below two visit days."""
        count = self._c("visit_count", row)
        last = self._c("last_visit", row)
        return f'=IF(N({count})<2,"",({last}-{self._first_visit(row)})/({count}-1))'

    def _nth_last_day(self, row: int, n: int) -> str:
        """The n-th most recent distinct visit day up to today: n nested MAXIFS, each below the day found before.

        MAXIFS over the plain ``visit_date`` column instead of an array over the ``visit_day_key``
        formula column: LibreOffice reads 40,000 formula cells per client far slower (issue 11).
        """
        dates, clients, cid = self._v("visit_date"), self._v("client_id"), self._c("client_id", row)
        day = "TODAY()+1"
        for _ in range(n):
            day = f'INT(_xlfn.MAXIFS({dates},{clients},{cid},{dates},"<"&{day}))'
        return day

    def _recommended_interval(self, row: int) -> str:
        cid = self._c("client_id", row)
        last = self._c("last_visit", row)
        client_col = self._v("client_id")
        last_row = f"SUMPRODUCT(MAX(({client_col}={cid})*({self._v('visit_date')}={last})*ROW({client_col})))"
        svc_letter = self.visits.letter("service")
        service = f"INDEX({_quote(self.visits.name)}!${svc_letter}:${svc_letter},{last_row})"
        names = self.layout.lists
        category = f"INDEX({names['ref_services_category'].name},MATCH({service},{names['ref_services_name'].name},0))"
        return (
            f"INDEX({names['ref_categories_recommended_interval_days'].name},"
            f"MATCH({category},{names['ref_categories_name'].name},0))"
        )

    def next_due(self, row: int) -> str:
        """Last visit day + typical interval; blank when the interval cannot be known."""
        count = self._c("visit_count", row)
        last = self._c("last_visit", row)
        typical = (
            f"IF({count}>{TYPICAL_INTERVALS},({last}-{self._nth_last_day(row, TYPICAL_INTERVALS + 1)})"
            f"/{TYPICAL_INTERVALS},{self._recommended_interval(row)})"
        )
        return f'=IF(N({count})=0,"",IFERROR({last}+{typical},""))'

    def days_since_last_visit(self, row: int) -> str:
        """Days from the last visit day to today."""
        last = self._c("last_visit", row)
        return f'=IF(N({last})=0,"",TODAY()-{last})'

    def follow_up(self, row: int) -> str:
        """Due soon / overdue / lapsed / never visited, for active clients only."""
        lab = self.labels
        status = self._c("client_status", row)
        count = self._c("visit_count", row)
        last = self._c("last_visit", row)
        due = self._c("next_due", row)
        since = self._c("days_since_last_visit", row)
        active = self._text(lab.choice_label("client_status", "active"))
        fu = {
            k: self._text(lab.choice_label("follow_up", k)) for k in ("due_soon", "overdue", "lapsed", "never_visited")
        }
        typical = f"IF(N({due})=0,0,{due}-{last})"
        threshold = f"MAX({self._setting('lapse_floor_days')},{self._setting('lapse_factor')}*{typical})"
        return (
            f'=IF(OR({self._c("client_id", row)}="",{status}<>{active}),"",'
            f"IF(N({count})=0,{fu['never_visited']},"
            f"IF({since}>{threshold},{fu['lapsed']},"
            f'IF(N({due})=0,"",'
            f"IF(INT({due})<TODAY(),{fu['overdue']},"
            f'IF(INT({due})<=TODAY()+{self._setting("due_soon_days")},{fu["due_soon"]},""))))))'
        )

    def day_first(self) -> str:
        """Condition: the workbook's date order (Settings) puts the day first, so a birthday is DD-MM."""
        return f"{self._setting('date_order')}={self._text(self.labels.choice_label('date_order', 'DMY'))}"

    def days_to_birthday(self, row: int) -> str:
        """Days until the next birthday (29 February falls on 28 February); DD-MM or MM-DD by the date order."""
        b = self._c("birth_date", row)
        first, second = f"VALUE(LEFT({b},2))", f"VALUE(RIGHT({b},2))"
        dmy = self.day_first()
        month = f"IF(ISNUMBER({b}),MONTH({b}),IF({dmy},{second},{first}))"
        day = f"IF(ISNUMBER({b}),DAY({b}),IF({dmy},{first},{second}))"

        def birthday(year: str) -> str:
            return f"DATE({year},{month},MIN({day},DAY(DATE({year},{month}+1,0))))"

        this_year = birthday("YEAR(TODAY())")
        next_year = birthday("YEAR(TODAY())+1")
        # DATE() rolls 13-40 over into next year: refuse impossible month-days instead.
        valid = f"AND({month}>=1,{month}<=12,{day}>=1,{day}<=31)"
        return f'=IF({b}="","",IFERROR(IF({valid},IF({this_year}>=TODAY(),{this_year},{next_year})-TODAY(),""),""))'

    # ------------------------------------------------------ conditional formats
    def conditional_rules(self) -> list[ConditionalRule]:
        """Every conditional format of the workbook (docs/guides/front-desk.md#colours), for the first data row."""
        lab = self.labels
        r = FIRST_DATA_ROW
        c = self._c
        fu = {k: self._text(lab.choice_label("follow_up", k)) for k in ("due_soon", "overdue", "lapsed")}
        yes = self._text(lab.choice_label("yes_no", "yes"))
        none_word = self._text(lab.message("allergies_none"))
        ended = self._text(lab.choice_label("client_status", "relationship_ended"))
        paused = self._text(lab.choice_label("client_status", "paused"))
        active = self._text(lab.choice_label("client_status", "active"))
        rules = [
            ConditionalRule(
                "clients",
                ("full_name", "follow_up", "days_since_last_visit"),
                f"{c('follow_up', r)}={fu['lapsed']}",
                "lapsed",
            ),
            ConditionalRule(
                "clients", ("full_name", "follow_up", "next_due"), f"{c('follow_up', r)}={fu['overdue']}", "overdue"
            ),
            ConditionalRule(
                "clients", ("full_name", "follow_up", "next_due"), f"{c('follow_up', r)}={fu['due_soon']}", "due_soon"
            ),
            ConditionalRule(
                "clients",
                ("birth_date", "days_to_birthday"),
                f"AND({c('client_status', r)}={active},ISNUMBER({c('days_to_birthday', r)}),"
                f"{c('days_to_birthday', r)}<={self._setting('birthday_lead_days')})",
                "birthday",
            ),
            ConditionalRule(
                "clients",
                ("allergies",),
                f'AND(TRIM({c("allergies", r)})<>"",LOWER(TRIM({c("allergies", r)}))<>LOWER({none_word}))',
                "health_alert",
            ),
            ConditionalRule(
                "clients", ("contraindications",), f'TRIM({c("contraindications", r)})<>""', "health_alert"
            ),
            ConditionalRule(
                "clients",
                ("records_consent", "consent_date"),
                f'AND({c("client_id", r)}<>"",{c("records_consent", r)}<>{yes})',
                "consent_missing",
            ),
            ConditionalRule(
                "clients",
                ("client_id", "full_name"),
                f"OR({c('client_status', r)}={ended},{c('client_status', r)}={paused})",
                "inactive",
            ),
        ]
        a = self.appointments
        when = a.cell("scheduled_at", r)
        status = a.cell("status", r)
        no_show = self._text(lab.choice_label("appointment_status", "no_show"))
        rules += [
            ConditionalRule("appointments", a.columns, f"{status}={no_show}", "no_show"),
            ConditionalRule("appointments", a.columns, f"AND(ISNUMBER({when}),INT({when})=TODAY())", "today"),
        ]
        f = self.feedback
        complaint = self._text(lab.choice_label("feedback_kind", "complaint"))
        rules.append(
            ConditionalRule(
                "feedback",
                f.columns,
                f"AND({f.cell('kind', r)}={complaint},{f.cell('resolved', r)}<>{yes})",
                "open_complaint",
            )
        )
        return rules + self._v2_rules()

    def _v2_rules(self) -> list[ConditionalRule]:
        """Colours of the sheets template version 2 added (absent sheets are skipped)."""
        lab, r = self.labels, FIRST_DATA_ROW
        rules: list[ConditionalRule] = []
        if "patch_tests" in self.layout.sheets:
            p = self.layout.sheet("patch_tests")
            fail = self._text(lab.choice_label("patch_test_result", "fail"))
            until = p.cell("valid_until", r)
            rules += [
                ConditionalRule("patch_tests", p.columns, f"{p.cell('result', r)}={fail}", "patch_test_failed"),
                ConditionalRule(
                    "patch_tests", ("valid_until",), f"AND(ISNUMBER({until}),{until}<TODAY())", "patch_test_expired"
                ),
            ]
        if "consents" in self.layout.sheets:
            c = self.layout.sheet("consents")
            withdrawn = self._text(lab.choice_label("consent_decision", "withdrawn"))
            rules.append(
                ConditionalRule("consents", c.columns, f"{c.cell('decision', r)}={withdrawn}", "consent_withdrawn")
            )
        if "follow_ups" in self.layout.sheets:
            u = self.layout.sheet("follow_ups")
            booked = self._text(lab.choice_label("follow_up_outcome", "booked"))
            rules.append(
                ConditionalRule("follow_ups", u.columns, f"{u.cell('outcome', r)}={booked}", "follow_up_booked")
            )
        return rules


def _quote(name: str) -> str:
    return "'" + name.replace("'", "''") + "'"


#: Looks of the conditional formats, shared by the Excel and Sheets writers.
STYLES: Final[dict[str, dict[str, str | bool]]] = {
    "lapsed": {"bg_color": "#F4B6B6", "font_color": "#7A0000", "bold": True},
    "overdue": {"bg_color": "#FFD8A8", "font_color": "#7A3E00"},
    "due_soon": {"bg_color": "#FFF3B0", "font_color": "#5C4B00"},
    "birthday": {"bg_color": "#F8D4EC", "font_color": "#7A1F5C"},
    "health_alert": {"bg_color": "#FF9C9C", "font_color": "#6B0000", "bold": True},
    "consent_missing": {"bg_color": "#FFE0B2", "font_color": "#8A4B00"},
    "inactive": {"font_color": "#8C8C8C", "italic": True},
    "no_show": {"bg_color": "#E8C6C6", "font_color": "#6B0000"},
    "today": {"bg_color": "#CFE8FF", "font_color": "#00345C", "bold": True},
    "open_complaint": {"bg_color": "#FFD6D6", "font_color": "#7A0000"},
    "patch_test_failed": {"bg_color": "#F4A6A6", "font_color": "#5C0000", "bold": True},
    "patch_test_expired": {"bg_color": "#E0E0E0", "font_color": "#4D4D4D", "italic": True},
    "consent_withdrawn": {"bg_color": "#FCD5B4", "font_color": "#7A3E00"},
    "follow_up_booked": {"bg_color": "#D5F0D5", "font_color": "#1E5E1E"},
}
