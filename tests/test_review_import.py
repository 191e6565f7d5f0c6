"""`review import`: a report filled in as a reviewer would (and saved by LibreOffice) reads back
right; what is not our report, or not our store, is refused and left as it was."""
from __future__ import annotations

import shutil
import sqlite3

import openpyxl
import pytest
import xlsxwriter
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.review_support import fill, header_columns, libreoffice_round_trip, rows_by, run, scan, write_books
from voucher_checker.review.store import SCHEMA_VERSION, open_store, StoreError

REVIEW = {
    ("建设社区", "记-6"): {"核实结论": "属实", "整改措施": "多提现金退回银行", "责任人": "周敏"},
    ("建设社区", "记-8"): {"核实结论": "不属实", "备注": "经审批"},
    ("幸福村", "记-1"): {"核实结论": " 待核实 ", "责任人": "王村长"},
}
EXPECTED = {"多提现金退回银行": ("属实", "周敏"), "": ("待核实", "王村长")}


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    folder = tmp_path_factory.mktemp("report")
    scan(write_books(folder / "账簿"), folder / "报告.xlsx")
    return folder / "报告.xlsx"


def _conclusions(db):
    with open_store(db) as store:
        rows = store.query("SELECT f.voucher, c.verdict, c.measures, c.responsible, c.note FROM conclusions c "
                           "JOIN findings f ON f.id = c.case_id ORDER BY c.seq")
    return {voucher: rest for voucher, *rest in rows}


WANTED = {"记-6": ["属实", "多提现金退回银行", "周敏", ""], "记-8": ["不属实", "", "", "经审批"],
          "记-1": ["待核实", "", "王村长", ""]}


@pytest.mark.parametrize("sort,insert,hide", [(False, False, False), (True, False, False), (True, True, True)])
def test_filled_sorted_filtered_and_inserted_rows_import_right(report, tmp_path, sort, insert, hide):
    filled = fill(report, tmp_path / "已填.xlsx", REVIEW, sort=sort, insert=insert, hide=hide)
    db = tmp_path / "记录.db"
    result = run("review", "import", filled, "--db", db, "--by", "李明")
    assert "导入结论 3 条，与记录库相同未变 0 条，未填写 2 条" in result.output
    assert result.exit_code == (2 if insert else 0), result.output
    assert _conclusions(db) == WANTED
    again = run("review", "import", filled, "--db", db)
    assert "导入结论 0 条，与记录库相同未变 3 条" in again.output
    assert _conclusions(db) == WANTED


@pytest.mark.skipif(not (shutil.which("soffice") or shutil.which("libreoffice")), reason="LibreOffice not installed")
def test_report_saved_by_libreoffice_imports_the_same(report, tmp_path):
    filled = fill(report, tmp_path / "已填.xlsx", REVIEW)
    saved = libreoffice_round_trip(filled, tmp_path / "lo")
    db = tmp_path / "记录.db"
    result = run("review", "import", saved, "--db", db)
    assert "导入结论 3 条" in result.output and "无法对应 1 行" in result.output, result.output
    assert _conclusions(db) == WANTED


def test_empty_cells_never_erase_and_a_change_is_taken(report, tmp_path):
    db = tmp_path / "记录.db"
    run("review", "import", fill(report, tmp_path / "a.xlsx", REVIEW), "--db", db)
    run("review", "import", report, "--db", db)                  # the blank report: nothing erased
    assert _conclusions(db) == WANTED
    changed = fill(report, tmp_path / "b.xlsx", {("幸福村", "记-1"): {"核实结论": "属实", "整改措施": "改为转账"}})
    result = run("review", "import", changed, "--db", db)
    assert "导入结论 1 条" in result.output
    assert _conclusions(db)["记-1"] == ["属实", "改为转账", "王村长", ""]


def test_bad_rows_are_named_with_the_reason(report, tmp_path):
    workbook = openpyxl.load_workbook(report)
    ws = workbook["问题清单"]
    top, columns = header_columns(ws)
    where = rows_by(ws, "凭证号")
    ws.cell(row=where[("建设社区", "记-6")], column=columns["核实结论"]).value = "基本属实"
    ws.cell(row=where[("建设社区", "记-7")], column=columns["识别码"]).value = "改过的"
    ws.cell(row=where[("建设社区", "记-7")], column=columns["核实结论"]).value = "属实"
    # a row copied with another conclusion
    copy = ws.max_row + 1
    for c in range(1, ws.max_column + 1):
        ws.cell(row=copy, column=c).value = ws.cell(row=where[("建设社区", "记-8")], column=c).value
    ws.cell(row=where[("建设社区", "记-8")], column=columns["核实结论"]).value = "属实"
    ws.cell(row=copy, column=columns["核实结论"]).value = "不属实"
    workbook.save(tmp_path / "坏.xlsx")
    result = run("review", "import", tmp_path / "坏.xlsx", "--db", tmp_path / "记录.db")
    assert result.exit_code == 2
    assert f"问题清单 第{where[('建设社区', '记-6')]}行：核实结论“基本属实”不是下拉列表中的选项" in result.output
    assert f"问题清单 第{where[('建设社区', '记-7')]}行：识别码“改过的”不是本工具写的" in result.output
    assert "同一识别码出现在多行" in result.output and "导入结论 0 条" in result.output


