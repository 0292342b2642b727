"""Which source column becomes which field: proposed from headers, vendor layouts and a mapping file.

Fields are the template's column keys plus a few import fields that are split
or joined on the way in (``first_name`` + ``last_name`` -> ``full_name``,
``date`` + ``time`` -> ``scheduled_at``, ``blocked`` -> ``client_status``,
``last_visit`` -> a visit). A table is either a *clients* table (one row per
client) or an *events* table (one row per visit, appointment or transaction).

Headers are matched, after folding case, spaces and full-width forms, against:
a mapping file's ``[columns]`` (wins), a recognised vendor layout
(:mod:`~sheetkit.importing.vendors`), the template's own headers in every locale,
then the synonyms in ``synonyms.yaml``. A column nothing matches is *unmapped*:
its values are kept in the notes of the row it belongs to, never dropped.

A mapping file is TOML::

    date_order = "DMY"              # the order of day and month in the sources' dates
    [columns]
    "Cellulare 2" = "phone"         # a field of the table's kind
    "Fees" = ""                     # leave this column out on purpose (reported)
    [defaults]
    service = "Facial"              # for visits whose source names no service
    branch = "Main branch"
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Final

import yaml

from sheetkit.errors import UsageError
from sheetkit.importing.vendors import VendorLayout, detect_layout
from sheetkit.read.parse import normalize_label
from sheetkit.template import Template

__all__ = [
    "CLIENT_FIELDS",
    "EVENT_FIELDS",
    "ColumnMapping",
    "MappingFile",
    "TableMapping",
    "load_mapping_file",
    "propose_mapping",
    "synonyms",
]

#: Import fields of a clients table that are not template columns.
CLIENT_EXTRA: Final = (
    "first_name", "last_name", "phone_other", "street", "street2", "city", "state", "postal_code",
    "blocked", "last_visit", "source_id",
)  # fmt: skip
#: Import fields of an events table (template columns of Visits and Appointments are added).
EVENT_BASE: Final = (
    "date", "time", "datetime", "client_ref", "client_id_ref", "client_name", "client_first_name",
    "client_last_name", "client_phone", "client_email", "amount_paid", "notes",
)  # fmt: skip
_DROP: Final = ""


@cache
def synonyms() -> dict[str, Any]:
    """The synonym tables shipped with sheetkit (``sheetkit/importing/synonyms.yaml``)."""
    with (Path(__file__).parent / "synonyms.yaml").open(encoding="utf-8") as handle:
        data: dict[str, Any] = yaml.safe_load(handle)
    return data


def _client_fields(template: Template) -> tuple[str, ...]:
    sheet = template.sheet("clients")
    keys = [c.key for c in sheet.data_columns]
    return (*keys, *CLIENT_EXTRA)


def _event_fields(template: Template) -> tuple[str, ...]:
    keys: list[str] = list(EVENT_BASE)
    for name in ("visits", "appointments"):
        for col in template.sheet(name).data_columns:
            if col.key not in keys and col.key not in ("visit_id", "appointment_id", "client_id"):
                keys.append(col.key)
    return tuple(keys)


CLIENT_FIELDS = _client_fields
EVENT_FIELDS = _event_fields


@dataclass(frozen=True)
class MappingFile:
    """What a mapping file says: header -> field ("" = leave out), defaults, the sources' date order."""

    columns: Mapping[str, str] = field(default_factory=dict)
    defaults: Mapping[str, str] = field(default_factory=dict)
    date_order: str | None = None
    path: str | None = None


