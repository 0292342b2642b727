"""Progress of a long step on stderr with rich, silent when stderr is not a terminal or with ``--quiet``.

Every command that reads, checks or writes a workbook wraps its long steps in :func:`progress`::

    with progress(say("progress.reading", lang), quiet=quiet) as bar:
        bar.step(say("progress.checking", lang))   # a new step, same display
        bar.update(done=3, total=10)               # a bar once a total is known

and a library function that reports progress through a callback gets ``bar.callback`` (``(done, total)``
or ``(done, total, anything)``). Nothing here writes to stdout, so ``--json`` output and pipes stay clean;
when stderr goes to a file or a pipe the display is off entirely (no stray spinner frames in logs).
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING

__all__ = ["Progressing", "progress", "wanted"]

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID


def wanted(*, quiet: bool = False) -> bool:
    """True when a progress display should show: not ``--quiet`` and stderr is a terminal."""
    if quiet:
        return False
    try:
        return sys.stderr is not None and sys.stderr.isatty()
    except (OSError, ValueError, AttributeError):
        return False


class Progressing:
    """The handle :func:`progress` yields; every method is a no-op when the display is off."""

    def __init__(self, bar: Progress | None, task: TaskID | None) -> None:
        self._bar, self._task = bar, task

    @property
    def shown(self) -> bool:
        """True when a display is on screen."""
        return self._bar is not None

    def step(self, description: str, *, total: int | None = None) -> None:
        """Start the next step: a new description, and a bar when ``total`` is given (a spinner otherwise)."""
        if self._bar is not None and self._task is not None:
            self._bar.update(self._task, description=description, total=total, completed=0)

    def update(self, done: int, total: int | None = None, description: str | None = None) -> None:
        """``done`` of ``total`` units are finished (the total may become known on the way)."""
        if self._bar is not None and self._task is not None:
            self._bar.update(self._task, completed=done, total=total, description=description)

    def advance(self, units: int = 1) -> None:
        """``units`` more are finished."""
        if self._bar is not None and self._task is not None:
            self._bar.advance(self._task, units)

    def callback(self, done: int, total: int, *_: object) -> None:
        """For library callbacks ``progress(done, total[, item])``."""
        self.update(done, total)


@contextlib.contextmanager
def progress(description: str, *, total: int | None = None, quiet: bool = False) -> Iterator[Progressing]:
    """A progress display on stderr for the block: a spinner, or a bar once a total is known.

    Off (and rich never imported) with ``quiet`` or when stderr is not a terminal. The display is
    transient: it disappears when the block ends, so what the command prints afterwards stands alone.
    """
    if not wanted(quiet=quiet):
        yield Progressing(None, None)
        return
    from rich.progress import (  # noqa: PLC0415  # only when a display is wanted: keeps start-up fast
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    from sheetkit.cli.console import _progress_console  # noqa: PLC0415  # console imports rich too

    columns = (
        SpinnerColumn(),
        TextColumn("{task.description}", markup=False),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=_progress_console(), transient=True) as bar:
        task = bar.add_task(description, total=total)
        yield Progressing(bar, task)
