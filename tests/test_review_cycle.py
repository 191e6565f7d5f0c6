"""The whole cycle on generated books: scan, review in the report, rectify the books, scan again,
and the counts `progress` shows."""
from __future__ import annotations

import zipfile

import openpyxl
import pytest

from tests.review_support import rows_by, fill, header_columns, run, scan, write_books
from voucher_checker.report.common import column_px, printable_width_px
from voucher_checker.review.progress import LEDGER_COLUMNS, PROGRESS_COLUMNS
from voucher_checker.review.store import open_store

REVIEW = {
    ("建设社区", "记-6"): {"核实结论": "属实", "整改措施": "多提现金退回银行", "责任人": "周敏"},
    ("建设社区", "记-7"): {"核实结论": "属实", "整改措施": "改为银行转账支付", "责任人": "周敏"},
    ("建设社区", "记-8"): {"核实结论": "不属实", "备注": "经审批的零星支出，有发票"},
    ("建设社区", "记-9"): {"核实结论": "已整改", "整改措施": "补办审批"},
    ("幸福村", "记-1"): {"核实结论": "属实", "整改措施": "今后通过银行支付", "责任人": "王村长"},
}


@pytest.fixture(scope="module")
def cycle(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cycle")
    db = folder / "记录" / "整改.db"
    books = write_books(folder / "账簿")
    scan(books, folder / "第一次.xlsx", db)
    filled = fill(folder / "第一次.xlsx", folder / "第一次-已填.xlsx", REVIEW)
    imported = run("review", "import", filled, "--db", db, "--by", "检查组李明")
    write_books(books, fixed=True)
    rescanned = scan(books, folder / "第二次.xlsx", db, "--json", folder / "第二次.json")
    progress = run("progress", "--db", db, "-o", folder / "整改进展.xlsx")
    assert progress.exit_code == 0, progress.output
    return folder, db, imported, rescanned


def _sheet_rows(ws):
    top, columns = header_columns(ws)
    return [{name: ws.cell(row=r, column=c).value for name, c in columns.items()}
            for r in range(top + 1, ws.max_row + 1) if ws.cell(row=r, column=columns["识别码"]).value]


def test_import_reports_taken_and_the_inserted_row(cycle):
    _, _, imported, _ = cycle
    assert imported.exit_code == 2, imported.output          # one row could not be matched
    assert "导入结论 5 条，与记录库相同未变 0 条" in imported.output
    assert "没有识别码（插入的行？）" in imported.output


def test_rescan_report_carries_conclusions_and_marks_status(cycle):
    folder, _, _, rescanned = cycle
    assert "新发现 1 条，仍存在 1 条，整改后仍存在 1 条，不属实 1 条，已整改（复查未再出现） 2 条" in rescanned.output
    workbook = openpyxl.load_workbook(folder / "第二次.xlsx")
    listed = {(r["单位"], r["凭证号"]): r for r in _sheet_rows(workbook["问题清单"])}
    assert set(listed) == {("建设社区", "记-9"), ("幸福村", "记-1"), ("幸福村", "记-2")}
    assert listed[("建设社区", "记-9")]["复查情况"] == "整改后仍存在"
    village = listed[("幸福村", "记-1")]
    assert (village["核实结论"], village["整改措施"], village["责任人"]) == ("属实", "今后通过银行支付", "王村长")
    assert village["复查情况"] == "仍存在（凭证分录有变动）"
    assert listed[("幸福村", "记-2")]["复查情况"] == "新发现" and listed[("幸福村", "记-2")]["核实结论"] is None
    false = _sheet_rows(workbook["核实不属实"])
    assert [(r["凭证号"], r["理由"], r["核实人"]) for r in false] == [("记-8", "经审批的零星支出，有发票", "检查组李明")]
    rectified = _sheet_rows(workbook["整改复查"])
    assert sorted((r["凭证号"], r["复查情况"]) for r in rectified) == [
        ("记-6", "已整改（复查未再出现）"), ("记-7", "已整改（复查未再出现）")]


def _progress_rows(path):
    ws = openpyxl.load_workbook(path)["整改进展"]
    rows = {}
    for r in range(2, ws.max_row + 1):
        if isinstance(ws.cell(row=r, column=2).value, int) and ws.cell(row=1, column=2).value == "检查次序":
            values = [ws.cell(row=r, column=c).value for c in range(1, len(PROGRESS_COLUMNS) + 1)]
            if values[3] is None:
                break
            rows[(values[0], values[1])] = tuple(values[3:])
    return rows


def test_progress_counts_over_the_runs(cycle):
    folder, _, _, _ = cycle
    rows = _progress_rows(folder / "整改进展.xlsx")
    # found, new, confirmed, not confirmed, rectified, outstanding, recurring
    assert rows == {
        ("建设社区", 1): (4, 4, 3, 1, 0, 3, 0),
        ("建设社区", 2): (2, 0, 1, 1, 2, 1, 1),
        ("幸福村", 1): (1, 1, 1, 0, 0, 1, 0),
        ("幸福村", 2): (2, 1, 1, 0, 0, 2, 0),
    }
    workbook = openpyxl.load_workbook(folder / "整改进展.xlsx")
    ledger = workbook["整改台账"]
    assert [c.value for c in ledger[1]] == ["序号", "问题", "整改措施", "责任人", "整改时限", "整改情况", "完成情况"]
    done = {ledger.cell(row=r, column=2).value.split("：")[0]: ledger.cell(row=r, column=7).value
            for r in range(2, ledger.max_row + 1)}
    assert done == {"建设社区 行政账 2021-03 记-6号凭证": "已完成（复查未再出现）",
                    "建设社区 行政账 2021-03 记-7号凭证": "已完成（复查未再出现）",
                    "建设社区 行政账 2021-03 记-9号凭证": "未完成（整改后仍存在）",
                    "幸福村 行政账 2021-03 记-1号凭证": "未完成"}


def test_progress_workbook_prints_on_a4_without_shrinking(cycle):
    folder, _, _, _ = cycle
    for columns in (PROGRESS_COLUMNS, LEDGER_COLUMNS):
        assert sum(column_px(c.width) for c in columns) <= printable_width_px()
    workbook = openpyxl.load_workbook(folder / "整改进展.xlsx")
    for ws in workbook.worksheets:
        assert ws.page_setup.paperSize == 9 and ws.page_setup.orientation == "landscape"
        assert ws.print_title_rows == "$1:$1"
        assert min(cell.font.sz for row in ws.iter_rows() for cell in row if cell.value is not None) >= 9
    with zipfile.ZipFile(folder / "整改进展.xlsx") as archive:
        assert [n for n in archive.namelist() if n.startswith("xl/charts/chart")] == ["xl/charts/chart1.xml"]


def test_importing_the_rescan_report_untouched_changes_nothing(cycle, tmp_path):
    folder, db, _, _ = cycle
    with open_store(db) as store:
        before = store.query("SELECT * FROM conclusions")
    result = run("review", "import", folder / "第二次.xlsx", "--db", db)
    assert result.exit_code == 0, result.output
    assert "导入结论 0 条" in result.output
    with open_store(db) as store:
        assert store.query("SELECT * FROM conclusions") == before


def test_a_scan_of_fewer_books_marks_nothing_else_rectified(cycle):
    folder, db, _, _ = cycle
    result = run("scan", folder / "账簿" / "幸福村", "-o", folder / "只有幸福村.xlsx", "--db", db, "--jobs", "1",
                 "--rule", "petty-cash-over-limit", "--rule", "cash-payment")
    assert result.exit_code == 1, result.output
    assert "已整改（复查未再出现） 0 条" in result.output
    rows = rows_by(openpyxl.load_workbook(folder / "只有幸福村.xlsx")["问题清单"], "凭证号")
    assert set(rows) == {("幸福村", "记-1"), ("幸福村", "记-2")}


def test_the_readme_cycle_runs_as_written(tmp_path, monkeypatch):
    import re
    import shlex
    from pathlib import Path
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Review and rectification across scans", 1)[1]
    block = re.search(r"```text\n(.*?)```", section, re.S).group(1)
    commands = [shlex.split(line) for line in block.splitlines() if line.strip() and not line.startswith("#")]
    assert [words[3] for words in commands] == ["scan", "review", "scan", "progress"]
    monkeypatch.chdir(tmp_path)
    write_books(tmp_path / "账簿")
    expected = {"scan": 1, "review": 0, "progress": 0}
    for number, words in enumerate(commands):
        assert words[:3] == ["python", "-m", "voucher_checker"]
        if number == 2:
            write_books(tmp_path / "账簿", fixed=True)
        result = run(*words[3:])
        assert result.exit_code == expected[words[3]], result.output
    assert (tmp_path / "reports" / "整改进展.xlsx").exists()


def test_review_sheets_print_on_a4_without_the_identity(cycle):
    from voucher_checker.review.sheets import FALSE_COLUMNS, RECTIFIED_COLUMNS
    folder, _, _, _ = cycle
    for columns in (FALSE_COLUMNS, RECTIFIED_COLUMNS):
        assert columns[-1].header == "识别码"
        assert sum(column_px(c.width) for c in columns[:-1]) <= printable_width_px()
    workbook = openpyxl.load_workbook(folder / "第二次.xlsx")
    for name, columns in (("核实不属实", FALSE_COLUMNS), ("整改复查", RECTIFIED_COLUMNS)):
        ws = workbook[name]
        assert ws.page_setup.paperSize == 9 and ws.page_setup.orientation == "landscape"
        last_printed = openpyxl.utils.get_column_letter(len(columns) - 1)
        assert ws.print_area.split(":")[-1].startswith(f"${last_printed}$"), ws.print_area
    findings = workbook["问题清单"]
    _, columns = header_columns(findings)
    assert max(columns.values()) == columns["识别码"]


def test_rescan_json_says_each_findings_status(cycle):
    import json
    folder, _, _, _ = cycle
    data = json.loads((folder / "第二次.json").read_text(encoding="utf-8"))
    review = data["review"]
    assert review["run"] == 2 and review["counts"]["已整改（复查未再出现）"] == 2 and len(review["rectified"]) == 2
    status = {(f["entity"], f["voucher"]): review["status"][f["id"]] for f in data["findings"]}
    assert status == {("建设社区", "记-8"): "不属实", ("建设社区", "记-9"): "整改后仍存在",
                      ("幸福村", "记-1"): "仍存在", ("幸福村", "记-2"): "新发现"}


def test_a_problem_back_after_it_was_found_rectified_is_recurring(tmp_path):
    books, db = write_books(tmp_path / "账簿"), tmp_path / "记录.db"
    scan(books, tmp_path / "1.xlsx", db)
    write_books(books, fixed=True)
    assert "已整改（复查未再出现） 2 条" in scan(books, tmp_path / "2.xlsx", db).output
    write_books(books)                  # the old books come back, without 幸福村's later 记-2
    third = scan(books, tmp_path / "3.xlsx", db, "--json", tmp_path / "3.json")
    assert "仍存在 3 条，整改后仍存在 2 条，不属实 0 条，已整改（复查未再出现） 1 条" in third.output
    import json
    data = json.loads((tmp_path / "3.json").read_text(encoding="utf-8"))
    back = {f["voucher"] for f in data["findings"] if data["review"]["status"][f["id"]] == "整改后仍存在"}
    assert back == {"记-6", "记-7"}


def _unreviewed_book(folder, reviewer=None):
    from tests.conftest import write_xlsx
    from tests.review_support import HEADER
    rows = [["红旗村行政账"], HEADER]
    for n in range(1, 6):
        rows += [[f"2021-03-0{n}", f"记-{n}", "购买办公用品", "管理费用-办公费", 300, None, "张三", reviewer],
                 ["", "", "购买办公用品", "银行存款", None, 300, "", ""]]
    write_xlsx(folder / "红旗村" / "红旗村行政账2021.xlsx", {"3月": rows})
    return folder


def test_a_unit_finding_is_followed_like_a_voucher_finding(tmp_path):
    books, db = _unreviewed_book(tmp_path / "账簿"), tmp_path / "记录.db"
    first = run("scan", books, "-o", tmp_path / "1.xlsx", "--db", db, "--jobs", "1", "--rule", "missing-approval")
    assert first.exit_code == 1 and "新发现 1 条" in first.output, first.output
    workbook = openpyxl.load_workbook(tmp_path / "1.xlsx")
    ws = workbook["问题清单"]
    _, columns = header_columns(ws)
    ws.cell(row=2, column=columns["核实结论"]).value = "属实"
    ws.cell(row=2, column=columns["整改措施"]).value = "补签审核"
    workbook.save(tmp_path / "1-已填.xlsx")
    assert "导入结论 1 条" in run("review", "import", tmp_path / "1-已填.xlsx", "--db", db).output
    _unreviewed_book(books, reviewer="李四")
    second = run("scan", books, "-o", tmp_path / "2.xlsx", "--db", db, "--jobs", "1", "--rule", "missing-approval")
    assert "已整改（复查未再出现） 1 条" in second.output, second.output
    run("progress", "--db", db, "-o", tmp_path / "进展.xlsx")
    ledger = openpyxl.load_workbook(tmp_path / "进展.xlsx")["整改台账"]
    assert ledger.cell(row=2, column=2).value.startswith("红旗村 行政账：")
    assert (ledger.cell(row=2, column=3).value, ledger.cell(row=2, column=7).value) == ("补签审核", "已完成（复查未再出现）")


def test_a_rule_the_policy_turns_off_for_a_unit_marks_nothing_of_it_rectified(tmp_path):
    books, db = write_books(tmp_path / "账簿"), tmp_path / "记录.db"
    first = scan(books, tmp_path / "1.xlsx", db)
    assert "幸福村" in first.output
    policy = tmp_path / "幸福村不查.toml"
    policy.write_text('[[overrides]]\nentity = "幸福村"\n[overrides.rules.petty-cash-over-limit]\nenabled = false\n'
                      '[overrides.rules.cash-payment]\nenabled = false\n', encoding="utf-8")
    second = scan(books, tmp_path / "2.xlsx", db, "--config", policy)
    # 幸福村's findings were not looked for, so they are not 已整改; 建设社区's are still there.
    assert "已整改（复查未再出现） 0 条" in second.output, second.output
    rows = rows_by(openpyxl.load_workbook(tmp_path / "2.xlsx")["问题清单"], "凭证号")
    assert rows and all(unit == "建设社区" for unit, _ in rows)
