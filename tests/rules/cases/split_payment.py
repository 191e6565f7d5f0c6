from tests.rules.cases._rows import entry


def _pay(voucher, date, summary, amount, account="管理费用-维修费", paid_from="银行存款", **fields):
    return entry(voucher, date, summary, account, paid_from, amount, **fields)


CASES = [
    {"name": "two payments to one hardware shop on consecutive days",
     "rows": _pay("记-5", "2021-05-10", "付张记五金店材料款", 3000) + _pay("记-7", "2021-05-11", "付张记五金店材料款", 2800),
     "expect": [{"voucher": "记-5", "amount": 3000,
                 "message": "向“张记五金店”付款 2 笔（记-5、记-7，2021-05-10 至 2021-05-11），合计 5,800.00 元，达到集体决策限额 5,000.00 元"},
                {"voucher": "记-7", "amount": 2800, "message": "疑似拆分支付"}]},
    {"name": "look-alike: two unrelated small payments on one day",
     "rows": _pay("记-5", "2021-05-10", "付张记五金店材料款", 3000)
             + _pay("记-6", "2021-05-10", "付红旗印刷厂宣传册印刷费", 2800, "管理费用-印刷费"),
     "expect": []},
    {"name": "the payee from the counterparty column, whatever the summaries say",
     "rows": _pay("记-1", "2021-06-01", "购买水泥", 2600, counterparty="湘潭市建材经营部")
             + _pay("记-2", "2021-06-02", "购买砂石", 2600, counterparty="湘潭市建材经营部"),
     "expect": [{"voucher": "记-1", "message": "向“湘潭市建材经营部”付款 2 笔"}, {"voucher": "记-2"}]},
    {"name": "look-alike: a department in the counterparty column is no payee",
     "rows": _pay("记-1", "2021-06-01", "购买水泥", 2600, counterparty="部门：办公室")
             + _pay("记-2", "2021-06-02", "购买砂石", 2600, counterparty="部门：办公室")
             + _pay("记-3", "2021-06-02", "支付印刷费", 2600, counterparty="个人"),
     "expect": []},
    {"name": "look-alike: the same payee but further apart than the window",
     "rows": _pay("记-5", "2021-05-10", "付张记五金店材料款", 3000) + _pay("记-9", "2021-05-20", "付张记五金店材料款", 2800),
     "expect": []},
    {"name": "look-alike: together still under the limit",
     "rows": _pay("记-5", "2021-05-10", "付张记五金店材料款", 2000) + _pay("记-7", "2021-05-11", "付张记五金店材料款", 2000),
     "expect": []},
    {"name": "look-alike: one payment at the limit is not split",
     "rows": _pay("记-5", "2021-05-10", "付张记五金店材料款", 5000) + _pay("记-7", "2021-05-11", "付张记五金店材料款", 800),
     "expect": []},
    {"name": "the same rare summary without a payee, three parts",
     "rows": _pay("记-3", "2021-07-01", "购买会议室桌椅", 1900, "固定资产") + _pay("记-4", "2021-07-02", "购买会议室桌椅", 1900, "固定资产")
             + _pay("记-6", "2021-07-03", "购买会议室桌椅", 1800, "固定资产"),
     "expect": [{"voucher": "记-3", "message": "摘要同为“购买会议室桌椅”的付款 3 笔（记-3、记-4、记-6，"},
                {"voucher": "记-4"}, {"voucher": "记-6"}]},
    {"name": "look-alike: a routine summary repeated all year is not one purchase",
     "rows": [r for i in range(8) for r in _pay(f"记-{i + 1}", f"2021-07-{1 + i:02d}", "支付办公费", 1900, "管理费用-办公费")],
     "expect": []},
    {"name": "cash payments split under the settlement threshold",
     "rows": _pay("现付-1", "2021-08-02", "付李记餐馆工作餐费", 600, "管理费用-其他", "库存现金")
             + _pay("现付-2", "2021-08-02", "付李记餐馆工作餐费", 580, "管理费用-其他", "库存现金"),
     "expect": [{"voucher": "现付-1", "message": "向“李记餐馆”现金付款 2 笔（现付-1、现付-2，2021-08-02），合计 1,180.00 元，达到现金结算起点 1,000.00 元，而每笔均低于起点"},
                {"voucher": "现付-2"}]},
    {"name": "look-alike: monthly utilities to one company",
     "rows": _pay("记-1", "2021-08-02", "付湘潭市供电公司电费", 3000) + _pay("记-2", "2021-08-03", "付湘潭市供电公司电费", 2500),
     "expect": []},
]
