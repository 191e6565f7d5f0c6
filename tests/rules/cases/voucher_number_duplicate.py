from tests.rules.cases._rows import entry

CASES = [
    {"name": "two blocks numbered 记-6 in one month",
     "rows": entry("记-6", "2021-03-06", "提取备用金", "库存现金", "银行存款", 1500)
             + entry("记-7", "2021-03-10", "支付电费", "管理费用-水电费", "银行存款", 300)
             + entry("记-6", "2021-03-20", "购买办公用品", "管理费用-办公费", "银行存款", 200),
     "expect": [{"voucher": "记-6", "amount": 200,
                 "message": "凭证号 记-6 在 2021-03 用于 2 张凭证（第 2–3 行、第 6–7 行；日期 2021-03-06、2021-03-20）"}]},
    {"name": "adjacent blocks with the same number but different dates",
     "rows": entry("记-6", "2021-03-06", "提取备用金", "库存现金", "银行存款", 1500)
             + entry("记-6", "2021-03-20", "购买办公用品", "管理费用-办公费", "银行存款", 200),
     "expect": [{"voucher": "记-6", "amount": 200, "message": "用于 2 张凭证（日期 2021-03-06、2021-03-20）"}]},
    {"name": "look-alike: one voucher with many lines",
     "rows": [("记-6", "2021-03-06", "报销", "管理费用-办公费", 100, ""), ("记-6", "2021-03-06", "报销", "管理费用-差旅费", 100, ""),
              ("记-6", "2021-03-06", "报销", "管理费用-其他", 100, ""), ("记-6", "2021-03-06", "报销", "银行存款", "", 300)],
     "expect": []},
    {"name": "look-alike: 记-6 and 现付-6, and 记-6 of another month",
     "rows": entry("记-6", "2021-03-06", "a", "管理费用", "银行存款", 10) + entry("现付-6", "2021-03-07", "b", "管理费用", "库存现金", 10)
             + entry("记-6", "2021-04-06", "c", "管理费用", "银行存款", 10),
     "expect": []},
    {"name": "one number on two sheets: the second voucher is the one later in the workbook",
     "rows": [dict(r, sheet="凭证") for r in entry("记-6", "2021-03-06", "提取备用金", "库存现金", "银行存款", 1500)]
             + [dict(r, sheet="2021补录") for r in entry("记-6", "2021-03-20", "购买办公用品", "管理费用-办公费", "银行存款", 200)],
     "expect": [{"voucher": "记-6", "amount": 200,
                 "message": "凭证号 记-6 在 2021-03 用于 2 张凭证（凭证 第 2–3 行、2021补录 第 4–5 行；日期 2021-03-06、2021-03-20）"}]},
]
