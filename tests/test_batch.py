"""A district's folder as it really arrives (issue 12): units named in a column, a title, a folder
or nowhere; copies; our own report; files that are not ledgers; cash and bank journals.  Every
folder is built in the test."""
from __future__ import annotations

import datetime as dt
import shutil

import chinese_calendar
import pytest

from voucher_checker.batch import InputFile, collect_inputs, read_inputs
from voucher_checker.policy import Policy
from voucher_checker.report import write_report
from voucher_checker.scan import scan
from tests.conftest import write_xlsx

HEADER = ["日期", "凭证号", "摘要", "科目名称", "借方金额", "贷方金额", "制单人", "审核人", "附件数"]


def voucher(day: str, number, summary: str, debit: str, credit: str, yuan: float, reviewer: str = "李四"):
    return [[day, number, summary, debit, yuan, None, "张三", reviewer, 1],
            [None, None, summary, credit, None, yuan, None, None, None]]


def ordinary_month(month: int, first: int = 1, count: int = 6, salt: str = "") -> list[list]:
    # On working days, as an accountant dates them: a weekend date is a finding of its own.
    days = chinese_calendar.get_workdays(dt.date(2021, month, 1), dt.date(2021, month, 28))
    rows = []
    for n in range(first, first + count):
        rows += voucher(days[min(n, len(days)) - 1].isoformat(), f"记-{n}", f"支付办公费{salt}{n}", "管理费用-办公费",
                        "银行存款", 100 + n)
    return rows


def unit_book(path, title: str | None, seed: int, problems: bool = True):
    """A year's voucher list of one unit: ordinary vouchers, and (with ``problems``) a cash
    withdrawal over the limit and a cash payment, numbered from 记-1 each month like every unit's."""
    rows = ([[title]] if title else []) + [HEADER]
    for month in (1, 2, 3):
        rows += ordinary_month(month, salt=f"（{seed}）")
        if problems and month == 3:
            rows += voucher("2021-03-22", "记-7", "提取备用金", "库存现金", "银行存款", 2500 + seed)
            rows += voucher("2021-03-23", "记-8", "现金购买物资", "管理费用-物资", "库存现金", 1500 + seed)
    return write_xlsx(path, {"序时账": rows})


def finding_keys(result, *, name_only: bool = True) -> set:
    return {(f.rule, f.file.rsplit("/", 1)[-1] if name_only else f.file, f.period, f.voucher, int(f.amount_fen))
            for f in result.findings.itertuples()}


def scan_paths(*paths, policy=None):
    return scan([str(p) for p in paths], policy or Policy())


def messages(result, kind=None) -> list[str]:
    return [e.message for e in result.errors if kind is None or e.kind == kind]


# ---------------------------------------------------------------------------- units

def test_ten_unnamed_units_in_one_folder_find_what_each_finds_alone(tmp_path):
    folder = tmp_path / "收到的账簿"
    files = [unit_book(folder / f"序时账{i:02d}.xlsx", "序时账" if i % 2 else None, seed=i, problems=i % 3 == 0)
             for i in range(10)]
    together = scan_paths(folder)
    alone = set()
    for path in files:
        alone |= finding_keys(scan_paths(path))
    assert finding_keys(together) == alone
    assert {f.rule for f in together.findings.itertuples()} == {"petty-cash-over-limit", "cash-payment"}
    # Each file is a unit of its own, labelled so that a reader sees it.
    entities = set(together.ledger["entity"])
    assert len(entities) == 10 and all(e.startswith("未识别单位（序时账") for e in entities)


def test_unit_column_names_the_unit_and_is_cut_at_the_book(xlsx):
    rows = [["核算账簿名称", *HEADER]]
    for unit, salt in (("长沙某某科技有限公司-某某账簿", "a"), ("湘江社区居民委员会-工会账", "b")):
        rows += [[unit, *row] for row in ordinary_month(3, salt=salt)]
    result = read_inputs([InputFile(str(path := xlsx("2021年序时账.xlsx", {"Sheet1": rows})), path.name)], Policy())
    by_unit = result.ledger.groupby("entity")["book"].first().to_dict()
    assert by_unit == {"长沙某某科技有限公司": "admin", "湘江社区": "union"}
    info = result.sheets[0]
    assert "核算账簿名称" in info.entity_reason


