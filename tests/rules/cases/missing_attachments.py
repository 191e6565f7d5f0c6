from tests.rules.cases._rows import entry

CASES = [
    {"name": "payment with 0 attachments",
     "rows": entry("记-4", "2021-03-04", "支付绿化款", "管理费用-其他", "银行存款", 5000, attachments=0)
             + entry("记-5", "2021-03-05", "支付电费", "管理费用-水电费", "银行存款", 300, attachments=2),
     "expect": [{"voucher": "记-4", "amount": 5000, "message": "付款凭证（付出 5,000.00 元）附件数为 0，未附原始凭证"}]},
    {"name": "look-alike: payment with attachments",
     "rows": entry("记-4", "2021-03-04", "支付绿化款", "管理费用-其他", "银行存款", 5000, attachments=3), "expect": []},
    {"name": "look-alike: a transfer voucher needs none",
     "rows": entry("转-1", "2021-03-31", "计提折旧", "管理费用-折旧", "累计折旧", 800, attachments=0)
             + entry("记-5", "2021-03-05", "支付电费", "管理费用-水电费", "库存现金", 300, attachments=1), "expect": []},
    {"name": "blank count on one payment",
     "rows": entry("记-4", "2021-03-04", "现金支付误餐费", "管理费用-其他", "库存现金", 200)
             + entry("记-5", "2021-03-05", "支付电费", "管理费用-水电费", "银行存款", 300, attachments=1),
     "expect": [{"voucher": "记-4", "amount": 200, "message": "附件数空白"}]},
    {"name": "blank everywhere: one finding for the sheet",
     "rows": entry("记-4", "2021-03-04", "支付绿化款", "管理费用-其他", "银行存款", 5000)
             + entry("记-5", "2021-03-05", "支付电费", "管理费用-水电费", "银行存款", 300),
     "expect": [{"voucher": "记-4", "amount": 0, "message": "本表 2 张付款凭证的附件数均为空白"}]},
]