def _refused(result, *words):
    assert result.exit_code == 4, result.output
    assert "没有导入任何内容" in result.output or "没有修改" in result.output, result.output
    for word in words:
        assert word in result.output, result.output


def test_a_workbook_that_is_not_our_report_is_refused(tmp_path):
    other = tmp_path / "别的.xlsx"
    workbook = openpyxl.Workbook()
    workbook.active.append(["凭证号", "摘要"])
    workbook.save(other)
    _refused(run("review", "import", other, "--db", tmp_path / "记录.db"), "不是本工具生成的检查报告")
    text = tmp_path / "说明.xlsx"
    text.write_text("不是工作簿", encoding="utf-8")
    _refused(run("review", "import", text, "--db", tmp_path / "记录.db"), "不是可读取的 Excel 工作簿")
    assert not (tmp_path / "记录.db").exists()


def test_a_report_of_another_version_is_refused(report, tmp_path):
    workbook = openpyxl.load_workbook(report)
    workbook.custom_doc_props["voucher-checker report format"].value = 99
    workbook.save(tmp_path / "新版.xlsx")
    _refused(run("review", "import", tmp_path / "新版.xlsx", "--db", tmp_path / "记录.db"), "另一版本", "格式 99")
    old = tmp_path / "旧版.xlsx"
    book = xlsxwriter.Workbook(str(old))
    sheet = book.add_worksheet("问题清单")
    sheet.write_row(0, 0, ["序号", "单位", "凭证号", "核实结论", "整改措施", "责任人", "备注"])
    book.close()
    _refused(run("review", "import", old, "--db", tmp_path / "记录.db"), "旧版本")


def test_a_damaged_or_foreign_store_is_refused_and_left_alone(report, tmp_path):
    damaged = tmp_path / "坏.db"
    damaged.write_bytes(b"SQLite format 3\x00" + b"\xff" * 4000)
    before = damaged.read_bytes()
    _refused(run("review", "import", report, "--db", damaged), "不是可用的整改记录库")
    assert damaged.read_bytes() == before
    foreign = tmp_path / "别的.db"
    with sqlite3.connect(foreign) as connection:
        connection.execute("CREATE TABLE t (x)")
    _refused(run("review", "import", report, "--db", foreign), "不是本工具的整改记录库")
    result = run("scan", tmp_path, "--db", damaged, "--no-report")
    assert result.exit_code == 4 and "不是可用的整改记录库" in result.output


def test_schema_has_a_version_and_a_newer_one_is_refused(tmp_path):
    db = tmp_path / "记录.db"
    with open_store(db) as store:
        assert store.query("PRAGMA user_version")[0][0] == SCHEMA_VERSION
        assert store.query("PRAGMA journal_mode")[0][0] == "wal"
    with sqlite3.connect(db) as connection:
        connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(StoreError, match="更新版本"):
        with open_store(db):
            pass


def test_default_store_is_documented_and_follows_the_environment(tmp_path, monkeypatch):
    from voucher_checker.review.store import DEFAULT_STORE, default_store_path
    monkeypatch.delenv("VOUCHER_CHECK_DB", raising=False)
    assert default_store_path() == DEFAULT_STORE
    monkeypatch.setenv("VOUCHER_CHECK_DB", str(tmp_path / "整改 记录.db"))
    assert default_store_path() == tmp_path / "整改 记录.db"
    assert str(DEFAULT_STORE).replace("\\", "/") in run("review", "import", "-h").output.replace("\\", "/")