def test_single_valued_unit_name_column_is_the_unit_not_a_counterparty(xlsx):
    rows = [["单位名称", *HEADER]] + [["和平村村民委员会", *row] for row in ordinary_month(3)]
    result = read_inputs([InputFile(str(path := xlsx("导出.xlsx", {"Sheet1": rows})), path.name)], Policy())
    assert set(result.ledger["entity"]) == {"和平村"}
    assert set(result.ledger["counterparty"]) == {""}


def test_title_that_disagrees_with_its_folder_wins_and_is_said(tmp_path):
    path = unit_book(tmp_path / "建设社区" / "2021年序时账.xlsx", "和平村村民委员会序时账", seed=1, problems=False)
    result = read_inputs(collect_inputs([tmp_path])[0], Policy())
    assert set(result.ledger["entity"]) == {"和平村"}
    warnings = messages(result, "warning")
    assert len(warnings) == 1 and "和平村" in warnings[0] and "建设社区" in warnings[0] and "标题" in warnings[0]
    assert path.exists()


def test_folder_named_after_a_street_does_not_make_its_files_one_unit(tmp_path):
    for i in range(2):
        unit_book(tmp_path / "新华街道" / f"序时账{i}.xlsx", None, seed=i, problems=False)
    result = read_inputs(collect_inputs([tmp_path])[0], Policy())
    assert len(set(result.ledger["entity"])) == 2


@pytest.mark.parametrize("title, book, reason", [
    ("建设社区序时账", "admin", "未见工会、党费账标志，按行政账处理"),
    ("建设社区居民委员会明细账", "admin", "居民委员会"),
    ("和平村股份经济合作社序时账", "admin", "经济合作社"),
    ("建设社区工会委员会明细账", "union", "工会"),
])
def test_book_without_union_or_party_mark_is_the_administrative_book(xlsx, title, book, reason):
    path = xlsx("2021.xlsx", {"序时账": [[title], HEADER, *ordinary_month(3)]})
    info = read_inputs([InputFile(str(path), path.name)], Policy()).sheets[0]
    assert info.book == book and reason in info.book_reason


def test_contradicting_book_marks_leave_the_book_unknown(tmp_path):
    path = unit_book(tmp_path / "工会账" / "建设社区行政账.xlsx", None, seed=1, problems=False)
    info = read_inputs(collect_inputs([tmp_path])[0], Policy()).sheets[0]
    assert info.book == "unknown" and "矛盾" in info.book_reason and path.exists()


# ---------------------------------------------------------------------------- copies

def test_a_file_and_its_copy_count_once(tmp_path):
    original = unit_book(tmp_path / "建设社区行政账2021.xlsx", None, seed=1)
    shutil.copy(original, tmp_path / "建设社区行政账2021 - 副本.xlsx")
    together = scan_paths(tmp_path)
    assert finding_keys(together) == finding_keys(scan_paths(original))
    notes = [e for e in together.errors if "副本" in e.message]
    assert len(notes) == 1 and notes[0].file == "建设社区行政账2021 - 副本.xlsx"
    assert "建设社区行政账2021.xlsx" in notes[0].message and notes[0].kind == "warning"


def test_the_same_month_exported_twice_is_read_once(tmp_path):
    # Not a byte copy (another workbook, another sheet name): the same lines.
    unit_book(tmp_path / "建设社区2021.xlsx", None, seed=1)
    rows = [HEADER] + ordinary_month(1, salt="（1）") + ordinary_month(2, salt="（1）") + ordinary_month(3, salt="（1）")
    rows += voucher("2021-03-22", "记-7", "提取备用金", "库存现金", "银行存款", 2501)
    rows += voucher("2021-03-23", "记-8", "现金购买物资", "管理费用-物资", "库存现金", 1501)
    write_xlsx(tmp_path / "建设社区2021（重新导出）.xlsx", {"Sheet1": rows})
    together = scan_paths(tmp_path)
    assert {f.rule for f in together.findings.itertuples()} == {"petty-cash-over-limit", "cash-payment"}
    assert len(together.findings) == 2
    notes = [e.message for e in together.errors if "内容相同" in e.message]
    assert len(notes) == 1 and "建设社区2021.xlsx" in notes[0]
    copy_sheet = next(s for s in together.read.sheets if s.file.startswith("建设社区2021（"))
    assert copy_sheet.lines == 0 and sum(copy_sheet.skipped.values()) == copy_sheet.data_rows


