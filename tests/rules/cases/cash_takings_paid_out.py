from tests.rules.cases._rows import entry
from tests.rules.cases.negative_cash_balance import journal_row

CASES = [
    {"name": "opening given: rent taken and a payment made from it the same day",
     "rows": entry("记-1", "2021-03-05", "收取门面租金", "库存现金", "其他收入-租金", 3000)
             + entry("记-2", "2021-03-05", "支付保洁费", "管理费用-其他", "库存现金", 2500),
     "options": {"opening_cash_yuan": 0},
     "expect": [{"voucher": "记-2", "amount": 2500, "severity": "high",
                 "message": ["收取现金 3,000.00 元（收款凭证 记-1）", "收款前库存现金 0.00 元",
                             "2,500.00 元付自当日现金收入"]}]},
    {"name": "look-alike: cash on hand before the takings covers the payment",
     "rows": entry("记-1", "2021-03-05", "收取门面租金", "库存现金", "其他收入-租金", 3000)
             + entry("记-2", "2021-03-05", "支付保洁费", "管理费用-其他", "库存现金", 2500),
     "options": {"opening_cash_yuan": 2500},
     "expect": []},
    {"name": "no opening known: only what even 5,000 yuan on hand could not cover",
     "rows": entry("记-1", "2021-03-05", "收取门面租金", "库存现金", "其他收入-租金", 10000)
             + entry("记-2", "2021-03-05", "收取水费", "库存现金", "其他收入-水费", 500)
             + entry("记-3", "2021-03-05", "发放保洁员工资", "应付工资", "库存现金", 8000),
     "expect": [{"voucher": "记-3", "amount": 3000, "severity": "medium",
                 "message": ["（收款凭证 记-1 等 2 张）", "收款前库存现金至多 5,000.00 元", "3,000.00 元付自当日现金收入"]}]},
    {"name": "look-alike: no opening known and a payment an opening could have covered",
     "rows": entry("记-1", "2021-03-05", "收取门面租金", "库存现金", "其他收入-租金", 10000)
             + entry("记-2", "2021-03-05", "支付保洁费", "管理费用-其他", "库存现金", 4000),
     "expect": []},
    {"name": "look-alike: takings one day, the payment the next",
     "rows": entry("记-1", "2021-03-05", "收取门面租金", "库存现金", "其他收入-租金", 3000)
             + entry("记-2", "2021-03-06", "支付保洁费", "管理费用-其他", "库存现金", 2500),
     "options": {"opening_cash_yuan": 0},
     "expect": []},
    {"name": "look-alike: a withdrawal the same day pays for it",
     "rows": entry("记-1", "2021-03-05", "收取门面租金", "库存现金", "其他收入-租金", 3000)
             + entry("记-2", "2021-03-05", "提现", "库存现金", "银行存款", 2500)
             + entry("记-3", "2021-03-05", "支付保洁费", "管理费用-其他", "库存现金", 2500),
     "options": {"opening_cash_yuan": 0},
     "expect": []},
    {"name": "look-alike: a trifle under min_amount_yuan",
     "rows": entry("记-1", "2021-03-05", "收取门面租金", "库存现金", "其他收入-租金", 1000)
             + entry("记-2", "2021-03-05", "购买墨水", "管理费用-办公费", "库存现金", 80),
     "options": {"opening_cash_yuan": 0},
     "expect": []},
    {"name": "cash journal: the balance before the day is the written 余额",
     "rows": journal_row("现收-1", "2021-03-02", "收取水费", "其他收入-水费", 200, "", 200)
             + journal_row("现收-2", "2021-03-05", "收取门面租金", "其他收入-租金", 3000, "", 3200)
             + journal_row("现付-1", "2021-03-05", "支付保洁费", "管理费用-其他", "", 2500, 700),
     "expect": [{"voucher": "现付-1", "amount": 2300, "severity": "high",
                 "message": ["据现金日记账余额，收款前库存现金 200.00 元", "2,300.00 元付自当日现金收入"]}]},
    {"name": "look-alike: takings deposited and the payment left the day below zero (a negative balance, not 坐支)",
     "rows": entry("记-1", "2021-03-05", "收取门面租金", "库存现金", "其他收入-租金", 3000)
             + entry("记-2", "2021-03-05", "租金存入银行", "银行存款", "库存现金", 3000)
             + entry("记-3", "2021-03-05", "支付保洁费", "管理费用-其他", "库存现金", 2500),
     "options": {"opening_cash_yuan": 0},
     "expect": []},
    {"name": "a withdrawal that covers part of the payment is named and counted",
     "rows": entry("记-1", "2021-03-05", "收取门面租金", "库存现金", "其他收入-租金", 3000)
             + entry("记-2", "2021-03-05", "提现", "库存现金", "银行存款", 1000)
             + entry("记-3", "2021-03-05", "支付保洁费", "管理费用-其他", "库存现金", 2500),
     "options": {"opening_cash_yuan": 0},
     "expect": [{"voucher": "记-3", "amount": 1500,
                 "message": "收款前库存现金 0.00 元，另有当日提现 1,000.00 元，不足支付，1,500.00 元付自当日现金收入"}]},
]
