"""What the command line prints and how a command fails: outside text shown literally, errors as one line."""

from __future__ import annotations

import contextlib
import io
import json
import re
import sys
from typing import IO, TYPE_CHECKING, Any, cast

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text
from typer.core import TyperGroup

from sheetkit.errors import SheetkitError

if TYPE_CHECKING:  # the library loads on first use, so --help is fast and Ctrl-C at start is one line too
    from sheetkit.issues import ValidationResult

# ---------------------------------------------------------------- showing outside text safely

#: Characters a terminal acts on or hides rather than shows: C0 and C1 controls (ESC starts colour, cursor
#: and hyperlink sequences), DEL, line and paragraph separators, zero-width space and BOM, the bidirectional
#: marks, embeddings, overrides and isolates, and lone surrogates (an undecodable byte in a file name).
_INVISIBLE = "\x7f-\x9f\u061c\u200b\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff\ud800-\udfff"
_HIDDEN = re.compile(f"[\x00-\x1f{_INVISIBLE}]")
#: What JSON output escapes besides C0 controls, which ``json.dumps`` escapes itself (its indentation is newlines).
_JSON_UNSAFE = re.compile(f"[{_INVISIBLE}]")
_NEWLINES = re.compile(r"\s*[\r\n]+\s*")


def shown(value: object) -> str:
    r"""``value`` as text a terminal shows literally: hidden characters become escapes such as ``\x1b``.

    >>> shown("[/x] a\x1b[31mred\u202e")
    '[/x] a\\x1b[31mred\\u202e'
    """
    return _HIDDEN.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), str(value))


def _stdout() -> Console:
    """The console for results, made per call so it follows the current stdout and terminal width."""
    return Console(markup=False, emoji=False, highlight=False)


class _Tolerant(io.TextIOBase):
    """stderr for progress displays: when it is closed or its reader goes away, the display stops, not the work."""

    def __init__(self) -> None:
        # The stream itself, not ``sys.stderr`` at each write: a live display swaps that for a proxy writing back here.
        self.stream: IO[str] | None = sys.stderr

    def write(self, text: str) -> int:
        if self.stream is not None:
            try:
                self.stream.write(text)
            except (OSError, ValueError):
                self.stream = None
        return len(text)

    def flush(self) -> None:
        if self.stream is not None:
            try:
                self.stream.flush()
            except (OSError, ValueError):
                self.stream = None

    def isatty(self) -> bool:
        try:
            return self.stream is not None and self.stream.isatty()
        except (OSError, ValueError):
            return False


def _progress_console(*, quiet: bool = False) -> Console:
    return Console(file=cast(IO[str], _Tolerant()), markup=False, emoji=False, highlight=False, quiet=quiet)


def _say(*parts: str | tuple[str, str]) -> None:
    """Print one line built from literal parts (``(text, style)`` for a style); never wrapped by rich."""
    _stdout().print(Text.assemble(*parts), soft_wrap=True)


def _echo_json(data: Any) -> None:
    """Print ``data`` as JSON: C1 controls, direction marks and lone surrogates escaped (same value once parsed)."""
    text = json.dumps(data, indent=2, ensure_ascii=False, default=str)
    typer.echo(_JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text))


# ---------------------------------------------------------------- failing in one line

_JSON_FLAG = "sheetkit.json"
#: The exit status of a run stopped with Ctrl-C (128 + SIGINT, as shells report it).
INTERRUPTED = 130


def _json_mode(ctx: typer.Context, value: bool) -> bool:
    """Remember ``--json`` for the whole command line, so an error is reported as JSON too."""
    ctx.meta[_JSON_FLAG] = value
    return value


def _fail(ctx: typer.Context, message: str, kind: str) -> typer.Exit:
    """Report an error as one line on stderr (and as JSON on stdout with ``--json``); the Exit (status 2) to raise."""
    line = _NEWLINES.sub(" ", message).strip()
    if ctx.meta.get(_JSON_FLAG):
        with contextlib.suppress(OSError, ValueError):
            _echo_json({"error": line, "type": kind})
    with contextlib.suppress(OSError, ValueError):
        err = Console(stderr=True, soft_wrap=True, markup=False, emoji=False, highlight=False)
        err.print(Text.assemble(("error:", "bold red"), " ", shown(line)))
    return typer.Exit(2)


