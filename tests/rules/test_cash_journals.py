"""The cash-balance rules on journals as the reader reads them: a cash journal and a bank journal
of one unit, the withdrawal in both, the 期初余额 row left out and the written 余额 on each row."""
from __future__ import annotations

from voucher_checker.policy import Policy
from voucher_checker.scan import scan
from tests.conftest import write_xlsx

JOURNAL = ["日期", "凭证号", "摘要", "对方科目", "借方", "贷方", "余额"]
CASH_RULES = ("negative-cash-balance", "cash-takings-paid-out")


def _journals(folder, cash_rows):
    cash = [["建设社区现金日记账"], JOURNAL, ["2021-03-01", None, "期初余额", None, None, None, 300], *cash_rows]
    bank = [["建设社区银行存款日记账"], JOURNAL,
            ["2021-03-01", None, "期初余额", None, None, None, 50000],
            ["2021-03-06", "银付-6", "提取备用金", "库存现金", None, 1500, 48500]]
    write_xlsx(folder / "建设社区现金日记账2021.xlsx", {"3月": cash})
    write_xlsx(folder / "建设社区银行存款日记账2021.xlsx", {"3月": bank})
    return scan([folder], Policy(), jobs=1, only=CASH_RULES)


def test_a_red_written_balance_and_takings_paid_out_are_found(tmp_path):
    result = _journals(tmp_path, [
        ["2021-03-06", "银付-6", "提取备用金", "银行存款", 1500, None, 1800],
        ["2021-03-08", "现付-1", "支付维修费", "管理费用-维修费", None, 2000, -200],
        ["2021-03-09", "现收-1", "收取场地租金", "其他收入-租金", 3000, None, 2800],
        ["2021-03-09", "现付-2", "支付保洁费", "管理费用-保洁费", None, 1000, 1800],
        ["2021-03-10", "现付-3", "支付邮费", "管理费用-办公费", None, 20, 1780]])
    found = {(f.rule, f.voucher): f.message for f in result.findings.itertuples()}
    assert set(found) == {("negative-cash-balance", "现付-1"), ("cash-takings-paid-out", "现付-2")}, found
    assert "现金日记账余额栏：2021-03-08 日终库存现金余额为 -200.00 元（红字）" in found[("negative-cash-balance", "现付-1")]
    # Before the takings of 03-09 the journal held -200: the whole 1,000 came out of the rent.
    assert "1,000.00 元付自当日现金收入" in found[("cash-takings-paid-out", "现付-2")]


def test_a_journal_that_stays_in_the_black_is_clean(tmp_path):
    result = _journals(tmp_path, [
        ["2021-03-06", "银付-6", "提取备用金", "银行存款", 1500, None, 1800],
        ["2021-03-08", "现付-1", "支付维修费", "管理费用-维修费", None, 1600, 200],
        ["2021-03-09", "现收-1", "收取场地租金", "其他收入-租金", 3000, None, 3200],
        ["2021-03-09", "现存-1", "租金存入银行", "银行存款", None, 3000, 200],
        ["2021-03-10", "现付-2", "支付邮费", "管理费用-办公费", None, 20, 180]])
    assert result.findings.empty, result.findings["message"].tolist()
