"""A batch with more findings than an Excel sheet can hold still gets a report, with a note."""
from __future__ import annotations

from pathlib import Path

import openpyxl
from click.testing import CliRunner

from voucher_checker import report
from voucher_checker.cli import main
from voucher_checker.policy import Policy
from voucher_checker.scan import scan
from tests.conftest import write_xlsx


def many_unbalanced(path: Path, vouchers: int) -> Path:
    rows = [["日期", "凭证号", "摘要", "科目", "借方", "贷方"]]
    for n in range(1, vouchers + 1):
        rows += [["2021-03-01", f"记-{n}", "支付办公费", "管理费用", 100, None], ["", "", "支付办公费", "银行存款", None, 90]]
    return write_xlsx(path, {"3月": rows})


def test_sheets_stop_at_the_row_limit_with_a_note(tmp_path, monkeypatch):
    monkeypatch.setattr(report.common, "ROW_BUDGET", 12)
    result = scan([many_unbalanced(tmp_path / "a.xlsx", 20)], Policy(), jobs=1)
    report.write_report(result, tmp_path / "r.xlsx")
    workbook = openpyxl.load_workbook(tmp_path / "r.xlsx")
    findings = [c.value for c in workbook["问题清单"]["A"] if c.value]
    assert any("上限" in str(v) and "另有 9 条问题" in str(v) for v in findings)
    detail = [c.value for c in workbook["凭证明细"]["A"] if c.value]
    assert any("上限" in str(v) for v in detail)
    assert workbook["问题清单"].max_row <= 13


def test_a_failure_while_writing_is_exit_3_not_findings(tmp_path, monkeypatch):
    many_unbalanced(tmp_path / "a.xlsx", 2)

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")
    monkeypatch.setattr(report, "write_report", broken)
    out = tmp_path / "r.json"
    result = CliRunner().invoke(main, ["scan", str(tmp_path / "a.xlsx"), "-o", str(tmp_path / "r.xlsx"),
                                       "--json", str(out), "--jobs", "1"])
    assert result.exit_code == 3
    assert "disk full" in result.output
    assert out.exists(), "the JSON is written before the report"
