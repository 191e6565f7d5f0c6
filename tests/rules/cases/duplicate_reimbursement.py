from tests.rules.cases._rows import entry


def _pay(voucher, date, summary, amount, account="管理费用-维修费", paid_from="银行存款", **fields):
    return entry(voucher, date, summary, account, paid_from, amount, **fields)


def _rent(voucher, date, summary="付幸福物业公司活动室租金"):
    return _pay(voucher, date, summary, 3000, "管理费用-租赁费")


CASES = [
    {"name": "one hardware bill paid by bank and reimbursed again in cash",
     "rows": _pay("记-4", "2021-03-08", "付张记五金店材料款", 1360) + _pay("记-11", "2021-03-19", "报销张记五金店材料款", 1360, paid_from="库存现金"),
     "expect": [{"voucher": "记-11", "amount": 1360,
                 "message": "与 记-4（2021-03-08）向“张记五金店”的付款金额同为 1,360.00 元，相隔 11 天：疑似重复报销"},
                {"voucher": "记-4", "absent": True}]},
    {"name": "look-alike: a monthly rent of the same amount",
     "rows": _rent("记-2", "2021-01-05") + _rent("记-3", "2021-02-03") + _rent("记-4", "2021-03-05") + _rent("记-5", "2021-04-06"),
     "expect": []},
    {"name": "look-alike: a monthly rent paid late one month and early the next",
     "rows": _rent("记-2", "2021-01-05") + _rent("记-9", "2021-02-26") + _rent("记-1", "2021-03-02") + _rent("记-3", "2021-04-05"),
     "expect": []},
    {"name": "look-alike: two rent payments only, a month apart",
     "rows": _rent("记-2", "2021-01-05") + _rent("记-3", "2021-02-05"), "expect": []},
    {"name": "look-alike: the same payee, different amounts",
     "rows": _pay("记-4", "2021-03-08", "付张记五金店材料款", 1360) + _pay("记-11", "2021-03-19", "付张记五金店材料款", 1630),
     "expect": []},
    {"name": "look-alike: the same amount to different payees",
     "rows": _pay("记-4", "2021-03-08", "付张记五金店材料款", 1360) + _pay("记-11", "2021-03-09", "付红旗印刷厂印刷费", 1360),
     "expect": []},
    {"name": "the same rare summary and amount on the same day",
     "rows": _pay("记-6", "2021-09-02", "报销王明出差武汉差旅费", 1286.5, "管理费用-差旅费")
             + _pay("记-7", "2021-09-02", "报销王明出差武汉差旅费", 1286.5, "管理费用-差旅费"),
     "expect": [{"voucher": "记-7", "message": "与 记-6（2021-09-02）摘要同为“报销王明出差武汉差旅费”的付款金额同为 1,286.50 元，同日"}]},
    {"name": "look-alike: a routine summary at a common price",
     "rows": [r for i in range(8) for r in _pay(f"记-{i + 1}", f"2021-07-{1 + 3 * i:02d}", "购买打印纸", 250, "管理费用-办公费")],
     "expect": []},
    {"name": "look-alike: relief of a fixed sum to two households",
     "rows": _pay("记-1", "2021-12-20", "慰问困难户", 500, "公益支出-慰问") + _pay("记-2", "2021-12-20", "慰问困难户", 500, "公益支出-慰问"),
     "expect": []},
    {"name": "look-alike: small sums are not compared",
     "rows": _pay("记-1", "2021-12-20", "付李记餐馆工作餐", 120, "管理费用-其他") + _pay("记-2", "2021-12-22", "付李记餐馆工作餐", 120, "管理费用-其他"),
     "expect": []},
    {"name": "further apart than the window is not a duplicate",
     "rows": _pay("记-4", "2021-03-08", "付张记五金店材料款", 1360) + _pay("记-11", "2021-04-08", "付张记五金店材料款", 1360),
     "expect": []},
]