def test_overlapping_exports_give_one_note_per_pair_of_files_not_duplicates(tmp_path):
    rows_a = [HEADER] + ordinary_month(1) + ordinary_month(2) + ordinary_month(3)
    rows_b = [HEADER] + ordinary_month(3) + ordinary_month(4)
    write_xlsx(tmp_path / "建设社区1-3月.xlsx", {"Sheet1": rows_a})
    write_xlsx(tmp_path / "建设社区3-4月.xlsx", {"Sheet1": rows_b})
    result = scan_paths(tmp_path)
    assert "voucher-number-duplicate" not in set(result.findings["rule"])
    notes = [e for e in result.errors if "相同的凭证" in e.message]
    assert len(notes) == 1
    assert notes[0].file == "建设社区3-4月.xlsx" and "建设社区1-3月.xlsx" in notes[0].message
    assert "6 张" in notes[0].message
    assert result.ledger["period"].value_counts().to_dict() == {"2021-01": 12, "2021-02": 12, "2021-03": 12,
                                                                "2021-04": 12}


def test_same_number_with_other_lines_in_two_files_is_still_a_duplicate(tmp_path):
    write_xlsx(tmp_path / "建设社区2021.xlsx", {"Sheet1": [HEADER] + ordinary_month(3)})
    other = [HEADER] + voucher("2021-03-25", "记-3", "另一张凭证", "管理费用-办公费", "银行存款", 999)
    write_xlsx(tmp_path / "建设社区2021补录.xlsx", {"Sheet1": other})
    result = scan_paths(tmp_path)
    duplicates = result.findings[result.findings["rule"] == "voucher-number-duplicate"]
    assert len(duplicates) == 1
    assert "建设社区2021.xlsx" in duplicates.iloc[0]["message"] and "补录" in duplicates.iloc[0]["message"]


def test_a_supplementary_file_continuing_the_numbers_is_not_a_gap(tmp_path):
    write_xlsx(tmp_path / "建设社区2021.xlsx", {"Sheet1": [HEADER] + ordinary_month(3, 1, 5)})
    write_xlsx(tmp_path / "建设社区2021补录.xlsx", {"Sheet1": [HEADER] + ordinary_month(3, 6, 3)})
    result = scan_paths(tmp_path)
    assert "voucher-number-gap" not in set(result.findings["rule"])
    assert result.ledger["voucher_id"].nunique() == 8


def test_the_report_inside_its_input_folder_is_skipped(tmp_path):
    unit_book(tmp_path / "建设社区2021.xlsx", None, seed=1)
    first = scan_paths(tmp_path)
    write_report(first, tmp_path / "检查报告.xlsx")
    again = scan_paths(tmp_path)
    assert finding_keys(again) == finding_keys(first)
    note = next(e for e in again.errors if e.file == "检查报告.xlsx")
    assert note.kind == "warning" and "检查报告" in note.message
    assert again.exit_code == 1


# ---------------------------------------------------------------------------- not ledgers

def _junk(folder):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "凭证扫描.pdf").write_bytes(b"%PDF-1.4 scanned")
    (folder / "情况说明.docx").write_bytes(b"PK\x03\x04 not really")
    (folder / "~$建设社区2021.xlsx").write_bytes(b"\x00lock")


def test_a_folder_of_pdf_word_and_lock_files_only_exits_2(tmp_path):
    _junk(tmp_path)
    result = scan_paths(tmp_path)
    assert result.exit_code == 2
    by_file = {e.file: e for e in result.errors}
    assert "PDF" in by_file["凭证扫描.pdf"].message and by_file["凭证扫描.pdf"].kind == "warning"
    assert "Word" in by_file["情况说明.docx"].message
    assert "锁文件" in by_file["~$建设社区2021.xlsx"].message
    assert any("没有读到任何分录" in m for m in messages(result, "error"))
    assert not any("损坏" in m for m in messages(result))


def test_non_ledgers_beside_a_ledger_are_named_once_and_do_not_fail_the_scan(tmp_path):
    _junk(tmp_path)
    unit_book(tmp_path / "建设社区2021.xlsx", None, seed=1)
    result = scan_paths(tmp_path)
    assert result.exit_code == 1
    assert len([e for e in result.errors if e.kind == "warning"]) == 3
    assert not [e for e in result.errors if e.kind == "error"]


def test_a_pdf_named_xlsx_is_called_a_pdf(tmp_path):
    (tmp_path / "账簿.xlsx").write_bytes(b"%PDF-1.7 ...")
    result = scan_paths(tmp_path)
    assert "PDF" in result.errors[0].message and "损坏" not in result.errors[0].message


# ---------------------------------------------------------------------------- journals

JOURNAL = ["日期", "凭证号", "摘要", "对方科目", "借方", "贷方", "余额"]