def test_columns_a_reviewer_added_for_deadline_and_progress_are_read(report, tmp_path):
    import datetime as dt
    workbook = openpyxl.load_workbook(report)
    ws = workbook["问题清单"]
    top, columns = header_columns(ws)
    at = columns["责任人"] + 1
    ws.insert_cols(at, 2)
    ws.cell(row=top, column=at).value = "整改时限"
    ws.cell(row=top, column=at + 1).value = "整改\n情况"          # a header wrapped by hand
    row = rows_by(ws, "凭证号")[("建设社区", "记-6")]
    ws.cell(row=row, column=columns["核实结论"]).value = "属实"
    ws.cell(row=row, column=at).value = dt.datetime(2021, 6, 30)
    ws.cell(row=row, column=at + 1).value = "已退回银行"
    workbook.save(tmp_path / "加列.xlsx")
    db = tmp_path / "记录.db"
    assert run("review", "import", tmp_path / "加列.xlsx", "--db", db).exit_code == 0
    with open_store(db) as store:
        assert store.query("SELECT verdict, deadline, progress FROM conclusions") == [("属实", "2021-06-30", "已退回银行")]
    result = run("progress", "--db", db, "-o", tmp_path / "进展")
    assert result.exit_code == 0 and "已写为" in result.output, result.output
    ledger = openpyxl.load_workbook(tmp_path / "进展.xlsx")["整改台账"]
    assert [c.value for c in ledger[2]][3:] == [None, "2021-06-30", "已退回银行", "未完成"]


def test_an_empty_file_becomes_a_store_and_migrations_run_in_order(tmp_path, monkeypatch):
    from voucher_checker.review import store as store_module
    db = tmp_path / "记录.db"
    db.write_bytes(b"")
    with open_store(db) as store:
        store.query("SELECT count(*) FROM findings")
        with store.transaction() as connection:
            connection.execute("INSERT INTO runs (started_at, tool_version, inputs) VALUES ('t', 'v', '[]')")
    monkeypatch.setattr(store_module, "MIGRATIONS", store_module.MIGRATIONS + ("ALTER TABLE runs ADD COLUMN note TEXT",))
    monkeypatch.setattr(store_module, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    with open_store(db) as store:
        assert store.query("PRAGMA user_version")[0][0] == SCHEMA_VERSION + 1
        assert store.query("SELECT started_at, note FROM runs") == [("t", None)]


def test_who_concluded_is_whoever_last_saved_the_report(report, tmp_path):
    workbook = openpyxl.load_workbook(fill(report, tmp_path / "已填.xlsx", REVIEW, insert=False))
    workbook.properties.lastModifiedBy = "王会计"
    workbook.save(tmp_path / "王会计.xlsx")
    db = tmp_path / "记录.db"
    assert run("review", "import", tmp_path / "王会计.xlsx", "--db", db).exit_code == 0
    with open_store(db) as store:
        assert {row[0] for row in store.query("SELECT concluded_by FROM conclusions")} == {"王会计"}


def test_a_pattern_is_expanded_as_the_windows_console_does_not(report, tmp_path):
    folder = tmp_path / "报告"
    folder.mkdir()
    fill(report, folder / "一.xlsx", {("建设社区", "记-6"): {"核实结论": "属实"}}, insert=False)
    fill(report, folder / "二.xlsx", {("幸福村", "记-1"): {"核实结论": "属实"}}, insert=False)
    (folder / "~$一.xlsx").write_bytes(b"lock")          # Excel has 一.xlsx open
    result = run("review", "import", str(folder / "*.xlsx"), "--db", tmp_path / "记录.db")
    assert result.exit_code == 0, result.output
    assert "导入结论 2 条" in result.output and "一.xlsx 正在 Excel 或 WPS 中打开" in result.output
    missing = run("review", "import", str(folder / "*.xls"), "--db", tmp_path / "记录.db")
    assert missing.exit_code == 4 and "没有与" in missing.output


def _shuffled(report, out, order, inserted_at, conclusions):
    """The report with its finding rows in ``order`` and an empty-but-noted row inserted."""
    workbook = openpyxl.load_workbook(report)
    ws = workbook["问题清单"]
    top, columns = header_columns(ws)
    where = rows_by(ws, "凭证号")
    for key, values in conclusions.items():
        for header, value in values.items():
            ws.cell(row=where[key], column=columns[header]).value = value
    first, last = top + 1, max(where.values())
    rows = [[ws.cell(row=r, column=c).value for c in range(1, ws.max_column + 1)] for r in range(first, last + 1)]
    for r, index in zip(range(first, last + 1), order):
        for c, value in enumerate(rows[index], start=1):
            ws.cell(row=r, column=c).value = value
    ws.insert_rows(first + inserted_at)
    ws.cell(row=first + inserted_at, column=columns["备注"]).value = "说明"
    workbook.save(out)
    return out


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(order=st.permutations(range(5)), inserted_at=st.integers(0, 5))
def test_any_order_and_any_inserted_row_import_the_same(report, tmp_path_factory, order, inserted_at):
    folder = tmp_path_factory.mktemp("any")
    filled = _shuffled(report, folder / "已填.xlsx", order, inserted_at, REVIEW)
    result = run("review", "import", filled, "--db", folder / "记录.db")
    assert "导入结论 3 条" in result.output and "无法对应 1 行" in result.output, result.output
    assert _conclusions(folder / "记录.db") == WANTED
