"""Print a report as an auditor would: LibreOffice (headless) turns the workbook into a PDF at the
print settings the workbook carries, poppler's pdftoppm turns the pages into PNG pictures.

    python scripts/render_report.py reports/sample-report.xlsx --out build/render
    python scripts/render_report.py reports/sample-report.xlsx --picture reports/sample-report.png

Prints how many pages each sheet takes.  ``--picture`` writes the first printed page of
``--sheet`` (default 问题清单) as the README's picture.  Needs ``soffice`` (LibreOffice Calc),
``pdftoppm`` and ``pdftotext`` (poppler-utils), and Calibri's metrics: without Calibri or its
metric twin Carlito, LibreOffice sets the report's Calibri in a wider face, widens every column and
prints the pages smaller than Excel would.  On Debian/Ubuntu:
``apt-get install libreoffice-calc poppler-utils fonts-noto-cjk fonts-crosextra-carlito``.
"""
from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

SHEET_TITLE = re.compile(r"凭证检查报告 — (\S+)")


def tools_missing() -> list[str]:
    return [tool for tool in ("soffice", "pdftoppm", "pdftotext") if shutil.which(tool) is None]


def calibri_substitute() -> str | None:
    """The face fontconfig gives for Calibri when it is neither Calibri nor Carlito (None if it is
    one of them, or fontconfig cannot say)."""
    if shutil.which("fc-match") is None:
        return None
    face = subprocess.run(["fc-match", "Calibri"], capture_output=True, text=True).stdout.strip()
    return None if not face or re.search("Calibri|Carlito", face) else face


def to_pdf(workbook: Path, out: Path, timeout: float = 300) -> Path:
    """The workbook printed to ``out``/<name>.pdf by LibreOffice, with a profile of its own so
    that it neither disturbs nor waits for another LibreOffice running on the machine."""
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="lo-profile-") as profile:
        subprocess.run(["soffice", f"-env:UserInstallation={Path(profile).as_uri()}", "--headless",
                        "--convert-to", "pdf", "--outdir", str(out), str(workbook)],
                       check=True, timeout=timeout, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    pdf = out / (workbook.stem + ".pdf")
    if not pdf.exists():
        raise RuntimeError(f"LibreOffice wrote no PDF for {workbook}")
    return pdf


def page_count(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))


def pages_per_sheet(pdf: Path) -> dict[str, list[int]]:
    """The pages (1-based) of each sheet, told apart by the page header the report prints."""
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True,
                          text=True).stdout
    pages: dict[str, list[int]] = {}
    for number, page in enumerate(text.split("\f"), start=1):
        match = SHEET_TITLE.search(page)
        if match:
            pages.setdefault(match.group(1), []).append(number)
    return pages


def to_png(pdf: Path, prefix: Path, dpi: int, first: int | None = None, last: int | None = None) -> list[Path]:
    args = ["pdftoppm", "-png", "-r", str(dpi)]
    if first:
        args += ["-f", str(first), "-l", str(last or first)]
    subprocess.run([*args, str(pdf), str(prefix)], check=True)
    return sorted(prefix.parent.glob(prefix.name + "*.png"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("workbook", type=Path)
    parser.add_argument("--out", type=Path, default=Path("build/render"), help="folder for the PDF and pages")
    parser.add_argument("--dpi", type=int, default=60, help="resolution of the page pictures (default 60)")
    parser.add_argument("--picture", type=Path, help="write the first page of --sheet here (PNG)")
    parser.add_argument("--sheet", default="问题清单")
    parser.add_argument("--picture-dpi", type=int, default=100)
    args = parser.parse_args(argv)
    missing = tools_missing()
    if missing:
        print("缺少打印所需的程序：" + "、".join(missing) + "（Debian/Ubuntu：apt-get install libreoffice-calc "
              "poppler-utils fonts-noto-cjk fonts-crosextra-carlito）", file=sys.stderr)
        return 2
    substitute = calibri_substitute()
    if substitute:
        print(f"注意：没有 Calibri 或 Carlito 字体，LibreOffice 用 {substitute} 代替，列宽变大、打印比例变小"
              "（Debian/Ubuntu：apt-get install fonts-crosextra-carlito）", file=sys.stderr)
    pdf = to_pdf(args.workbook, args.out)
    sheets = pages_per_sheet(pdf)
    print(f"{pdf}: {page_count(pdf)} pages")
    for sheet, pages in sheets.items():
        print(f"  {sheet}: {len(pages)} page(s), {pages[0]}–{pages[-1]}")
    for old in args.out.glob(f"{args.workbook.stem}-page*.png"):
        old.unlink()
    pictures = to_png(pdf, args.out / f"{args.workbook.stem}-page", args.dpi)
    print(f"  {len(pictures)} page pictures in {args.out}")
    if args.picture:
        if args.sheet not in sheets:
            print(f"没有找到工作表“{args.sheet}”的打印页", file=sys.stderr)
            return 1
        page = sheets[args.sheet][0]
        with tempfile.TemporaryDirectory() as tmp:
            made = to_png(pdf, Path(tmp) / "picture", args.picture_dpi, page, page)
            args.picture.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(made[0], args.picture)
        print(f"  page {page} ({args.sheet}) → {args.picture}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
