"""What the command line prints and how a command fails: outside text shown literally, errors as one line."""

from __future__ import annotations

import contextlib
import io
import json
import re
import sys
from typing import IO, TYPE_CHECKING, Any, Final, cast

import typer
from typer._click.exceptions import ClickException
from typer.core import TyperGroup

from sheetkit.cli.messages import lang_of, say
from sheetkit.errors import (
    EncryptedWorkbookError,
    SheetkitError,
    SheetNotFoundError,
    WorkbookChangedError,
    WorkbookError,
    WorkbookNotFoundError,
    WorkbookPasswordError,
)

if TYPE_CHECKING:  # the library and rich load on first use, so --help is fast and Ctrl-C at start is one line too
    from rich.console import Console

    from sheetkit.issues import Issue, ValidationResult

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
    from rich.console import Console  # noqa: PLC0415  # rich loads when something is printed, not for --help

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
    """A console on stderr for progress; quiet with ``quiet`` or when stderr is not a terminal."""
    from rich.console import Console  # noqa: PLC0415  # rich loads when something is shown

    from sheetkit.cli.progress import wanted  # noqa: PLC0415  # a sibling that imports this module

    off = not wanted(quiet=quiet)
    return Console(file=cast(IO[str], _Tolerant()), markup=False, emoji=False, highlight=False, quiet=off)


def _say(*parts: str | tuple[str, str]) -> None:
    """Print one line built from literal parts (``(text, style)`` for a style); never wrapped by rich."""
    from rich.text import Text  # noqa: PLC0415  # rich loads when something is printed

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


#: Where a command's ``--lang`` goes in ``ctx.meta``, so its errors speak the same language.
_LANG_KEY = "sheetkit.lang"


def _lang_option(ctx: typer.Context, value: str | None) -> str | None:
    """``--lang``: any common form of a locale name (``zh_cn``, ``IT-it``), kept for the error line too."""
    if value is None:
        return None
    lang = lang_of(value)
    ctx.meta[_LANG_KEY] = lang
    return lang


def _fail(ctx: typer.Context, message: str, kind: str, *, said: str | None = None) -> typer.Exit:
    """Report an error as one line on stderr (and as JSON on stdout with ``--json``); the Exit (status 2) to raise.

    ``said``: the line in the language of ``--lang``, for people (JSON keeps the English ``message``).
    """
    from rich.console import Console  # noqa: PLC0415  # rich loads when something is printed
    from rich.text import Text  # noqa: PLC0415

    line = _NEWLINES.sub(" ", message).strip()
    if ctx.meta.get(_JSON_FLAG):
        with contextlib.suppress(OSError, ValueError):
            _echo_json({"error": line, "type": kind})
    with contextlib.suppress(OSError, ValueError):
        err = Console(stderr=True, soft_wrap=True, markup=False, emoji=False, highlight=False)
        person = _NEWLINES.sub(" ", said).strip() if said else line
        err.print(Text.assemble((say("error", ctx.meta.get(_LANG_KEY)), "bold red"), " ", shown(person)))
    return typer.Exit(2)


def _said(exc: SheetkitError, lang: str | None) -> str | None:
    """The error in ``lang`` where the command line has its words (the common ones at the front desk), else None.

    A workbook that cannot be read has no language of its own: only ``--lang`` chooses.
    """
    if lang is None or lang_of(lang) == "en" or not isinstance(exc, WorkbookError):
        return None
    key: str | None = None
    params: dict[str, str] = {}
    if isinstance(exc, WorkbookPasswordError):
        key = "error.password_wrong" if exc.wrong else "error.password_missing"
    elif isinstance(exc, EncryptedWorkbookError):
        key = "error.encrypted"
    elif isinstance(exc, WorkbookNotFoundError):
        key = "error.not_found"
    elif isinstance(exc, WorkbookChangedError):
        key = "error.changed"
    elif isinstance(exc, SheetNotFoundError):
        key = "error.no_sheet"
        params = {"name": repr(exc.name), "available": ", ".join(repr(a) for a in exc.available) or "-"}
    if key is None:
        return None
    text = say(key, lang, **params)
    return f"{exc.path}: {text}" if exc.path else text


def _json_requested(ctx: typer.Context, args: list[str]) -> bool:
    """True when ``--json`` is on the command line, even if parsing stopped before it was read."""
    return bool(ctx.meta.get(_JSON_FLAG)) or "--json" in args


def _os_message(exc: OSError) -> str:
    reason = exc.strerror or str(exc) or type(exc).__name__
    return f"{exc.filename}: {reason}" if exc.filename else reason