def load_mapping_file(path: Path | str | None) -> MappingFile:
    """Read a TOML mapping file (see the module docstring); ``None`` gives the empty mapping."""
    if path is None:
        return MappingFile()
    source = Path(path)
    try:
        data = tomllib.loads(source.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(f"{source}: no such mapping file") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise UsageError(f"{source}: not a valid TOML mapping file ({exc})") from None
    columns = data.get("columns", {})
    defaults = data.get("defaults", {})
    order = data.get("date_order")
    if not isinstance(columns, dict) or not all(isinstance(v, str) for v in columns.values()):
        raise UsageError(f"{source}: [columns] must map headers to field names (text)")
    if not isinstance(defaults, dict) or not all(isinstance(v, str) for v in defaults.values()):
        raise UsageError(f"{source}: [defaults] must map field names to values (text)")
    if order is not None and order not in ("DMY", "MDY", "YMD"):
        raise UsageError(f"{source}: date_order must be DMY, MDY or YMD, not {order!r}")
    unknown = set(data) - {"columns", "defaults", "date_order"}
    if unknown:
        raise UsageError(f"{source}: unknown keys {sorted(unknown)}; expected columns, defaults, date_order")
    return MappingFile({normalize_label(k): v for k, v in columns.items()}, dict(defaults), order, str(source))


@dataclass
class ColumnMapping:
    """One source column: its header, the field it becomes (None: unmapped, kept in notes; "" left out)."""

    column: int
    header: str
    target: str | None
    how: str
    samples: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        kept = "mapped" if self.target else "left out" if self.target == _DROP else "notes"
        return {"header": self.header, "field": self.target or None, "how": self.how, "kept": kept,
                "samples": self.samples}  # fmt: skip


@dataclass
class TableMapping:
    """The proposal for one source table: its kind, the vendor layout recognised, each column's field."""

    kind: str
    layout: VendorLayout | None
    columns: list[ColumnMapping]

    def field_columns(self) -> dict[str, int]:
        """Field -> the source column that fills it (the first one, when several match)."""
        out: dict[str, int] = {}
        for col in self.columns:
            if col.target:
                out.setdefault(col.target, col.column)
        return out

    @property
    def unmapped(self) -> list[ColumnMapping]:
        """Columns no field takes (kept in notes) and columns left out on purpose."""
        return [c for c in self.columns if not c.target]


_INDEXES: dict[tuple[str, int, tuple[str, ...]], dict[str, dict[str, str]]] = {}


def _indexes(template: Template) -> dict[str, dict[str, str]]:
    """Kind -> folded header -> field, from the template's headers in every locale and the synonyms."""
    key = (str(template.path), template.version, template.locales)
    if key not in _INDEXES:
        _INDEXES[key] = _build_indexes(template)
    return _INDEXES[key]


def _build_indexes(template: Template) -> dict[str, dict[str, str]]:
    data = synonyms()
    clients: dict[str, str] = {}
    events: dict[str, str] = {}
    for key, words in data["clients"].items():
        for word in words:
            clients.setdefault(normalize_label(str(word)), key)
    for key, words in data["events"].items():
        for word in words:
            events.setdefault(normalize_label(str(word)), key)
    renamed = {"visit_date": "date", "scheduled_at": "datetime", "client_id": "client_id_ref"}
    for locale in template.locales:
        labels = template.labels(locale)
        for col in template.sheet("clients").columns:
            target = col.key if not col.is_formula else ("last_visit" if col.key == "last_visit" else None)
            if target:
                clients[normalize_label(labels.header("clients", col.key))] = target
        for name in ("visits", "appointments"):
            for col in template.sheet(name).data_columns:
                if col.key in ("visit_id", "appointment_id"):
                    continue
                events.setdefault(normalize_label(labels.header(name, col.key)), renamed.get(col.key, col.key))
    for col in template.sheet("clients").data_columns:
        clients.setdefault(normalize_label(col.key), col.key)
    return {"clients": clients, "events": events}


def _fold(header: str) -> list[str]:
    """The header folded, then without a trailing colon, asterisk or parenthesis (a unit, a hint)."""
    folded = normalize_label(header)
    simpler = folded.rstrip(":：*").strip()
    if "(" in simpler:
        simpler = simpler.split("(")[0].strip()
    if "（" in simpler:
        simpler = simpler.split("（")[0].strip()
    return list(dict.fromkeys([folded, simpler]))


def header_score(template: Template) -> Any:
    """A function counting the cells of a row that match a known header (to find the header row)."""
    indexes = _indexes(template)

    def score(cells: list[str]) -> int:
        return sum(1 for cell in cells if any(f in indexes["clients"] or f in indexes["events"] for f in _fold(cell)))

    return score


def propose_mapping(
    template: Template, headers: Sequence[str], samples: Mapping[int, list[str]], mapping_file: MappingFile
) -> TableMapping:
    """The proposed mapping of a table's columns (``samples``: column -> a few values, for the report)."""
    layout = detect_layout(headers)
    indexes = _indexes(template)
    kinds = {"clients": _match(headers, indexes["clients"]), "events": _match(headers, indexes["events"])}
    if layout is not None:
        kind = layout.kind
    else:
        dated = {"date", "datetime"} & set(kinds["events"].values())
        kind = "events" if dated and len(kinds["events"]) > len(kinds["clients"]) else "clients"
    allowed = set(CLIENT_FIELDS(template) if kind == "clients" else EVENT_FIELDS(template))
    vendor = {normalize_label(k): v for k, v in layout.mapping.items()} if layout else {}
    dropped = {normalize_label(k) for k in layout.dropped} if layout else set()
    columns: list[ColumnMapping] = []
    taken: set[str] = set()
    for j, header in enumerate(headers):
        if not header:
            if samples.get(j):
                columns.append(ColumnMapping(j, f"(column {j + 1})", None, "no header", samples.get(j, [])))
            continue
        folded = normalize_label(header)
        target, how = None, "unmapped"
        if folded in mapping_file.columns:
            target, how = mapping_file.columns[folded], "mapping file"
            if target and target not in allowed:
                raise UsageError(
                    f"{mapping_file.path}: {header!r} = {target!r} is not a field of a {kind} table; "
                    f"expected one of {sorted(allowed)}"
                )
        elif folded in vendor:
            target, how = vendor[folded], f"layout: {layout.name if layout else ''}"
        elif folded in dropped:
            target, how = _DROP, f"bookkeeping column of the {layout.name if layout else ''} layout"
        elif j in kinds[kind]:
            target, how = kinds[kind][j], "header"
        if target and target in taken:
            target, how = None, f"second column for {target}"
        if target:
            taken.add(target)
        columns.append(ColumnMapping(j, header, target, how, samples.get(j, [])))
    return TableMapping(kind, layout, columns)


def _match(headers: Sequence[str], index: Mapping[str, str]) -> dict[int, str]:
    found: dict[int, str] = {}
    for j, header in enumerate(headers):
        if not header:
            continue
        for folded in _fold(header):
            if folded in index:
                found[j] = index[folded]
                break
    return found
