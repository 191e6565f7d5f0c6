from tests.rules.cases._rows import entry

CASES = [
    {"name": "preparer reviewed own voucher",
     "rows": entry("记-2", "2021-03-02", "支付保洁费", "管理费用-其他", "银行存款", 600, preparer="张三", reviewer="张 三")
             + entry("记-3", "2021-03-03", "支付电费", "管理费用-水电费", "银行存款", 300, preparer="张三", reviewer="李四"),
     "expect": [{"voucher": "记-2", "amount": 600, "message": "制单人与审核人同为“张三”，未经他人审核"}]},
    {"name": "one voucher not reviewed",
     "rows": entry("记-2", "2021-03-02", "支付保洁费", "管理费用-其他", "银行存款", 600, preparer="张三", reviewer="")
             + entry("记-3", "2021-03-03", "支付电费", "管理费用-水电费", "银行存款", 300, preparer="张三", reviewer="李四"),
     "expect": [{"voucher": "记-2", "amount": 600, "severity": "medium", "message": "凭证无审核人签章"}]},
    {"name": "look-alike: reviewed by someone else, preparer not recorded",
     "rows": entry("记-3", "2021-03-03", "支付电费", "管理费用-水电费", "银行存款", 300, reviewer="李四"), "expect": []},
    {"name": "a whole sheet unreviewed is one finding",
     "rows": entry("记-1", "2021-03-01", "a", "管理费用", "银行存款", 10, preparer="张三")
             + entry("记-2", "2021-03-02", "b", "管理费用", "银行存款", 10, preparer="张三")
             + entry("记-3", "2021-03-03", "c", "管理费用", "银行存款", 10, preparer="张三"),
     "expect": [{"voucher": "表:Sheet1", "amount": 0, "message": "本表 3 张凭证均无审核人签章"}]},
    {"name": "look-alike: the reviewer signed on the voucher's second line",
     "rows": [{"voucher": "记-2", "date": "2021-03-02", "summary": "支付保洁费", "account": "管理费用-其他",
               "debit": 600, "credit": "", "preparer": "张三", "reviewer": ""},
              {"voucher": "记-2", "date": "2021-03-02", "summary": "支付保洁费", "account": "银行存款",
               "debit": "", "credit": 600, "preparer": "", "reviewer": "李四"}]
             + entry("记-3", "2021-03-03", "支付电费", "管理费用-水电费", "银行存款", 300, preparer="张三", reviewer="李四"),
     "expect": []},
]
