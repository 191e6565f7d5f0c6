"""What the review tests share: generated books of two communities, and a reviewer filling in
the report with openpyxl as they would in Excel (drop-down values, text, sorting, a filter, an
inserted row)."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import openpyxl
from click.testing import CliRunner

from tests.conftest import write_xlsx
from voucher_checker.cli import main

HEADER = ["日期", "凭证号", "摘要", "科目", "借方", "贷方", "制单", "审核"]
RULES = ("--rule", "petty-cash-over-limit", "--rule", "cash-payment")


def _voucher(date, number, summary, debit_account, credit_account, amount):
    return [[date, number, summary, debit_account, amount, None, "张三", "李四"],
            ["", "", summary, credit_account, None, amount, "", ""]]


def write_books(folder: Path, fixed: bool = False) -> Path:
    """建设社区: 记-6 withdraws 2,500 (over the limit), 记-7 and 记-8 and 记-9 pay over 1,000 in
    cash.  幸福村: 记-1 pays 2,000 in cash.  ``fixed``: the books after rectification, where
    记-6 withdraws 1,800, 记-7 is paid by bank, 幸福村 记-1's summary was edited (still cash)
    and 幸福村 has a new cash payment 记-2."""
    jianshe = [["建设社区行政账"], HEADER]
    jianshe += _voucher("2021-03-06", "记-6", "提取备用金", "库存现金", "银行存款", 1800 if fixed else 2500)
    jianshe += _voucher("2021-03-10", "记-7", "支付疫情防控物资", "管理费用-防疫支出",
                        "银行存款" if fixed else "库存现金", 3000)
    jianshe += _voucher("2021-03-15", "记-8", "支付办公用品", "管理费用-办公费", "库存现金", 1500)
    jianshe += _voucher("2021-03-20", "记-9", "支付慰问品", "管理费用-福利费", "库存现金", 1200)
    xingfu = [["幸福村行政账"], HEADER]
    xingfu += _voucher("2021-03-04", "记-1", "支付修路款（补记）" if fixed else "支付修路款", "管理费用-修缮费",
                       "库存现金", 2000)
    if fixed:
        xingfu += _voucher("2021-03-25", "记-2", "支付绿化款", "管理费用-绿化费", "库存现金", 1100)
    write_xlsx(folder / "建设社区" / "建设社区行政账2021.xlsx", {"3月": jianshe})
    write_xlsx(folder / "幸福村" / "幸福村行政账2021.xlsx", {"3月": xingfu})
    return folder


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def scan(books: Path, report: Path, db: Path | None = None, *extra):
    args = ["scan", books, "-o", report, "--jobs", "1", *RULES, *extra]
    if db is not None:
        args += ["--db", db]
    result = run(*args)
    assert result.exit_code == 1, result.output
    return result


def header_columns(ws) -> tuple[int, dict[str, int]]:
    for row in range(1, 6):
        names = {ws.cell(row=row, column=c).value: c for c in range(1, ws.max_column + 1)}
        if "识别码" in names:
            return row, names
    raise AssertionError("no header")


def rows_by(ws, header: str) -> dict[str, int]:
    """Excel row of each value in the ``header`` column (e.g. 凭证号 → row)."""
    top, columns = header_columns(ws)
    found = {}
    for row in range(top + 1, ws.max_row + 1):
        value = ws.cell(row=row, column=columns[header]).value
        if value is not None:
            found.setdefault((ws.cell(row=row, column=columns["单位"]).value, value), row)
    return found


def fill(report: Path, out: Path, conclusions: dict[tuple[str, str], dict[str, str]], *,
         sort: bool = True, insert: bool = True, hide: bool = True) -> Path:
    """Fill the reviewer columns of 问题清单 for (单位, 凭证号) → {header: value}, then sort the
    rows backwards, filter (hide) one, and insert a row with a note, as a reviewer would."""
    workbook = openpyxl.load_workbook(report)
    ws = workbook["问题清单"]
    top, columns = header_columns(ws)
    where = rows_by(ws, "凭证号")
    for key, values in conclusions.items():
        for header, value in values.items():
            ws.cell(row=where[key], column=columns[header]).value = value
    last = max(where.values())
    if sort:
        rows = [[ws.cell(row=r, column=c).value for c in range(1, ws.max_column + 1)] for r in range(top + 1, last + 1)]
        for r, values in zip(range(top + 1, last + 1), reversed(rows)):
            for c, value in enumerate(values, start=1):
                ws.cell(row=r, column=c).value = value
    if hide:
        ws.row_dimensions[top + 1].hidden = True
        ws.auto_filter.add_filter_column(0, ["2", "3", "4", "5"])
    if insert:
        ws.insert_rows(top + 2)
        ws.cell(row=top + 2, column=columns["整改措施"]).value = "以下问题由会计统一说明"
    workbook.save(out)
    return out


def libreoffice_round_trip(path: Path, folder: Path) -> Path:
    """The workbook as LibreOffice saves it (its own profile, so parallel runs do not collide)."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    folder.mkdir(parents=True, exist_ok=True)
    profile = (folder / "profile").resolve().as_uri()
    subprocess.run([soffice, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "xlsx",
                    "--outdir", str(folder), str(path)], check=True, capture_output=True, timeout=300)
    return folder / path.name
