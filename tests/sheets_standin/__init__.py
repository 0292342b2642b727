"""A local stand-in of Google Sheets v4, a little of Drive v3 and the OAuth token endpoint, for tests.

No request leaves 127.0.0.1: :class:`LocalGoogleAdapter` rewrites the Google API hosts to the stand-in
and refuses every other host.  The behaviour follows recorded Google traffic (``/work/shared/sheets-
cassettes``, replayed by ``tests/test_sheets_standin_contract.py``) and the spec in the notes.

Typical use::

    with SheetsStandIn(clock=FakeClock()) as standin:
        info = standin.service_account("reader@salon-chain.iam.gserviceaccount.com", project="salon-chain")
        key = standin.create_spreadsheet(owner="owner@salon.example", title="Branch HN01", sheets=["Sheet1"])
        standin.share(key, info["client_email"], role="reader")
        gc = standin.gspread_client(info)            # or your own AuthorizedSession + LocalGoogleAdapter
        gc.open_by_key(key).sheet1.get("A1:B2")

Module map: ``model`` (books, sheets, cells), ``values`` / ``formatting`` / ``formula`` (what cells hold
and render), ``batch`` + ``conditions`` + ``schema`` (spreadsheets.batchUpdate and request shapes),
``metadata`` + ``masks`` + ``styles`` (the Spreadsheet resource, field masks, colours), ``sheets_api`` /
``drive_api`` / ``routes`` (endpoints), ``auth`` (token endpoint), ``quota`` (windows and faults),
``server`` / ``wire`` / ``transport`` (HTTP), ``standin`` (the facade), ``fixtures`` (pytest fixtures),
``replay`` (cassette replay and comparison).
"""

from .clock import FakeClock, RealClock
from .errors import ApiError
from .model import Book, Cell, Sheet
from .standin import Call, Identity, SheetsStandIn
from .transport import LocalGoogleAdapter

__all__ = [
    "ApiError",
    "Book",
    "Call",
    "Cell",
    "FakeClock",
    "Identity",
    "LocalGoogleAdapter",
    "RealClock",
    "Sheet",
    "SheetsStandIn",
]