def _os_message(exc: OSError) -> str:
    reason = exc.strerror or str(exc) or type(exc).__name__
    return f"{exc.filename}: {reason}" if exc.filename else reason


class _Guarded(TyperGroup):
    """The root command group: runs a command and turns whatever it raises into one line and an exit status."""

    def invoke(self, ctx: typer.Context) -> Any:  # type: ignore[override]  # typer annotates click's Context
        try:
            return super().invoke(ctx)
        except (typer.Exit, typer.Abort, typer.TyperException):
            raise  # typer's own: usage errors, help, exit statuses
        except SheetkitError as exc:
            raise _fail(ctx, str(exc), type(exc).__name__) from None
        except BrokenPipeError:
            raise  # the reader of stdout went away (sheetkit check ... | head): typer exits quietly
        except OSError as exc:  # a file the library did not expect to fail
            raise _fail(ctx, _os_message(exc), type(exc).__name__) from None
        except KeyboardInterrupt:
            raise typer.Exit(INTERRUPTED) from None  # main() says so, also for Ctrl-C while typer parses
        except Exception as exc:  # the net: a bug, reported as one line rather than a traceback
            message = f"unexpected {type(exc).__name__}: {exc} (please report this as a sheetkit bug)"
            raise _fail(ctx, message, type(exc).__name__) from None


def _show_validation(result: ValidationResult, *, as_json: bool, limit: int) -> None:
    """Print a ValidationResult (table or JSON); exit 1 when it has errors."""
    if as_json:
        _echo_json(result.to_dict())
    else:
        _print_result(result, limit)
    if not result.valid:
        raise typer.Exit(1)


def _print_result(result: ValidationResult, limit: int) -> None:
    """The cells to fix as a table: every value and message is shown literally, never read as markup."""
    rows = result.to_dict()["rows"]
    summary = shown(", ".join(f"{n} {key}" for key, n in rows.items()))
    if not result.issues:
        _say(("OK", "bold green"), f" {shown(result.source)}: {summary}; nothing to fix.")
        return
    _say(f"{shown(result.source)}: {summary}")  # a line of its own, not a table title: the path stays whole
    table = Table(show_lines=False)
    for name in ("Sheet", "Cell", "Column", "Value", "Problem"):
        table.add_column(name, overflow="fold")
    for issue in result.issues[:limit]:
        cell = issue.cell or (str(issue.row) if issue.row else "")
        style = "red" if issue.severity == "error" else "yellow"
        values = (issue.sheet, cell, issue.column or "", issue.value or "")
        table.add_row(*(Text(shown(v)) for v in values), Text(shown(issue.message), style=style))
    _stdout().print(table)
    if len(result.issues) > limit:
        _say(f"... and {len(result.issues) - limit} more (use --json or --limit to see all).")
    errors = len(result.errors)
    warnings = len(result.issues) - errors
    verdict = ("needs fixing", "bold red") if errors else ("valid", "bold green")
    _say(f"{errors} errors, {warnings} warnings: ", verdict)


def _print_branches(branches: list[dict[str, Any]]) -> None:
    """The outcome table of a chain (``BranchOutcome.to_dict()`` rows); codes and errors shown literally."""
    table = Table(title="Branches")
    for name in ("Branch", "Status", "Clients", "Visits", "Issues", "Problem"):
        table.add_column(name, overflow="fold")
    for b in branches:
        style = "green" if b["status"] == "loaded" else "red"
        table.add_row(
            Text(shown(b["code"])),
            Text(shown(b["status"]), style=style),
            Text(shown(b["rows"].get("clients", ""))),
            Text(shown(b["rows"].get("visits", ""))),
            Text(str(b["issues"]) if b["status"] == "loaded" else ""),
            Text(shown(b["error"] or "")),
        )
    _stdout().print(table)