def _journals(folder, bank_balance_typo: bool = False):
    cash = [["建设社区现金日记账"], JOURNAL,
            ["2021-03-01", None, "期初余额", None, None, None, 300],
            ["2021-03-06", "银付-6", "提取备用金", "银行存款", 2500, None, 2800],
            ["2021-03-08", "现付-1", "现金购买疫情防控物资", "管理费用-疫情防控", None, 1800, 1000],
            ["2021-03-09", "现付-2", "支付邮费", "管理费用-办公费", None, 20, 980],
            [None, None, "本月合计", None, 2500, 1820, 980]]
    bank = [["建设社区银行存款日记账"], JOURNAL,
            ["2021-03-01", None, "期初余额", None, None, None, 50000],
            ["2021-03-02", "银收-1", "收到补助", "其他收入", 10000, None, 60000],
            ["2021-03-06", "银付-6", "提取备用金", "库存现金", None, 2500, 57000 if bank_balance_typo else 57500],
            ["2021-03-10", "银付-7", "支付电费", "管理费用-水电费", None, 500, 57000 if not bank_balance_typo else 56500]]
    write_xlsx(folder / "建设社区现金日记账2021.xlsx", {"3月": cash})
    write_xlsx(folder / "建设社区银行存款日记账2021.xlsx", {"3月": bank})


def test_cash_and_bank_journals_read_as_one_book_with_one_withdrawal(tmp_path):
    _journals(tmp_path)
    result = scan_paths(tmp_path)
    ledger = result.ledger
    withdrawal = ledger[ledger["voucher"] == "银付-6"]
    assert len(withdrawal) == 2
    assert set(zip(withdrawal["account_name"], withdrawal["debit_fen"], withdrawal["credit_fen"])) == {
        ("库存现金", 250000, 0), ("银行存款", 0, 250000)}
    rules = {f.rule: f for f in result.findings.itertuples()}
    assert "petty-cash-over-limit" in rules and rules["petty-cash-over-limit"].voucher == "银付-6"
    assert "cash-payment" in rules and rules["cash-payment"].voucher == "现付-1"
    assert "voucher-number-duplicate" not in rules and "unbalanced-voucher" not in rules
    assert "voucher-number-gap" not in rules
    assert not [g for g in result.rule_gaps if "account" in g.missing]
    # Every row is accounted for: the mirrored view is a dropped row, not a lost one.
    for info in result.read.sheets:
        assert info.lines + sum(info.skipped.values()) == info.data_rows
    assert {s.journal for s in result.read.sheets} == {"cash", "bank"}
    assert not messages(result, "warning"), messages(result)


def _cash_journal(folder, opening: int):
    # A journal that starts in March: its entries alone cannot tell the cash on hand.
    write_xlsx(folder / "和平村现金日记账2021.xlsx", {"3月": [
        ["和平村现金日记账"], JOURNAL,
        ["2021-03-01", None, "期初余额", None, None, None, opening],
        ["2021-03-05", "现收-1", "提取备用金", "银行存款", 1500, None, opening + 1500],
        ["2021-03-09", "现付-1", "支付邮费", "管理费用-办公费", None, 20, opening + 1480]]})


def test_a_cash_journals_written_balance_decides_the_cash_limit(tmp_path):
    _cash_journal(tmp_path, opening=800)
    found = scan_paths(tmp_path).findings
    petty = found[found["rule"] == "petty-cash-over-limit"]
    assert list(petty["voucher"]) == ["现收-1"]
    assert "当日库存现金余额 2,300.00 元" in petty["message"].iloc[0]


def test_a_cash_journal_whose_balance_stays_under_the_limit_is_not_flagged(tmp_path):
    _cash_journal(tmp_path, opening=300)
    found = scan_paths(tmp_path).findings
    assert "petty-cash-over-limit" not in set(found["rule"])


def test_a_running_balance_that_does_not_add_up_is_a_data_issue(tmp_path):
    _journals(tmp_path, bank_balance_typo=True)
    result = scan_paths(tmp_path)
    breaks = [e for e in result.errors if "余额与逐笔计算不符" in e.message]
    assert [(e.sheet, e.row) for e in breaks] == [("3月", 5)]
    assert "57,000.00" in breaks[0].message and "57,500.00" in breaks[0].message
    assert breaks[0].kind == "warning"


def test_a_journal_whose_account_cannot_be_told_says_so(xlsx):
    path = xlsx("2021年日记账.xlsx", {"Sheet1": [JOURNAL, ["2021-03-06", "记-6", "付款", "管理费用", None, 100, 0]]})
    result = scan_paths(path)
    assert any("现金日记账还是银行存款日记账" in m for m in messages(result, "warning"))
    assert any("account" in g.missing for g in result.rule_gaps)


