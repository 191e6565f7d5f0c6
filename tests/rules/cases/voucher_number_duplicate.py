from tests.rules.cases._rows import entry, in_file

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
    # A book can come in several files, often each with one sheet named Sheet1: the message names the files.
    {"name": "one number in the main book and in its supplementary file, both on a Sheet1",
     "rows": in_file("建设社区2021.xlsx", entry("记-2", "2021-03-02", "a", "管理费用", "银行存款", 10)
                     + entry("记-3", "2021-03-05", "支付电费", "管理费用-水电费", "银行存款", 300))
             + in_file("建设社区2021补录.xlsx", entry("记-3", "2021-03-05", "购买办公用品", "管理费用-办公费", "银行存款", 200)),
     "expect": [{"voucher": "记-3", "amount": 200,
                 "message": "凭证号 记-3 在 2021-03 用于 2 张凭证（建设社区2021.xlsx / Sheet1 第 4–5 行、"
                            "建设社区2021补录.xlsx / Sheet1 第 2–3 行）"}]},
    {"name": "look-alike: a supplementary file continuing the numbers",
     "rows": in_file("建设社区2021.xlsx", entry("记-1", "2021-03-02", "a", "管理费用", "银行存款", 10)
                     + entry("记-2", "2021-03-05", "b", "管理费用", "银行存款", 10))
             + in_file("建设社区2021补录.xlsx", entry("记-3", "2021-03-28", "c", "管理费用", "银行存款", 10)),
     "expect": []},
    {"name": "look-alike: two entities each with their own 记-1",
     "rows": in_file("建设社区.xlsx", entry("记-1", "2021-03-02", "a", "管理费用", "银行存款", 10), entity="建设社区")
             + in_file("和平社区.xlsx", entry("记-1", "2021-03-02", "b", "管理费用", "银行存款", 10), entity="和平社区"),
     "expect": []},
]
