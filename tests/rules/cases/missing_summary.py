from tests.rules.cases._rows import entry

CASES = [
    {"name": "no summary on any line",
     "rows": entry("记-9", "2021-03-09", "", "管理费用-其他", "银行存款", 600),
     "expect": [{"voucher": "记-9", "amount": 1200, "message": "凭证无摘要（2 行均未填写摘要）"}]},
    {"name": "look-alike: summary on the first line only",
     "rows": [("记-9", "2021-03-09", "支付保洁费", "管理费用-其他", 600, ""), ("记-9", "2021-03-09", "", "银行存款", "", 600)],
     "expect": []},
    {"name": "summary on the first line only, when every line must have one",
     "rows": [("记-9", "2021-03-09", "支付保洁费", "管理费用-其他", 600, ""), ("记-9", "2021-03-09", "", "银行存款", "", 600)],
     "options": {"require_every_line": True},
     "expect": [{"voucher": "记-9", "amount": 600, "message": "1 行未填写摘要"}]},
    {"name": "a line without account",
     "rows": [("记-10", "2021-03-10", "支付保洁费", "", 600, ""), ("记-10", "2021-03-10", "支付保洁费", "银行存款", "", 600)],
     "expect": [{"voucher": "记-10", "amount": 600, "message": "1 行未填写会计科目"}]},
]
