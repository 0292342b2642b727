"""Render the pictures in the README from a freshly generated demo workbook.

Real LibreOffice (headless) opens the workbook, recalculates it and prints the
Clients sheet to PDF; pdftoppm turns the page into a PNG, cropped to the table.
The weekly report's first page (KPIs and charts) is rendered the same way.

Usage: python scripts/render_readme_images.py [--as-of 2026-11-22]
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
from pathlib import Path

from PIL import Image, ImageChops

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sheetkit.demo import write_demo  # noqa: E402
from sheetkit.report import weekly_report  # noqa: E402
from tests import office  # noqa: E402
from tests.printview import clients_print_copy  # noqa: E402


def crop(png: Path, margin: int = 12) -> None:
    image = Image.open(png).convert("RGB")
    background = Image.new("RGB", image.size, (255, 255, 255))
    box = ImageChops.difference(image, background).getbbox()
    if box:
        left, top, right, bottom = box
        image = image.crop((max(left - margin, 0), max(top - margin, 0), right + margin, bottom + margin))
    image.save(png)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--as-of", default=dt.date.today().isoformat())
    args = parser.parse_args()
    out = ROOT / "docs" / "images"
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        book = Path(write_demo(folder / "salon.xlsx", as_of=dt.date.fromisoformat(args.as_of))["workbook"])
        printable = clients_print_copy(book, folder / "print.xlsx", rows=28)
        (page,) = office.render_png(printable, folder / "png", dpi=150, last_page=1)
        target = out / "clients-demo.png"
        target.write_bytes(page.read_bytes())
        crop(target)
        print(target)
        as_of = dt.date.fromisoformat(args.as_of)
        summary = weekly_report(book, as_of=as_of, out=folder / "weekly.xlsx")
        (first,) = office.render_png(Path(summary["report"]), folder / "weekly-png", dpi=110, last_page=1)
        target = out / "weekly-summary.png"
        target.write_bytes(first.read_bytes())
        crop(target)
        print(target)


if __name__ == "__main__":
    main()
