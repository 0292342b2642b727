"""Export layouts of salon software, as documented by open-source migration tools (docs/guides/import.md).

A :class:`VendorLayout` names the columns a vendor's export has and what each
becomes. A table is recognised as a layout when most of the layout's columns
are among its headers; the layout's mapping then wins over the synonyms. Columns
a layout lists under ``dropped`` are bookkeeping (card fees, deposit IDs) that
the client-allocation workbook has no place for: they are reported, never
silently ignored.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final

from sheetkit.read.parse import normalize_label

__all__ = ["LAYOUTS", "VendorLayout", "detect_layout"]


@dataclass(frozen=True)
class VendorLayout:
    """One vendor export: its columns, the kind of table, the date order it writes, the mapping."""

    name: str
    kind: str  # "clients" or "events"
    date_order: str | None
    columns: Sequence[str]
    mapping: Mapping[str, str]
    dropped: Sequence[str] = field(default_factory=tuple)
    #: Of the layout's columns, the share that must be present to recognise it.
    threshold: float = 0.6


FRESHA_CLIENTS: Final = VendorLayout(
    name="Fresha client list",
    kind="clients",
    date_order=None,
    columns=(
        "Client ID", "First Name", "Last Name", "Email", "Mobile Number", "Telephone",
        "Gender", "Date of Birth", "City", "Note", "Blocked", "Added",
    ),
    mapping={
        "Client ID": "source_id",
        "First Name": "first_name",
        "Last Name": "last_name",
        "Email": "email",
        "Mobile Number": "phone",
        "Telephone": "phone_other",
        "Gender": "gender",
        "Date of Birth": "birth_date",
        "City": "city",
        "Note": "notes",
        "Blocked": "blocked",
    },
)  # fmt: skip

SQUARE_CUSTOMERS: Final = VendorLayout(
    name="Square customers",
    kind="clients",
    date_order="MDY",
    columns=(
        "Reference ID", "First Name", "Last Name", "Email Address", "Phone Number", "Nickname", "Company Name",
        "Street Address 1", "Street Address 2", "City", "State", "Postal Code", "Birthday", "Memo",
        "Square Customer ID", "Creation Source", "First Visit", "Last Visit", "Transaction Count", "Lifetime Spend",
        "Email Subscription Status", "Instant Profile", "Blocked from online booking",
    ),
    mapping={
        "Reference ID": "client_id",
        "First Name": "first_name",
        "Last Name": "last_name",
        "Email Address": "email",
        "Phone Number": "phone",
        "Street Address 1": "street",
        "Street Address 2": "street2",
        "City": "city",
        "State": "state",
        "Postal Code": "postal_code",
        "Birthday": "birth_date",
        "Memo": "notes",
        "Square Customer ID": "source_id",
        "First Visit": "first_visit_date",
        "Last Visit": "last_visit",
        "Email Subscription Status": "marketing_opt_in",
        "Blocked from online booking": "blocked",
    },
)  # fmt: skip

SQUARE_TRANSACTIONS: Final = VendorLayout(
    name="Square transactions",
    kind="events",
    date_order=None,  # ISO dates (YYYY-MM-DD)
    columns=(
        "Date", "Time", "Time Zone", "Gross Sales", "Discounts", "Service Charges", "Net Sales", "Gift Card Sales",
        "Tax", "Tip", "Partial Refunds", "Total Collected", "Source", "Card", "Card Entry Methods", "Cash",
        "Square Gift Card", "Other Tender", "Other Tender Type", "Tender Note", "Fees", "Net Total",
        "Transaction ID", "Payment ID", "Card Brand", "PAN Suffix", "Device Name", "Staff Name", "Staff ID",
        "Details", "Description", "Event Type", "Location", "Dining Option", "Customer ID", "Customer Name",
        "Customer Reference ID", "Device Nickname", "Deposit ID", "Deposit Date", "Deposit Details",
        "Fee Percentage Rate", "Fee Fixed Rate", "Refund Reason", "Discount Name", "Transaction Status",
    ),
    mapping={
        "Date": "date",
        "Time": "time",
        "Net Sales": "amount_paid",
        "Staff Name": "therapist",
        "Description": "service",
        "Location": "branch",
        "Customer ID": "client_ref",
        "Customer Name": "client_name",
        "Customer Reference ID": "client_id_ref",
        "Transaction Status": "status",
        "Tender Note": "notes",
    },
    dropped=(
        "Time Zone", "Source", "Card Entry Methods", "Fees", "Net Total", "Payment ID", "Card Brand", "PAN Suffix",
        "Device Name", "Staff ID", "Event Type", "Dining Option", "Device Nickname", "Deposit ID", "Deposit Date",
        "Deposit Details", "Fee Percentage Rate", "Fee Fixed Rate",
    ),
    threshold=0.4,
)  # fmt: skip

LAYOUTS: Final = (FRESHA_CLIENTS, SQUARE_CUSTOMERS, SQUARE_TRANSACTIONS)


def detect_layout(headers: Sequence[str]) -> VendorLayout | None:
    """The vendor layout these headers are, if any (the best-covered one).

    >>> fresha = ["Client ID", "First Name", "Last Name", "Email", "Mobile Number", "Gender", "Note", "Blocked"]
    >>> detect_layout(fresha).name
    'Fresha client list'
    >>> detect_layout(["Nome", "Cognome", "Cellulare"]) is None
    True
    """
    present = {normalize_label(h) for h in headers if h}
    best: VendorLayout | None = None
    best_share = 0.0
    for layout in LAYOUTS:
        share = sum(normalize_label(c) in present for c in layout.columns) / len(layout.columns)
        if share >= layout.threshold and share > best_share:
            best, best_share = layout, share
    return best
