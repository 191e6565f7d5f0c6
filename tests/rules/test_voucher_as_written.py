"""Messages show a voucher number as the ledger wrote it (记-0006 stays 记-0006) while the rules
group and compare by the normalised word and number.

The reader keeps the written text in the ``voucher`` column and the normalised form in
``voucher_word`` / ``voucher_no``; these tests write that text over what ``ledger_from_rows``
derives, so they hold whichever of the two the test ledger builder keeps.
"""
from __future__ import annotations

from voucher_checker.options import defaults_of
import pandas as pd

import voucher_checker.rules.voucher_number_duplicate as duplicate
import voucher_checker.rules.voucher_number_gap as gap
from voucher_checker.testing import ledger_from_rows
from tests.rules.cases._rows import entry, in_file


def _as_written(rows, written: list[str]) -> pd.DataFrame:
    ledger = ledger_from_rows(rows)
    return ledger.assign(voucher=pd.array(written, dtype=ledger["voucher"].dtype))


def _shown(ledger: pd.DataFrame, result: pd.DataFrame) -> list[str]:
    return ledger.loc[result["line_id"], "voucher"].tolist()


def test_duplicate_message_keeps_the_written_number():
    rows = (entry("记-6", "2021-03-06", "提取备用金", "库存现金", "银行存款", 1500)
            + entry("记-7", "2021-03-10", "支付电费", "管理费用-水电费", "银行存款", 300)
            + entry("记-6", "2021-03-20", "购买办公用品", "管理费用-办公费", "银行存款", 200))
    ledger = _as_written(rows, ["记-0006"] * 2 + ["记-0007"] * 2 + ["记-0006"] * 2)
    result = duplicate.check(ledger, defaults_of(duplicate.OPTIONS))
    assert result["message"].tolist() == [
        "凭证号 记-0006 在 2021-03 用于 2 张凭证（第 2–3 行、第 6–7 行；日期 2021-03-06、2021-03-20）"]
    assert _shown(ledger, result) == ["记-0006"]


def test_one_number_written_two_ways_in_two_files_is_one_number():
    rows = (in_file("建设社区2021.xlsx", entry("记-6", "2021-03-06", "提取备用金", "库存现金", "银行存款", 1500))
            + in_file("建设社区2021补录.xlsx", entry("记-6", "2021-03-20", "购买办公用品", "管理费用-办公费", "银行存款", 200)))
    ledger = _as_written(rows, ["记-0006"] * 2 + ["记账凭证第6号"] * 2)
    result = duplicate.check(ledger, defaults_of(duplicate.OPTIONS))
    assert result["message"].tolist() == [
        "凭证号 记-0006 在 2021-03 用于 2 张凭证（建设社区2021.xlsx / Sheet1 第 2–3 行、"
        "建设社区2021补录.xlsx / Sheet1 第 2–3 行；日期 2021-03-06、2021-03-20）"]
    assert _shown(ledger, result) == ["记账凭证第6号"], "the finding is on the second voucher"


def test_gap_describes_the_sequence_and_lands_on_the_written_voucher():
    rows = (entry("记-1", "2021-03-01", "a", "管理费用", "银行存款", 10)
            + entry("记-3", "2021-03-05", "b", "管理费用", "银行存款", 10))
    ledger = _as_written(rows, ["记-0001"] * 2 + ["记-0003"] * 2)
    result = gap.check(ledger, defaults_of(gap.OPTIONS))
    assert result["message"].tolist() == ["2021-03 记字凭证缺 2 号"]
    assert _shown(ledger, result) == ["记-0003"]
