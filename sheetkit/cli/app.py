"""The root command group, its shared options, and the entry points ``main`` and ``run``."""

from __future__ import annotations

import contextlib
import datetime as dt
import sys
from pathlib import Path
from typing import Annotated

import typer

from sheetkit._version import __version__
from sheetkit.cli.console import INTERRUPTED, _Guarded, _json_mode, _lang_option
from sheetkit.errors import UsageError

app = typer.Typer(
    name="sheetkit",
    cls=_Guarded,
    help="Client-allocation workbooks for salons, skin-care centres and spas.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain help: typer's rich help costs 0.1 s of imports on every --help
)
gsheets_app = typer.Typer(
    name="gsheets",
    cls=_Guarded,
    help="The same workbook in Google Sheets: create, check, and pull a chain of branches.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(gsheets_app)

ServiceAccountOpt = Annotated[
    Path | None,
    typer.Option(
        "--service-account",
        help="Service-account JSON key (default: $SHEETKIT_SERVICE_ACCOUNT or $GOOGLE_APPLICATION_CREDENTIALS).",
    ),
]
OAuthClientOpt = Annotated[
    Path | None,
    typer.Option("--oauth-client", help="OAuth client JSON (Desktop app) to sign in as yourself in the browser."),
]


def _locale_option(value: str | None) -> str | None:
    """``--locale`` in any common form (``zh_cn``, ``ZH-CN``, ``it-IT``, ``vi-VN``) as the template names it."""
    from sheetkit.cli.messages import LANGS  # noqa: PLC0415  # the template's locales, without loading it
    from sheetkit.template.locale_names import canonical_locale  # noqa: PLC0415

    return None if value is None else canonical_locale(value, LANGS)


LocaleOpt = Annotated[
    str,
    typer.Option(
        "--locale",
        "-l",
        help="Language of the workbook: en, zh-CN, it or vi (any case, zh_cn too).",
        callback=_locale_option,
    ),
]
LangOpt = Annotated[
    str | None,
    typer.Option(
        "--lang",
        help="Language of what is printed: en, zh-CN, it or vi (default: the workbook's).",
        callback=_lang_option,
    ),
]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="No progress display on stderr.")]
ForceOpt = Annotated[bool, typer.Option("--force", help="Replace OUT if it exists.")]
JsonSummaryOpt = Annotated[bool, typer.Option("--json", help="Print the summary as JSON.", callback=_json_mode)]
JsonResultOpt = Annotated[bool, typer.Option("--json", help="Print the result as JSON.", callback=_json_mode)]
JsonFullOpt = Annotated[bool, typer.Option("--json", help="Print the full result as JSON.", callback=_json_mode)]


def _as_of(value: str | None) -> dt.date:
    if value is None:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"--as-of {value!r} is not a date like 2026-11-22") from None


def version_callback(value: bool) -> None:
    if value:
        typer.echo(f"sheetkit {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=version_callback, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """Client-allocation workbooks for salons, skin-care centres and spas."""


def main(argv: list[str] | None = None) -> int:
    """Run the command line with ``argv``; return the exit status.

    A command's failures are reported by the root group (one line, status 2);
    usage errors by typer (status 2); Ctrl-C as one line ``interrupted`` (status 130).
    """
    try:
        app(args=argv, prog_name="sheetkit")
        status = 0
    except SystemExit as exc:
        code = exc.code
        status = code if isinstance(code, int) else (0 if code is None else 1)
    except KeyboardInterrupt:
        status = INTERRUPTED
    if status == INTERRUPTED:
        with contextlib.suppress(OSError, ValueError, AttributeError):
            sys.stderr.write("interrupted\n")
    return status


def run() -> None:
    """Console-script entry point."""
    raise SystemExit(main())
