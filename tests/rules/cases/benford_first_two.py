"""Benford cases: generated units of 5,000 payments, one drawn from Benford's law and one not."""
import numpy as np


def unit(amounts_fen, entity="建设社区", first_voucher=1):
    """A unit whose vouchers each pay one amount (yuan × 100) from the bank."""
    rows = []
    for i, amount in enumerate(amounts_fen):
        month = 1 + i * 12 // len(amounts_fen)
        voucher = f"记-{first_voucher + i}"
        date = f"2021-{month:02d}-10"
        yuan = f"{amount / 100:.2f}"
        rows.append({"voucher": voucher, "date": date, "summary": "支付费用", "account_code": "5301",
                     "account_name": "管理费用-其他", "debit": yuan, "credit": "", "entity": entity})
        rows.append({"voucher": voucher, "date": date, "summary": "支付费用", "account_code": "1002",
                     "account_name": "银行存款", "debit": "", "credit": yuan, "entity": entity})
    return rows


def benford_amounts(count, seed):
    """Amounts spread evenly over the logarithms of 10 to 1,000,000 yuan: Benford's law exactly."""
    rng = np.random.default_rng(seed)
    return np.floor(10 ** rng.uniform(3, 8, count)).astype(int)


def uniform_amounts(count, seed, low=100, high=5000):
    """Amounts spread evenly from low to high yuan, as invented numbers often are."""
    rng = np.random.default_rng(seed)
    return rng.integers(low * 100, high * 100, count)


CASES = [
    {"name": "a unit of 5,000 payments drawn from Benford's law conforms",
     "rows": unit(benford_amounts(5000, 1)), "expect": []},
    {"name": "a unit of 5,000 payments spread evenly from 100 to 5,000 yuan does not",
     "rows": unit(uniform_amounts(5000, 2)),
     "expect": [{"voucher": "单位整体", "amount": 0,
                 "message": ["本单位 5,000 笔金额", "按 Nigrini 标准属“不符合”", "偏多最明显的首两位：", "笔，如 2021-"]}]},
    {"name": "look-alike: 1,000 payments from Benford's law, whose MAD the bands alone would call nonconforming",
     "rows": unit(benford_amounts(1000, 3)), "expect": []},
    {"name": "look-alike: a unit under min_lines is not tested",
     "rows": unit(uniform_amounts(900, 4)), "expect": []},
    {"name": "look-alike: wages fixed by rule are left out",
     "rows": [dict(r, summary="发放社区工作者工资") for r in unit(np.full(3000, 480000))] + unit(benford_amounts(2000, 5), first_voucher=3001),
     "expect": []},
    {"name": "units are tested apart: a conforming unit does not hide another",
     "rows": unit(benford_amounts(5000, 6)) + unit(uniform_amounts(2000, 7), entity="和平村"),
     "expect": [{"voucher": "单位整体", "message": "本单位 2,000 笔金额"}]},
]