# ---------------------------------------------------------------------------- voucher numbers

def test_voucher_numbers_written_out_and_split_under_a_merged_header(xlsx):
    written = xlsx("a建设社区.xlsx", {"3月": [HEADER, *voucher("2021-03-06", "记账凭证第0012号", "a", "管理费用", "银行存款", 1),
                                             *voucher("2021-03-07", "记 - 13", "b", "管理费用", "银行存款", 1)]})
    split = xlsx("b和平村.xlsx", {"3月": [
        ["日期", "凭证", None, "摘要", "科目名称", "借方金额", "贷方金额"],
        [None, "字", "号", None, None, None, None],
        ["2021-03-06", "记", "0012", "a", "管理费用", 1, None],
        [None, None, None, "a", "银行存款", None, 1]]}, merges={"3月": ["B1:C1"]})
    for path, shown in ((written, ["记账凭证第0012号", "记 - 13"]), (split, ["记-0012"])):
        ledger = read_inputs([InputFile(str(path), path.name)], Policy()).ledger
        first = ledger.drop_duplicates("voucher_id")
        assert list(first["voucher"]) == shown
        assert list(first["voucher_word"]) == ["记"] * len(shown)
        assert list(first["voucher_no"])[0] == 12


def test_dates_in_journals_with_month_and_day_columns(xlsx):
    path = xlsx("和平村现金日记账2021.xlsx", {"Sheet1": [
        ["和平村现金日记账"], ["2021年", None, "凭证号", "摘要", "对方科目", "收入", "支出", "余额"],
        ["月", "日", None, None, None, None, None, None],
        [3, 6, "现付-1", "买文具", "管理费用-办公费", None, 50, 950]]})
    result = read_inputs([InputFile(str(path), path.name)], Policy())
    ledger = result.ledger
    assert list(ledger["date"].dt.date) == [dt.date(2021, 3, 6)] * 2
    assert set(ledger["account_name"]) == {"库存现金", "管理费用-办公费"}


# ---------------------------------------------------------------------------- inspect

def test_inspect_says_where_each_conclusion_came_from(tmp_path):
    from click.testing import CliRunner
    from voucher_checker.cli import main
    _journals(tmp_path)
    result = CliRunner().invoke(main, ["inspect", str(tmp_path / "建设社区现金日记账2021.xlsx")])
    assert result.exit_code == 0, result.output
    assert "单位：建设社区（由标题“建设社区现金日记账”识别）" in result.output
    assert "未见工会、党费账标志，按行政账处理" in result.output
    assert "日记账：现金日记账" in result.output
    assert "合计/累计/结转行：第 3、7 行" in result.output


def test_inspect_exits_2_when_a_sheet_cannot_be_read(xlsx):
    from click.testing import CliRunner
    from voucher_checker.cli import main
    path = xlsx("建设社区2021.xlsx", {"3月": [HEADER, *ordinary_month(3)], "4月": [["日期", "摘要", "借方"], ["2021-04-01", "a", 1]]})
    result = CliRunner().invoke(main, ["inspect", str(path)])
    assert result.exit_code == 2, result.output


def test_overrides_apply_to_the_units_a_unit_column_names(xlsx, tmp_path):
    from voucher_checker.policy import load_policy
    rows = [["核算账簿名称", *HEADER]]
    for unit in ("长沙某某科技有限公司-某某账簿", "湘江社区居民委员会-行政账"):
        rows += [[unit, *row] for row in ordinary_month(3)]
        rows += [[unit, *row] for row in voucher("2021-03-25", "记-7", "支付材料款", "管理费用-材料费", "库存现金", 3000)]
    path = xlsx("2021年序时账.xlsx", {"Sheet1": rows})
    config = tmp_path / "p.toml"
    config.write_text('[rules.cash-payment]\nenabled = false\n[[overrides]]\nentity = "湘江社区"\n'
                      '[overrides.rules.cash-payment]\nenabled = true\n', encoding="utf-8")
    result = scan([path], load_policy(config), only=("cash-payment",))
    # The sheet's own label joins both units; the override is for one of its lines' units.
    assert "、" in result.read.sheets[0].entity
    assert list(result.findings["entity"]) == ["湘江社区"]
    assert not [e for e in result.errors if e.kind == "policy"]
    assert {r.id: (r.enabled, r.partly) for r in result.rules}["cash-payment"] == (True, True)