def _keep_lines(text: str) -> str:
    r"""``text`` with ``\b`` before each paragraph of several lines, so click's help does not re-wrap it.

    >>> _keep_lines("Check a book.\n\nExamples: a\n          b")
    'Check a book.\n\n\x08\nExamples: a\n          b'
    """
    paragraphs = re.split(r"\n\s*\n", text)
    kept = [f"\b\n{p}" if "\n" in p.strip() else p for p in paragraphs]
    return "\n\n".join(kept)


#: The order of the commands in ``sheetkit --help``.
_COMMAND_ORDER: Final = (
    "new",
    "demo",
    "check",
    "report",
    "import",
    "upgrade",
    "extract",
    "export-client",
    "forget",
    "gsheets",
)


class _Guarded(TyperGroup):
    """The root command group: runs a command and turns whatever it raises into one line and an exit status."""

    def get_command(self, ctx: typer.Context, cmd_name: str) -> Any:  # type: ignore[override]  # click's Context
        """A command, with its example paragraphs kept line by line in the plain ``--help``."""
        command = super().get_command(ctx, cmd_name)
        if command is not None and command.help and "\b" not in command.help:
            command.help = _keep_lines(command.help)
        return command

    def list_commands(self, ctx: typer.Context) -> list[str]:  # type: ignore[override]  # click's Context
        """The commands in the order a salon meets them (daily work first), then any others as registered."""
        names = list(super().list_commands(ctx))
        rank = {name: i for i, name in enumerate(_COMMAND_ORDER)}
        return sorted(names, key=lambda name: rank.get(name, len(rank)))

    def get_help_option(self, ctx: typer.Context) -> Any:  # type: ignore[override]  # click's Context
        """The ``--help`` option, False when not given: typer would build a pydantic adapter to coerce None."""
        option = super().get_help_option(ctx)
        if option is not None and option.default is None:
            option.default = False  # keeps pydantic (0.1 s) out of --help
        return option

    def invoke(self, ctx: typer.Context) -> Any:  # type: ignore[override]  # typer annotates click's Context
        args = [*getattr(ctx, "_protected_args", []), *ctx.args]  # the group empties them before parsing them
        try:
            return super().invoke(ctx)
        except ClickException as exc:  # a usage error (unknown option, bad value): typer prints it, status 2
            if _json_requested(ctx, args) and not getattr(exc, "sheetkit_reported", False):
                exc.sheetkit_reported = True  # type: ignore[attr-defined]  # a group inside a group: once
                with contextlib.suppress(OSError, ValueError):
                    _echo_json({"error": _NEWLINES.sub(" ", exc.format_message()).strip(), "type": "UsageError"})
            raise
        except (typer.Exit, typer.Abort, typer.TyperException):
            raise  # typer's own: help, exit statuses
        except SheetkitError as exc:
            raise _fail(ctx, str(exc), type(exc).__name__, said=_said(exc, ctx.meta.get(_LANG_KEY))) from None
        except BrokenPipeError:
            raise  # the reader of stdout went away (sheetkit check ... | head): typer exits quietly
        except OSError as exc:  # a file the library did not expect to fail
            raise _fail(ctx, _os_message(exc), type(exc).__name__) from None
        except KeyboardInterrupt:
            raise typer.Exit(INTERRUPTED) from None  # main() says so, also for Ctrl-C while typer parses
        except Exception as exc:  # the net: a bug, reported as one line rather than a traceback
            message = f"unexpected {type(exc).__name__}: {exc} (please report this as a sheetkit bug)"
            raise _fail(ctx, message, type(exc).__name__) from None


def _show_validation(
    result: ValidationResult,
    *,
    as_json: bool,
    limit: int,
    lang: str | None = None,
    show_health: bool = False,
    extra: dict[str, Any] | None = None,
) -> None:
    """Print a ValidationResult (table or JSON) in ``lang`` (default: the workbook's); exit 1 when it has errors.

    Values of health columns (template sensitivity ``health``) are masked, in the table and in JSON,
    unless ``show_health``; nothing else differs from ``result.to_dict()`` in the JSON, except the ``extra``
    entries that are not None (``marked`` of ``check --mark``).
    """
    if as_json:
        data = result.to_dict()
        data.update({key: value for key, value in (extra or {}).items() if value is not None})
        if not show_health:
            hidden = say("check.hidden_value", lang or result.locale)  # the same mark as in the table
            data["issues"] = [_masked(issue, hidden=hidden).to_dict() for issue in result.issues]
        _echo_json(data)
    else:
        _print_result(result, limit, lang=lang, show_health=show_health)
    if not result.valid:
        raise typer.Exit(1)


