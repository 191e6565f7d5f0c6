from tests.rules.cases._rows import entry


def journal_row(voucher, date, summary, counter, received, paid, balance):
    """A row of a 现金日记账 as the reader turns it into lines: 库存现金 and the 对方科目, the
    written 余额 (yuan) on the cash line."""
    own = {"voucher": voucher, "date": date, "summary": summary, "account": "库存现金", "debit": received,
           "credit": paid, "journal": "cash", "balance_fen": None if balance is None else round(balance * 100)}
    other = {"voucher": voucher, "date": date, "summary": summary, "account": counter, "debit": paid,
             "credit": received, "journal": "cash", "balance_fen": None}
    return [own, other]


CASES = [
    {"name": "no opening known: below zero even from a 5,000 yuan opening",
     "rows": entry("记-1", "2021-03-01", "提取备用金", "库存现金", "银行存款", 1000)
             + entry("记-2", "2021-03-05", "支付工程款", "管理费用-维修费", "库存现金", 9000),
     "expect": [{"voucher": "记-2", "amount": 3000, "severity": "medium",
                 "message": ["期初库存现金未知：即使期初有 5,000.00 元", "2021-03-05 日终库存现金余额仍为 -3,000.00 元"]}]},
    {"name": "look-alike: no opening known, a deficit an opening could explain",
     "rows": entry("记-1", "2021-03-01", "提取备用金", "库存现金", "银行存款", 1000)
             + entry("记-2", "2021-03-05", "支付工程款", "管理费用-维修费", "库存现金", 5900),
     "expect": []},
    {"name": "opening given: a small deficit is flagged",
     "rows": entry("记-1", "2021-03-01", "提取备用金", "库存现金", "银行存款", 1000)
             + entry("记-2", "2021-03-05", "支付保洁费", "管理费用-其他", "库存现金", 1200),
     "options": {"opening_cash_yuan": 0},
     "expect": [{"voucher": "记-2", "amount": 200, "severity": "high",
                 "message": "按期初库存现金 0.00 元推算，2021-03-05 日终库存现金余额为 -200.00 元"}]},
    {"name": "a run of negative days is one finding, with its length and lowest balance",
     "rows": entry("记-2", "2021-03-05", "支付保洁费", "管理费用-其他", "库存现金", 1200)
             + entry("记-3", "2021-03-06", "支付电费", "管理费用-水电费", "库存现金", 300)
             + entry("记-4", "2021-03-08", "提取备用金", "库存现金", "银行存款", 2000)
             + entry("记-5", "2021-03-09", "支付电费", "管理费用-水电费", "库存现金", 300),
     "options": {"opening_cash_yuan": 0},
     "expect": [{"voucher": "记-2", "amount": 1200,
                 "message": "自当日起连续 2 个记账日为负数，最低 -1,500.00 元（2021-03-06）"}]},
    {"name": "look-alike: the payment and the withdrawal that covers it on the same day",
     "rows": entry("记-2", "2021-03-05", "支付保洁费", "管理费用-其他", "库存现金", 1200)
             + entry("记-3", "2021-03-05", "提取备用金", "库存现金", "银行存款", 2000),
     "options": {"opening_cash_yuan": 0},
     "expect": []},
    {"name": "cash journal: the written 余额 is red",
     "rows": journal_row("现付-1", "2021-03-02", "支付保洁费", "管理费用-其他", "", 600, 400)
             + journal_row("现付-2", "2021-03-04", "支付维修费", "管理费用-维修费", "", 700, -300),
     "expect": [{"voucher": "现付-2", "amount": 300, "severity": "high",
                 "message": "现金日记账余额栏：2021-03-04 日终库存现金余额为 -300.00 元（红字）"}]},
    {"name": "look-alike: a cash journal whose opening was not read, payments above the movements in it",
     "rows": journal_row("现付-1", "2021-03-02", "支付保洁费", "管理费用-其他", "", 6000, 14000)
             + journal_row("现付-2", "2021-03-04", "支付维修费", "管理费用-维修费", "", 7000, 7000),
     "expect": []},
    {"name": "cash journal without 余额: worked out from the movements, as a voucher list",
     "rows": journal_row("现付-1", "2021-03-02", "支付保洁费", "管理费用-其他", "", 600, None)
             + journal_row("现付-2", "2021-03-04", "支付维修费", "管理费用-维修费", "", 700, None),
     "options": {"opening_cash_yuan": 1000},
     "expect": [{"voucher": "现付-2", "amount": 300, "message": "按期初库存现金 1,000.00 元推算，2021-03-04 日终库存现金余额为 -300.00 元"}]},
    {"name": "look-alike: a bank journal alone shows only the cash that went to the bank",
     "rows": [{"voucher": "银收-1", "date": "2021-03-02", "summary": "存入现金", "account": "银行存款", "debit": 9000,
               "journal": "bank"},
              {"voucher": "银收-1", "date": "2021-03-02", "summary": "存入现金", "account": "库存现金", "credit": 9000,
               "journal": "bank"}],
     "options": {"opening_cash_yuan": 0},
     "expect": []},
    {"name": "units never meet: one unit's takings do not cover another's payment",
     "rows": [dict(r, entity="和平村") for r in entry("记-1", "2021-03-01", "收取租金", "库存现金", "其他收入", 9000)]
             + entry("记-1", "2021-03-02", "支付工程款", "管理费用-维修费", "库存现金", 9000),
     "options": {"opening_cash_yuan": 0},
     "expect": [{"voucher": "记-1", "amount": 9000, "message": "2021-03-02 日终库存现金余额为 -9,000.00 元"}]},
    {"name": "look-alike: a month missing from the ledger: the balance after it starts from an unknown opening",
     "rows": entry("记-1", "2021-01-05", "提取备用金", "库存现金", "银行存款", 1000)
             + entry("记-1", "2021-03-05", "支付保洁费", "管理费用-其他", "库存现金", 3000),
     "options": {"opening_cash_yuan": 0},
     "expect": []},
    {"name": "look-alike: a transfer between cash sub-accounts moves nothing",
     "rows": entry("记-1", "2021-03-05", "调整现金科目", "库存现金-零星", "库存现金-备用", 9000),
     "options": {"opening_cash_yuan": 0},
     "expect": []},
]
