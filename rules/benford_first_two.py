"""金额分布不符合本福特定律（benford-first-two）

## What it does
Runs the first-two-digit test of Benford's law (Nigrini) on each unit's book (entity and book)
that has at least ``min_lines`` amounts: the debit amounts of ``min_amount_yuan`` (10 yuan) or
more, leaving out amounts fixed by rule (wages, dues … in ``excluded_keywords``) and red
reversals.  The shares of the 90 first-two-digit pairs 10–99 are compared with Benford's
log10(1 + 1/d) by their mean absolute deviation (MAD), banded as Nigrini does: close
conformity up to ``close_mad`` (0.0012), acceptable up to ``acceptable_mad`` (0.0018), marginal
up to ``marginal_mad`` (0.0022), nonconformity above.

Chance alone makes a small set deviate: a unit of 1,000 amounts drawn exactly from Benford's
law has a MAD of about 0.0025, "nonconformity" by the bands; 5,000 amounts about 0.0011.  So a
unit is reported only when its excess MAD — its MAD less the MAD chance gives at its number of
amounts, (1/90)·Σ√(2p(1−p)/(πN)) — is above ``marginal_mad`` (the excess MAD of Lupi and
Cerqueti; at ten thousand amounts and more it is the plain MAD within 0.0008).

The finding is about the unit, not a voucher (a unit finding: 单位整体 in the report).  It
names the MAD, the band and the ``top_pairs`` most over-represented digit pairs (observed against
expected share, significant at z ≥ 1.96), each with ``sample_vouchers`` of its vouchers (those with the largest amounts).

## Why is this bad?
Amounts that arise naturally follow Benford's law; invented amounts, amounts kept just under a
limit and split payments crowd a few digit pairs.  Audit suites (CaseWare IDEA, ACL) run this
test on every journal; it points at where to look, it proves nothing on its own.

## Example
A flagged unit: 1,200 payments, every one of 4,800 or 4,900 yuan, like these two written 600
times over (``EXAMPLE_COPIES``):

| 凭证号 | 日期 | 摘要 | 科目 | 借方 | 贷方 |
| --- | --- | --- | --- | --- | --- |
| 记-1 | 2021-03-01 | 支付工程款 | 管理费用-维修费 | 4,800.00 | |
| 记-1 | 2021-03-01 | 支付工程款 | 银行存款 | | 4,800.00 |
| 记-2 | 2021-03-02 | 支付工程款 | 管理费用-维修费 | 4,900.00 | |
| 记-2 | 2021-03-02 | 支付工程款 | 银行存款 | | 4,900.00 |

→ 首两位数字检验：本单位 1,200 笔金额与本福特定律的平均绝对偏差 MAD 0.0218，按 Nigrini 标准属“不符合”；扣除 1,200 笔样本本身的随机偏差（约 0.0023）后仍为 0.0195，超过 0.0022；偏多最明显的首两位：49（实际 50.0%，应为 0.9%，600 笔，如 2021-03 记-2、2021-03 记-4、2021-03 记-6）、48（实际 50.0%，应为 0.9%，600 笔，如 2021-03 记-1、2021-03 记-3、2021-03 记-5）。请核实这些金额是否真实，有无编造、拆分或刻意压在限额以下

## Use instead
A unit with fewer than 1,000 amounts is not tested; these two vouchers alone are not flagged:

| 凭证号 | 日期 | 摘要 | 科目 | 借方 | 贷方 |
| --- | --- | --- | --- | --- | --- |
| 记-1 | 2021-03-01 | 支付工程款 | 管理费用-维修费 | 4,800.00 | |
| 记-1 | 2021-03-01 | 支付工程款 | 银行存款 | | 4,800.00 |
| 记-2 | 2021-03-02 | 支付工程款 | 管理费用-维修费 | 4,900.00 | |
| 记-2 | 2021-03-02 | 支付工程款 | 银行存款 | | 4,900.00 |

## Options
- ``min_lines`` (1000): units with fewer amounts are not tested.
- ``min_amount_yuan`` (10): the first-two-digit test uses amounts of 10 yuan or more.
- ``close_mad`` (0.0012), ``acceptable_mad`` (0.0018), ``marginal_mad`` (0.0022): Nigrini's bands.
- ``excluded_keywords`` (["工资", "会费", "党费" …]): amounts fixed by rule, left out.
- ``top_pairs`` (3), ``sample_vouchers`` (3): what the message lists.

## References
- Nigrini, M. J., *Benford's Law: Applications for Forensic Accounting, Auditing, and Fraud
  Detection* (Wiley, 2012), first-two digits test and MAD conformity ranges
- Lupi, C. & Cerqueti, R., excess MAD (the MAD less its expected value at the sample size)
- 《审计署关于内部审计工作的规定》；CaseWare IDEA、ACL 的本福特定律检验
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from voucher_checker.engine import no_findings
from voucher_checker.options import Count, Number, Words, Yuan

from ._common import fen, group_codes, keyword_regex, unit_findings

ID = "benford-first-two"
TITLE = "金额分布不符合本福特定律"
TITLE_EN = "Amounts do not follow Benford's law (first two digits)"
GROUP = "journal"
SEVERITY = "low"
BASIS = "本福特定律首两位数字检验（Nigrini MAD 标准）：审计数据分析的常规测试，提示需重点核查的金额"
REQUIRES = ("debit", "account")
OPTIONS = {
    "min_lines": Count(1000, help="参与检验的金额笔数少于此数的单位不检验。来源：Nigrini 建议首两位检验至少约 1000 笔数据。"),
    "min_amount_yuan": Yuan(10, help="只用达到此数（元）的借方金额（首两位数字检验不含 10 元以下）。来源：Nigrini 首两位数字检验。"),
    "close_mad": Number(0.0012, minimum=0, maximum=1, help="MAD 不超过此数为“紧密符合”。来源：Nigrini（2012）首两位数字 MAD 标准。"),
    "acceptable_mad": Number(0.0018, minimum=0, maximum=1, help="MAD 不超过此数为“可接受”。来源：Nigrini（2012）首两位数字 MAD 标准。"),
    "marginal_mad": Number(0.0022, minimum=0, maximum=1,
        help="MAD 不超过此数为“勉强符合”，超过为“不符合”；扣除样本量带来的随机偏差后仍超过此数才报告。"
             "来源：Nigrini（2012）首两位数字 MAD 标准；超额 MAD（Lupi、Cerqueti）。"),
    "excluded_keywords": Words(["工资", "薪酬", "津贴", "社保", "保险", "公积金", "个人所得税", "会费", "党费"],
        help="摘要或科目含这些词的金额由标准决定（工资、会费、党费等），不参与检验。来源：Nigrini：按规定确定的金额不适用本福特定律。"),
    "top_pairs": Count(3, minimum=1, help="问题说明中列出偏多最明显的首两位数字个数。来源：本工具约定。"),
    "sample_vouchers": Count(3, minimum=1, help="每个偏多的首两位数字列出的凭证样例数。来源：本工具约定。"),
}

EXAMPLE_COPIES = 600      # the Example's vouchers stand for a unit of 1,200 (tests/rules/test_rule_contract.py)

_PAIRS = np.arange(10, 100)
_EXPECTED = np.log10(1 + 1 / _PAIRS)
_POWERS = 10 ** np.arange(19, dtype="int64")
_BAND_NAMES = ("紧密符合", "可接受", "勉强符合", "不符合")


def first_two_digits(fen_values: np.ndarray) -> np.ndarray:
    """The first two digits of positive integers of at least two digits (10.00 yuan is 1000 fen:
    the digits of the yuan amount are those of the fen)."""
    digits = np.searchsorted(_POWERS, fen_values, side="right")      # how many digits
    return fen_values // _POWERS[digits - 2]


def chance_mad(count: np.ndarray) -> np.ndarray:
    """The MAD that amounts drawn exactly from Benford's law show at ``count`` amounts."""
    spread = np.sqrt(2 * _EXPECTED * (1 - _EXPECTED) / np.pi).mean()
    return spread / np.sqrt(np.maximum(count, 1))