def _print_result(result: ValidationResult, limit: int, *, lang: str | None = None, show_health: bool = False) -> None:
    """The cells to fix as a table: every value and message is shown literally, never read as markup."""
    from rich.table import Table  # noqa: PLC0415  # rich loads when something is printed
    from rich.text import Text  # noqa: PLC0415

    lang = lang_of(lang or result.locale)
    rows = result.to_dict()["rows"]
    summary = shown(
        ", ".join(say("check.rows", lang, count=n, sheet=_sheet_name(key, lang)) for key, n in rows.items())
    )
    if not result.issues:
        _say((say("check.ok", lang), "bold green"), f" {shown(result.source)}: {summary}; {say('check.nothing', lang)}")
        return
    _say(f"{shown(result.source)}: {summary}")  # a line of its own, not a table title: the path stays whole
    table = Table(show_lines=False)
    chain = any(issue.branch for issue in result.issues[:limit])  # a chain's Issues say whose sheet they are in
    if chain:
        table.add_column(say("branches.col.branch", lang), overflow="fold")
    for key in ("sheet", "cell", "column", "value", "problem"):
        table.add_column(say(f"check.col.{key}", lang), overflow="fold")
    masked = 0
    for issue in result.issues[:limit]:
        shown_issue = issue if show_health else _masked(issue, hidden=say("check.hidden_value", lang))
        masked += shown_issue is not issue
        cell = issue.cell or (str(issue.row) if issue.row else "")
        style = "red" if issue.severity == "error" else "yellow"
        where = (issue.branch or "",) if chain else ()
        values = (*where, issue.sheet, cell, issue.column or "", shown_issue.value or "")
        message = shown_issue.message_in(lang)  # made in the workbook's language; said again in --lang
        table.add_row(*(Text(shown(v)) for v in values), Text(shown(message), style=style))
    _stdout().print(table)
    if len(result.issues) > limit:
        _say(say("check.more", lang, count=len(result.issues) - limit))
    if masked:
        _say(say("check.masked", lang))
    errors = len(result.errors)
    warnings = len(result.issues) - errors
    verdict = (say("check.invalid", lang), "bold red") if errors else (say("check.valid", lang), "bold green")
    _say(say("check.summary", lang, errors=errors, warnings=warnings) + say("check.verdict_sep", lang), verdict)


def _sheet_name(key: str, lang: str) -> str:
    """A data sheet's tab name in ``lang`` (the key itself for a sheet the template does not name)."""
    from sheetkit.template import load_template  # noqa: PLC0415  # loaded once the result exists

    try:
        return load_template().labels(lang).sheet_name(key)
    except (KeyError, LookupError):
        return key


#: Codes about a header or a whole sheet: their value is a header, never a client's health data.
_HEADER_CODES = frozenset({"renamed-column", "extra-column", "duplicate-column", "missing-column"})


def _health_columns() -> frozenset[tuple[str, str]]:
    """(sheet key, column key) of every column the template marks as health data."""
    from sheetkit.template import load_template  # noqa: PLC0415  # loaded once the result exists

    template = load_template()
    return frozenset(
        (sheet.key, column.key)
        for sheet in template.sheets
        for column in sheet.columns
        if column.sensitivity == "health"
    )


def _masked(issue: Issue, *, hidden: str) -> Issue:
    """``issue`` with a health column's value hidden, in its value and in its messages."""
    import dataclasses  # noqa: PLC0415  # only when masking

    if issue.code in _HEADER_CODES or not issue.value or (issue.sheet_key, issue.column_key) not in _health_columns():
        return issue
    return dataclasses.replace(
        issue,
        value=hidden,
        message=issue.message.replace(issue.value, hidden),
        message_en=issue.message_en.replace(issue.value, hidden),
        fields={**issue.fields, "value": hidden} if issue.fields else issue.fields,
    )


def _print_branches(branches: list[dict[str, Any]], *, lang: str | None = None) -> None:
    """The outcome table of a chain (``BranchOutcome.to_dict()`` rows); codes and errors shown literally."""
    from rich.table import Table  # noqa: PLC0415  # rich loads when something is printed
    from rich.text import Text  # noqa: PLC0415

    table = Table(title=say("branches.title", lang))
    for key in ("branch", "status", "clients", "visits", "issues", "problem"):
        table.add_column(say(f"branches.col.{key}", lang), overflow="fold")
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
