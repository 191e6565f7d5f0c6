from tests.rules.cases._rows import entry

CASES = [
    {"name": "notice: 2021-03 记-6 withdrew 2,500",
     "rows": entry("记-6", "2021-03-06", "提取备用金", "库存现金", "银行存款", 2500),
     "expect": [{"voucher": "记-6", "amount": 2500, "message": "提取备用金 2,500.00 元，超过备用金限额 2,000.00 元"}]},
    {"name": "withdrawal at the limit is fine",
     "rows": entry("记-6", "2021-03-06", "提取备用金", "库存现金", "银行存款", 2000), "expect": []},
    {"name": "summary says 提现 with codes only",
     "rows": entry("记-2", "2021-03-02", "提现", "1001", "1002", "3,000.00"),
     "expect": [{"voucher": "记-2", "amount": 3000, "message": ["提取备用金 3,000.00 元", "超过备用金限额 2,000.00 元"]}]},
    {"name": "any bank-to-cash transfer counts, whatever the summary",
     "rows": entry("现收-1", "2021-03-02", "取现备用", "101 现金", "102 银行存款", 2600),
     "expect": [{"voucher": "现收-1", "amount": 2600}]},
    {"name": "petty cash held as 其他应收款-备用金",
     "rows": entry("记-3", "2021-03-02", "报账员领取备用金", "其他应收款-备用金", "银行存款", 5000),
     "expect": [{"voucher": "记-3", "amount": 5000}]},
    {"name": "look-alike: depositing cash (存现) is not a withdrawal",
     "rows": entry("记-7", "2021-03-07", "存现", "银行存款", "库存现金", 8000), "expect": []},
    {"name": "look-alike: a payment from the bank is not a withdrawal",
     "rows": entry("记-8", "2021-03-07", "支付工程款", "管理费用-其他", "银行存款", 9000), "expect": []},
    {"name": "limit set lower by the policy",
     "rows": entry("记-6", "2021-03-06", "提取备用金", "库存现金", "银行存款", 1500),
     "options": {"limit_yuan": 1000},
     "expect": [{"voucher": "记-6", "amount": 1500, "message": "超过备用金限额 1,000.00 元"}]},
    {"name": "book starts in January: balance after a small withdrawal is over the limit",
     "rows": entry("记-1", "2021-01-05", "提取备用金", "库存现金", "银行存款", 1500)
             + entry("记-2", "2021-01-20", "提取备用金", "库存现金", "银行存款", 1000),
     "expect": [{"voucher": "记-2", "amount": 1000,
                 "message": "提取备用金 1,000.00 元后，当日库存现金余额 2,500.00 元，超过备用金限额 2,000.00 元"}]},
    {"name": "same-day payments bring the balance back under the limit",
     "rows": entry("记-1", "2021-01-05", "提取备用金", "库存现金", "银行存款", 1500)
             + entry("记-2", "2021-01-20", "提取备用金", "库存现金", "银行存款", 1000)
             + entry("记-3", "2021-01-20", "支付保洁费", "管理费用-其他", "库存现金", 800),
     "expect": []},
    {"name": "over in amount and in balance: one finding that says both",
     "rows": entry("记-1", "2021-01-05", "提取备用金", "库存现金", "银行存款", 1500)
             + entry("记-2", "2021-01-20", "提取备用金", "库存现金", "银行存款", 2500),
     "expect": [{"voucher": "记-1", "absent": True},
                {"voucher": "记-2", "amount": 2500,
                 "message": ["提取备用金 2,500.00 元，超过备用金限额 2,000.00 元", "当日库存现金余额 4,000.00 元，也超过限额"]}]},
    {"name": "book starting in March: balance unknown, only the amount is judged",
     "rows": entry("记-1", "2021-03-05", "提取备用金", "库存现金", "银行存款", 1500)
             + entry("记-2", "2021-03-20", "提取备用金", "库存现金", "银行存款", 1000),
     "expect": []},
    {"name": "opening cash given in the policy",
     "rows": entry("记-1", "2021-03-05", "提取备用金", "库存现金", "银行存款", 1500),
     "options": {"opening_cash_yuan": 800},
     "expect": [{"voucher": "记-1", "amount": 1500, "message": "当日库存现金余额 2,300.00 元"}]},
    {"name": "a missing month stops the running balance",
     "rows": entry("记-1", "2021-01-05", "提取备用金", "库存现金", "银行存款", 1500)
             + entry("记-1", "2021-03-05", "提取备用金", "库存现金", "银行存款", 1000),
     "expect": []},
    {"name": "undated vouchers count after the dated ones of their month, in line order",
     "rows": entry("记-1", "2021-01-05", "提取备用金", "库存现金", "银行存款", 1500)
             + [dict(r, period="2021-01") for r in entry("现付-2", "", "支付保洁费", "管理费用-其他", "库存现金", 800)]
             + [dict(r, period="2021-01") for r in entry("银付-2", "", "提取备用金", "库存现金", "银行存款", 1000)],
     "expect": []},
]