def _excluded(ledger: pd.DataFrame, words) -> np.ndarray:
    """True for lines whose summary or account name holds one of ``words``, each distinct text
    searched once."""
    pattern = keyword_regex(words)
    out = np.zeros(len(ledger), dtype=bool)
    for column in ("summary", "account_name"):
        codes, texts = pd.factorize(ledger[column])
        if len(texts):
            out |= pd.Series(texts, dtype=object).str.contains(pattern, regex=True).to_numpy(dtype=bool)[codes]
    return out


def check(ledger: pd.DataFrame, options: dict) -> pd.DataFrame:
    if ledger.empty:
        return no_findings()
    debit = ledger["debit_fen"].to_numpy()
    used = (debit >= max(fen(options["min_amount_yuan"]), 1000)) & ~ledger["is_reversal"].to_numpy(dtype=bool)
    if used.sum() < options["min_lines"]:
        return no_findings()
    if options["excluded_keywords"]:
        used &= ~_excluded(ledger, options["excluded_keywords"])
    at = np.flatnonzero(used)
    # Units numbered on the whole ledger (neighbouring lines compared) and then picked: cheaper
    # than taking the text of most of a million lines.
    unit_of_line = group_codes(ledger, ["entity", "book"])
    unit = unit_of_line[at]
    pair = first_two_digits(debit[at]) - 10
    units = int(unit_of_line.max()) + 1 if len(unit_of_line) else 0
    counts = np.bincount(unit * 90 + pair, minlength=units * 90).reshape(units, 90)
    total = counts.sum(axis=1)
    share = counts / np.maximum(total, 1)[:, None]
    mad = np.abs(share - _EXPECTED).mean(axis=1)
    excess = mad - chance_mad(total)
    flagged = np.flatnonzero((total >= options["min_lines"]) & (excess > float(options["marginal_mad"])))
    if not len(flagged):
        return no_findings()

    # z of each pair's excess (Nigrini, with the continuity correction); over-represented pairs only.
    n = total[flagged][:, None]
    z = (np.abs(share[flagged] - _EXPECTED) - 1 / (2 * n)) / np.sqrt(_EXPECTED * (1 - _EXPECTED) / n)
    over = (share[flagged] - _EXPECTED) * (z >= 1.96) * (share[flagged] > _EXPECTED)
    top = np.argsort(-over, axis=1, kind="stable")[:, :int(options["top_pairs"])]
    top_ok = np.take_along_axis(over, top, axis=1) > 0

    unit_first = np.full(units, len(at), dtype="int64")
    np.minimum.at(unit_first, unit, np.arange(len(at)))
    file_code = group_codes(ledger, ["file"])[at]
    one_file = np.full(units, True)
    smallest, largest = np.full(units, np.iinfo("int64").max), np.full(units, -1)
    np.minimum.at(smallest, unit, file_code)
    np.maximum.at(largest, unit, file_code)
    one_file = smallest == largest
    samples = _samples(ledger, at, unit, pair, flagged, top, top_ok, int(options["sample_vouchers"]))

    bands = [float(options["close_mad"]), float(options["acceptable_mad"]), float(options["marginal_mad"])]
    messages, line_ids, files = [], [], []
    for row, u in enumerate(flagged):      # one per flagged unit: a handful
        listed = []
        for rank, p in enumerate(top[row]):
            if not top_ok[row, rank]:
                continue
            listed.append(f"{p + 10}（实际 {share[u, p]:.1%}，应为 {_EXPECTED[p]:.1%}，{counts[u, p]:,} 笔"
                          + (f"，如 {samples[(u, p)]}" if samples.get((u, p)) else "") + "）")
        band = _BAND_NAMES[int(np.searchsorted(bands, mad[u], side="left"))]
        messages.append(
            f"首两位数字检验：本单位 {total[u]:,} 笔金额与本福特定律的平均绝对偏差 MAD {mad[u]:.4f}，"
            f"按 Nigrini 标准属“{band}”；扣除 {total[u]:,} 笔样本本身的随机偏差（约 {mad[u] - excess[u]:.4f}）后仍为 "
            f"{excess[u]:.4f}，超过 {bands[2]:.4f}"
            + ("；偏多最明显的首两位：" + "、".join(listed) if listed else "")
            + "。请核实这些金额是否真实，有无编造、拆分或刻意压在限额以下")
        line_ids.append(int(ledger["line_id"].iloc[at[unit_first[u]]]))
        files.append(str(ledger["file"].iloc[at[unit_first[u]]]) if one_file[u] else "")
    return unit_findings(line_ids, 0, messages, file=np.array(files, dtype=object))


