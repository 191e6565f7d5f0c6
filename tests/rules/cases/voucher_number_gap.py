from tests.rules.cases._rows import entry, in_file

CASES = [
    {"name": "one number missing",
     "rows": entry("记-1", "2021-03-01", "a", "管理费用", "银行存款", 10) + entry("记-2", "2021-03-02", "b", "管理费用", "银行存款", 10)
             + entry("记-3", "2021-03-03", "c", "管理费用", "银行存款", 10) + entry("记-5", "2021-03-05", "d", "管理费用", "银行存款", 10),
     "expect": [{"voucher": "记-5", "amount": 0, "message": "2021-03 记字凭证缺 4 号"}]},
    {"name": "no gap",
     "rows": entry("记-1", "2021-03-01", "a", "管理费用", "银行存款", 10) + entry("记-2", "2021-03-02", "b", "管理费用", "银行存款", 10),
     "expect": []},
    {"name": "a long gap is a range, and a second gap is its own finding",
     "rows": entry("记-1", "2021-03-01", "a", "管理费用", "银行存款", 10) + entry("记-2", "2021-03-02", "b", "管理费用", "银行存款", 10)
             + entry("记-6", "2021-03-05", "c", "管理费用", "银行存款", 10) + entry("记-8", "2021-03-05", "d", "管理费用", "银行存款", 10),
     "expect": [{"voucher": "记-6", "message": "缺 3–5 号（共 3 张）"}, {"voucher": "记-8", "message": "缺 7 号"}]},
    {"name": "numbers before the first one",
     "rows": entry("记-3", "2021-03-01", "a", "管理费用", "银行存款", 10),
     "expect": [{"voucher": "记-3", "message": "缺 1–2 号"}]},
    {"name": "numbers before the first one, when the policy says sequences may start anywhere",
     "rows": entry("记-3", "2021-03-01", "a", "管理费用", "银行存款", 10), "options": {"start_at_one": False},
     "expect": []},
    {"name": "look-alike: each voucher word and each month numbers on its own",
     "rows": entry("现付-1", "2021-03-01", "a", "管理费用", "库存现金", 10) + entry("银付-1", "2021-03-01", "b", "管理费用", "银行存款", 10)
             + entry("现付-2", "2021-03-02", "c", "管理费用", "库存现金", 10) + entry("记-1", "2021-04-01", "d", "管理费用", "银行存款", 10),
     "expect": []},
    {"name": "long numbers that carry the year and month",
     "rows": entry("记-20210300001", "2021-03-01", "a", "管理费用", "银行存款", 10)
             + entry("记-20210300003", "2021-03-02", "b", "管理费用", "银行存款", 10),
     "options": {"start_at_one": False},
     "expect": [{"voucher": "记-20210300003", "message": "2021-03 记字凭证缺 20210300002 号"}]},
    # A book can come in several files: the numbering runs across all files of one entity's book.
    {"name": "look-alike: a supplementary file continues the main book's numbers",
     "rows": in_file("建设社区2021.xlsx", [r for n in range(1, 6) for r in entry(f"记-{n}", f"2021-03-0{n}", "a", "管理费用",
                                                                                "银行存款", 10)])
             + in_file("建设社区2021补录.xlsx", [r for n in range(6, 9) for r in entry(f"记-{n}", "2021-03-28", "b", "管理费用",
                                                                                  "银行存款", 10)]),
     "expect": []},
    {"name": "a gap between the main book and its supplementary file",
     "rows": in_file("建设社区2021.xlsx", [r for n in range(1, 6) for r in entry(f"记-{n}", f"2021-03-0{n}", "a", "管理费用",
                                                                                "银行存款", 10)])
             + in_file("建设社区2021补录.xlsx", entry("记-8", "2021-03-28", "b", "管理费用", "银行存款", 10)),
     "expect": [{"voucher": "记-8", "message": "2021-03 记字凭证缺 6–7 号（共 2 张）"}]},
    {"name": "each entity numbers on its own, though both books are in one folder",
     "rows": in_file("建设社区.xlsx", entry("记-1", "2021-03-01", "a", "管理费用", "银行存款", 10)
                     + entry("记-2", "2021-03-02", "b", "管理费用", "银行存款", 10), entity="建设社区")
             + in_file("和平社区.xlsx", entry("记-3", "2021-03-03", "c", "管理费用", "银行存款", 10), entity="和平社区"),
     "expect": [{"voucher": "记-3", "message": "2021-03 记字凭证缺 1–2 号"}]},
]
