"""import_records: a salon's existing records into the client-allocation workbook (dry run unless asked).

Steps: read every source table (:mod:`~sheetkit.importing.sources`), find its header
(:mod:`~sheetkit.importing.header`), propose the mapping (:mod:`~sheetkit.importing.mapping`),
stage the rows as canonical text (:mod:`~sheetkit.importing.staging`), match clients
(:mod:`~sheetkit.importing.dedupe`), rebuild the history (:mod:`~sheetkit.importing.history`),
give IDs where the source has none, then read and check the rows exactly as ``sheetkit check``
would (:mod:`~sheetkit.importing.book`). Every source row ends up imported or listed with
its reason; every source column is mapped, kept in notes, or listed as left out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from sheetkit.errors import UsageError
from sheetkit.excel.reader import read_workbook
from sheetkit.importing.book import ImportedBook, check_rows
from sheetkit.importing.dedupe import ClientIndex
from sheetkit.importing.header import find_header
from sheetkit.importing.history import route_events, visits_from_client_dates
from sheetkit.importing.ids import IdMaker
from sheetkit.importing.lists import extend_lists
from sheetkit.importing.mapping import MappingFile, header_score, load_mapping_file, propose_mapping, synonyms
from sheetkit.importing.result import ImportResult, SourceReport, remap_issues
from sheetkit.importing.sources import SourceTable, read_source_tables
from sheetkit.importing.staging import Staged, stage_table
from sheetkit.issues import Issue, IssueFactory
from sheetkit.read.workbook import Workbook
from sheetkit.template import Template, load_template
from sheetkit.template.defaults import default_lists, default_settings

__all__ = ["import_records"]

_SAMPLES = 3


def import_records(
    sources: Sequence[Path | str],
    *,
    into: Path | str,
    as_of: dt.date,
    locale: str | None = None,
    mapping: Path | str | MappingFile | None = None,
    sheet: str | None = None,
    encoding: str | None = None,
    today: dt.date | None = None,
    template: Template | None = None,
    password: str | None = None,
) -> ImportResult:
    """Read ``sources`` as records for the workbook ``into``: the mapping, the typed frames and the Issues.

    Nothing is written: pass the result to :func:`sheetkit.importing.write_import`
    (``sheetkit import --write``). ``into`` may not exist yet (a new workbook in
    ``locale``, default en); when it exists its clients are matched by phone or
    e-mail and new rows are numbered after its own. ``locale`` also says how the
    sources write dates and names when their columns do not show it.
    ``as_of`` is the day the data is checked for (dates after it are in the future).
    ``password`` opens ``into`` when it is an encrypted workbook.

    >>> import datetime as dt, pathlib, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "clients.csv").write_text("Nome;Cognome;Cellulare\\nAnna;Rossi;+39 333 1234567\\n")
    >>> result = import_records([folder / "clients.csv"], into=folder / "salon.xlsx", as_of=dt.date(2026, 1, 5))
    >>> result.frames.clients["full_name"].tolist(), result.sources[0].imported
    (['Anna Rossi'], 1)
    """
    template = template or load_template()
    if not sources:
        raise UsageError("name at least one file to import")
    target = Path(into)
    if target.suffix.lower() != ".xlsx":
        raise UsageError(f"{target}: the workbook to import into must be an .xlsx file")
    if locale is not None and locale not in template.locales:
        raise UsageError(f"--locale {locale!r}: expected one of {', '.join(template.locales)}")
    mapping_file = mapping if isinstance(mapping, MappingFile) else load_mapping_file(mapping)
    existing = read_workbook(target, template=template, password=password) if target.exists() else None
    book_locale = existing.locale if existing is not None else (locale or template.default_locale)
    source_locale = locale or book_locale
    tables = [t for s in sources for t in read_source_tables(s, sheet=sheet, encoding=encoding)]
    run = _Import(
        template,
        existing,
        book_locale=book_locale,
        source_locale=source_locale,
        mapping_file=mapping_file,
        as_of=as_of,
    )
    for number, table in enumerate(tables):
        run.stage(number, table)
    return run.finish(target, today=today)


class _Import:
    def __init__(
        self,
        template: Template,
        existing: Workbook | None,
        *,
        book_locale: str,
        source_locale: str,
        mapping_file: MappingFile,
        as_of: dt.date,
    ) -> None:
        self.template = template
        self.existing = existing
        self.locale = book_locale
        self.source_locale = source_locale
        self.mapping_file = mapping_file
        self.as_of = as_of
        self.tables: list[SourceTable] = []
        self.reports: list[SourceReport] = []
        self.staged: list[Staged] = []
        self.score = header_score(template)
        self.factory = IssueFactory(template, book_locale)
        self.extra_issues: list[Issue] = []

    # ---------------------------------------------------------------- per table
    def stage(self, number: int, table: SourceTable) -> None:
        found = find_header(table.grid, self.score, synonyms()["totals"])
        samples = {int(j): _samples(table.grid[j], found.data_rows) for j in table.grid.columns}
        mapping = propose_mapping(self.template, found.headers, samples, self.mapping_file)
        report = SourceReport(table, mapping, found.row, rows=max(len(table.grid) - 1, 0))
        report.skip(found.skipped)
        self.tables.append(table)
        self.reports.append(report)
        self.staged.append(
            stage_table(
                number,
                table,
                mapping,
                found.data_rows,
                template=self.template,
                mapping_file=self.mapping_file,
                locale=self.source_locale,
            )
        )

    # ---------------------------------------------------------------- all tables
    def finish(self, target: Path, *, today: dt.date | None) -> ImportResult:
        ids = IdMaker(self.template, self.existing)
        index = self._existing_index()
        clients = self._clients(ids, index)
        events = self._events(index, ids, clients)
        clients = pd.concat([clients, events.attrs.pop("new_clients", _empty())], ignore_index=True)
        visits, appointments = route_events(events, as_of=self.as_of)
        del events  # (a visit log's rows live on in visits and appointments; the staged copies are not needed)
        for staged in self.staged:
            staged.frame = staged.frame[["_t", "_r"]] if len(staged.frame) else staged.frame
        service = self.mapping_file.defaults.get("service") or str(
            synonyms()["history_service"].get(self.locale, synonyms()["history_service"]["en"])
        )
        earlier = visits_from_client_dates(clients, visits, service=service)
        visits = pd.concat([visits, earlier], ignore_index=True) if len(earlier) else visits.reset_index(drop=True)
        visits = self._known_visits(visits)
        visits = self._finish_events(visits, ids, "visits")
        appointments = self._finish_events(appointments, ids, "appointments")
        clients = self._finish_clients(clients)
        book = ImportedBook(self.template, self.locale)
        origins: dict[str, pd.DataFrame] = {}
        for key, frame in (("clients", clients), ("visits", visits), ("appointments", appointments)):
            first = self._first_row(key)
            book.add(key, frame, first_row=first)
            origins[key] = frame[["_t", "_r"]].set_axis(pd.RangeIndex(first, first + len(frame)))
        lists = extend_lists(self.template, self._lists(), clients, visits, appointments)
        settings = (
            self.existing.data.settings
            if self.existing
            else default_settings(self.template, self.template.labels(self.locale))
        )
        read = book.read(path=str(target))
        imported, whole, issues = check_rows(
            read, existing=self.existing, lists=lists.frames, settings=settings, as_of=self.as_of, today=today
        )
        issues = remap_issues(issues + self.extra_issues, origins, self.staged, self.reports, self.factory)
        issues += self._date_orders()
        for report in self.reports:
            report.count_imported(self.staged[report_number(self.reports, report)], clients, visits, appointments)
        return ImportResult(
            target=target,
            locale=self.locale,
            creates=self.existing is None,
            mapping=[r.mapping for r in self.reports],
            frames=imported,
            whole=whole,
            issues=issues,
            sources=self.reports,
            lists_added=lists.added,
            existing=self.existing,
        )

    def _date_orders(self) -> list[Issue]:
        """A warning per source date column whose values fit both orders (read in the order assumed)."""
        out: list[Issue] = []
        for staged in self.staged:
            for note in staged.dates:
                if note.decided and not note.conflict:
                    continue
                report = self.reports[note.table]
                out.append(
                    self.factory.make(
                        "date-order-assumed",
                        sheet=report.table.label,
                        row=report.header_row,
                        column=note.header,
                        cell=report.table.cell(note.column, report.header_row),
                        order=note.order,
                    )
                )
        return out

    def _first_row(self, key: str) -> int:
        if self.existing is None:
            return 2
        frame = self.existing.data.frame(key)
        return int(frame.index.max()) + 1 if len(frame) else 2

    def _lists(self) -> dict[str, pd.DataFrame]:
        if self.existing is not None:
            return {k: v.copy() for k, v in self.existing.data.lists.items()}
        return default_lists(self.template, self.template.labels(self.locale))

    def _existing_index(self) -> ClientIndex:
        index = ClientIndex()
        if self.existing is None:
            return index
        frame = self.existing.data.clients
        for row in frame.itertuples(index=False):
            cid = getattr(row, "client_id", None)
            if isinstance(cid, str):
                index.add(cid, name=row.full_name, phones=[row.phone], email=row.email)
        return index

    # ---------------------------------------------------------------- clients
    def _clients(self, ids: IdMaker, index: ClientIndex) -> pd.DataFrame:
        frames = [s.frame for s in self.staged if s.kind == "clients" and len(s.frame)]
        if not frames:
            return _empty()
        clients = pd.concat(frames, ignore_index=True)
        if "client_id" in clients:
            ids.reserve(str(v).strip() for v in clients["client_id"].dropna())
        else:
            clients["client_id"] = pd.Series(None, index=clients.index, dtype=object)
        clients["_namesakes"] = pd.Series(None, index=clients.index, dtype=object)
        keep = pd.Series(True, index=clients.index)
        for i in clients.index:
            row = clients.loc[i]
            has_person = any(isinstance(row.get(k), str) for k in ("full_name", "phone", "email", "client_id"))
            if not has_person:
                self._skip(row, "no name, phone, e-mail or client ID")
                keep[i] = False
                continue
            match = index.same_client(phones=[row.get("phone")], email=row.get("email"))
            own_id = row.get("client_id")
            if match is None and isinstance(own_id, str) and own_id.strip().casefold() in index.by_id:
                match = (index.by_id[own_id.strip().casefold()], "client ID")
            if match is not None and self.existing is not None and match[0] in ids.existing_clients:
                self._skip(row, f"already in the workbook as client {match[0]} (same {match[1]})")
                index.add(match[0], source_id=row.get("source_id"))
                keep[i] = False
                continue
            cid = own_id.strip() if isinstance(own_id, str) and own_id.strip() else ids.client()
            clients.at[i, "client_id"] = cid
            namesakes = index.namesakes(row.get("full_name"), cid)
            if namesakes:
                clients.at[i, "_namesakes"] = ", ".join(namesakes)
            index.add(cid, name=row.get("full_name"), phones=[row.get("phone")], email=row.get("email"),
                      source_id=row.get("source_id"))  # fmt: skip
        return clients[keep].reset_index(drop=True)

    def _skip(self, row: pd.Series, reason: str) -> None:
        self.reports[int(row["_t"])].skip({int(row["_r"]): reason})

    # ---------------------------------------------------------------- events
    def _events(self, index: ClientIndex, ids: IdMaker, clients: pd.DataFrame) -> pd.DataFrame:
        frames = [s.frame for s in self.staged if s.kind == "events" and len(s.frame)]
        if not frames:
            out = pd.DataFrame(columns=["client_id", "when", "status", "_t", "_r"])
            out.attrs["new_clients"] = _empty()
            return out
        # (One table, the usual case, is taken as it is: copying a 10^5-row log costs time and memory.)
        events = frames[0].copy(deep=False) if len(frames) == 1 else pd.concat(frames, ignore_index=True)
        new_clients: list[dict[str, object]] = []
        # Each distinct way of naming the client is resolved once, in the order the rows first give it
        # (a blank cell is a blank cell, whichever missing value the column holds).
        columns = [_cells_or_none(events[c]) if c in events else [None] * len(events) for c in _EVENT_KEYS]
        first: dict[tuple[object, ...], int] = {}
        codes = [first.setdefault(key, i) for i, key in enumerate(zip(*columns, strict=True))]
        tables, rows = events["_t"].tolist(), events["_r"].tolist()
        resolved = {
            at: self._client_of(
                dict(zip(_EVENT_KEYS, key, strict=True)), index, ids, new_clients, (tables[at], rows[at])
            )
            for key, at in first.items()
        }
        events["client_id"] = pd.Series([resolved[at] for at in codes], index=events.index, dtype=object)
        missing = events["client_id"].isna()
        for _, lost in events[missing].iterrows():
            self._skip(lost, "no client: the row names no client ID, name, phone or e-mail")
        if missing.any():  # (a 10^5-row log is not copied when every row names its client)
            events = events[~missing].reset_index(drop=True)
        events.attrs["new_clients"] = _new_clients(new_clients)
        return events

    def _client_of(
        self,
        row: dict[str, object],
        index: ClientIndex,
        ids: IdMaker,
        new: list[dict[str, object]],
        origin: tuple[int, int],
    ) -> object:
        ref = row.get("client_ref")
        if isinstance(ref, str) and ref.strip():
            hit = index.by_source.get(ref.strip()) or index.by_id.get(ref.strip().casefold())
            if hit:
                return hit
        own = row.get("client_id_ref")
        if isinstance(own, str) and own.strip().casefold() in index.by_id:
            return index.by_id[own.strip().casefold()]
        same = index.same_client(phones=[row.get("client_phone")], email=row.get("client_email"))
        if same:
            return same[0]
        name = row.get("client_name")
        by_name = index.by_unique_name(name)
        if by_name:
            return by_name
        if not any(isinstance(row.get(k), str) for k in ("client_name", "client_phone", "client_email", "client_ref")):
            return None
        cid = ids.client()
        index.add(cid, name=name, phones=[row.get("client_phone")], email=row.get("client_email"),
                  source_id=ref if isinstance(ref, str) else None)  # fmt: skip
        new.append({"client_id": cid, "full_name": name, "phone": row.get("client_phone"),
                    "email": row.get("client_email"), "_t": origin[0], "_r": origin[1]})  # fmt: skip
        return cid

    def _known_visits(self, visits: pd.DataFrame) -> pd.DataFrame:
        """Visits the workbook already has (same client, day and service) are skipped: an import may be re-run."""
        if self.existing is None or visits.empty or self.existing.data.visits.empty:
            return visits
        own = self.existing.data.visits
        have = set(
            zip(own["client_id"], own["visit_date"].dt.strftime("%Y-%m-%d"), own["service"].astype(str), strict=True)
        )
        keys = zip(visits["client_id"], visits["when"].astype(str).str.slice(0, 10), visits.get(
            "service", pd.Series(None, index=visits.index)).astype(str), strict=True)  # fmt: skip
        known = pd.Series([k in have for k in keys], index=visits.index)
        for _, row in visits[known].iterrows():
            if row.get("_from") is None or not isinstance(row.get("_from"), str):
                self._skip(row, "already in the workbook (same client, day and service)")
        return visits[~known].reset_index(drop=True)

    def _finish_events(self, frame: pd.DataFrame, ids: IdMaker, sheet: str) -> pd.DataFrame:
        out = frame.copy(deep=False)  # (new columns only: the caller's frame is not changed)
        if sheet == "visits":
            day = out["when"].astype(str).str.slice(0, 10)
            # A visit is a day: the time of a transaction is not kept (the visit sheet has no time).
            out["visit_date"] = out["when"].where(~day.str.fullmatch(r"\d{4}-\d{2}-\d{2}"), day + " 00:00:00")
            out["_txt_visit_date"] = out.get("_txt_when", False)
            out["visit_id"] = ids.many("V", len(out))
            notes = "result_notes"
            default = self.mapping_file.defaults
            for key in ("service", "branch", "therapist", "payment_method"):
                if key in default:
                    out[key] = out.get(key, pd.Series(np.nan, index=out.index)).fillna(default[key])
        else:
            out["scheduled_at"] = out["when"]
            out["_txt_scheduled_at"] = out.get("_txt_when", False)
            out["appointment_id"] = ids.many("A", len(out))
            notes = "notes"
        own = out.get("notes") if sheet == "appointments" else out.get("result_notes", out.get("notes"))
        parts = [p for p in (own, out.get("_extra_notes")) if p is not None]
        if parts:
            from sheetkit.importing.transform import join_text  # noqa: PLC0415  # a sibling, loaded where used

            out[notes] = join_text(parts, "; ")
        return out

    def _finish_clients(self, clients: pd.DataFrame) -> pd.DataFrame:
        out = clients.copy()
        if out.empty:
            return out
        if "client_status" in out:
            out["client_status"] = out["client_status"].fillna("active")
        parts = [p for p in (out.get("notes"), out.get("_extra_notes")) if p is not None]
        if parts:
            from sheetkit.importing.transform import join_text  # noqa: PLC0415

            out["notes"] = join_text(parts, "; ")
        for i, others in out.get("_namesakes", pd.Series(dtype=object)).dropna().items():
            self.extra_issues.append(
                self.factory.make(
                    "probable-duplicate",
                    sheet="clients",
                    sheet_key="clients",
                    row=self._first_row("clients") + int(str(i)),
                    column_key="full_name",
                    value=out.at[i, "full_name"],
                    other=others,
                )
            )
        return out


_EVENT_KEYS = ("client_ref", "client_id_ref", "client_phone", "client_email", "client_name")


def _samples(column: pd.Series, rows: list[int]) -> list[str]:
    """The first few distinct values of a column's data rows (looked for in the first rows, then further)."""
    size = 256
    while True:
        values = column.loc[rows[:size]].dropna().astype(str).str.strip()
        found: list[str] = values[values != ""].drop_duplicates().head(_SAMPLES).tolist()
        if len(found) >= _SAMPLES or size >= len(rows):
            return found
        size *= 8


def _cells_or_none(values: pd.Series) -> list[object]:
    """A column's cells as a list, every missing value as None."""
    return values.astype(object).where(values.notna(), None).tolist()


def _empty() -> pd.DataFrame:
    return pd.DataFrame(columns=["client_id", "full_name", "client_status", "_t", "_r"])


def _new_clients(rows: list[dict[str, object]]) -> pd.DataFrame:
    """Clients first met in a history table (a visit log with names): their row is their first event's."""
    if not rows:
        return _empty()
    frame = pd.DataFrame(rows)
    frame["client_status"] = "active"
    frame["_from_event"] = True
    return frame


def report_number(reports: list[SourceReport], report: SourceReport) -> int:
    """The position of a report (its table number)."""
    return reports.index(report)