def _samples(ledger, at, unit, pair, flagged, top, top_ok, per_pair: int) -> dict:
    """"2021-03 记-6、2021-05 记-12" for each (unit, over-represented pair): its vouchers with the
    largest amounts."""
    wanted = np.zeros((int(unit.max()) + 1) * 90, dtype=bool)
    chosen = (flagged[:, None] * 90 + top)[top_ok]
    wanted[chosen] = True
    mine = np.flatnonzero(wanted[unit * 90 + pair])
    picked = pd.DataFrame({"key": unit[mine] * 90 + pair[mine], "amount": ledger["debit_fen"].to_numpy()[at[mine]],
                           "voucher_id": ledger["voucher_id"].to_numpy()[at[mine]], "position": at[mine]})
    # The largest amounts of each pair first: the ones most worth a look.
    picked = picked.sort_values(["key", "amount", "position"], ascending=[True, False, True], kind="stable")
    picked = picked.drop_duplicates(["key", "voucher_id"]).groupby("key", sort=False).head(per_pair)
    names = (ledger["period"].iloc[picked["position"]].astype(str).to_numpy(dtype=object) + " "
             + ledger["voucher"].iloc[picked["position"]].astype(str).to_numpy(dtype=object))
    text = pd.Series(names, index=picked["key"].to_numpy()).groupby(level=0, sort=False).agg("、".join)
    return {(int(k) // 90, int(k) % 90): v for k, v in text.items()}
