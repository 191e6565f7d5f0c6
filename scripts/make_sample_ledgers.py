"""Regenerate sample_ledgers/: realistic books of 建设社区 for 2020 and 2021.

    python scripts/make_sample_ledgers.py

Three books in three export layouts, so the reader is exercised on variety:

- 建设社区行政账2021.xlsx — the administrative book, 用友-style 序时账: one sheet per month, a
  merged title and a "会计年度" row above the header on row 3, 凭证字号 like 记-0006, code and name
  in separate columns, voucher fields (date, number, 制单人, 审核人, 附件数) on a voucher's first
  line only, 本月合计 and 本年累计 rows, real Excel dates, four-digit chart (1001, 1002, 5301…).
- 建设社区行政账2020.xlsx — the administrative book, "三资"-platform export: all months in one
  sheet, a two-row header (金额 over 借方 / 贷方), separate 年 / 月 / 日 and 凭证字 / 凭证号
  columns, "541 管理费用-办公费" (2004 village chart, code and name in one cell), amounts as text
  with thousands separators, a 本月合计 row per month.
- 建设社区工会账2020-2021.xlsx — the union book, typed by hand: one sheet, text dates like
  2020/12/5, bare voucher numbers, 科目 names only.

Planted problems (listed with file, period and voucher in sample_ledgers/planted_problems.tsv,
which tests/test_samples.py compares with a scan): the inspection notice's four vouchers at their
cited numbers — 2021-03 记-6 提取备用金 2,500; 2021-09 记-18 现金支付疫情防控物资 3,000; 2020-12
记-27 订阅《湖南工人报》156 in the administrative book; 2021-07 记-12 烧水壶616个 18,500 — and the
union book's record problems (an unbalanced voucher, a missing number, a repeated number, a
voucher without summary, one without reviewer, one reviewed by its preparer, one without
attachments), and one clear case of each journal-entry test in the 2021 administrative book: a
voucher dated on National Day (2021-10-01), a printer's bill paid twice, 4,860 yuan just under
the 5,000 yuan approval limit, a round 5,000 yuan, a hardware shop paid in two parts on two days,
a repair booked on a slip (白条).  Every other voucher is dated on a working day (make-up
Saturdays included, from chinese_calendar), as an accountant dates them.  Look-alikes that must
not be flagged: 提取备用金 1,800; 现金存入银行 3,000; 现金支付办公用品 600; 银行转账支付疫情防控物资
5,000 (flagged only as a round sum); 订阅《人民日报》《湖南日报》; 订阅《湖南工人报》 in the union book;
购买打印纸20箱; 购买办公椅6把 on the make-up Saturday 2021-10-09; 收到工会经费返还; 工资 by bank;
慰问困难群众 by bank.

Cash is planned so that only the planted vouchers break the cash rules: each month starts with
no cash, withdrawals stay within 2,000, cash payments stay under 1,000, and what is left is
deposited at the month's end.
"""
from __future__ import annotations

import csv
import datetime as dt
import random
from dataclasses import dataclass, field
from pathlib import Path

import chinese_calendar
import openpyxl
from openpyxl.styles import Alignment, Font

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "sample_ledgers" / "建设社区"
MANIFEST = ROOT / "sample_ledgers" / "planted_problems.tsv"   # .tsv: not a ledger format, so a scan skips it
FIXED_TIME = dt.datetime(2022, 6, 30, 9, 0, 0)

PREPARER, REVIEWER = "周敏", "刘建国"
UNION_PREPARER, UNION_REVIEWER = "陈霞", "王志强"

# (code 4-digit, code village, name)
CASH = ("1001", "101", "库存现金")
BANK = ("1002", "102", "银行存款")
OTHER_INCOME = ("4301", "531", "其他收入")
SUBSIDY = ("4101", "522", "补助收入")
PAYABLE = ("2241", "212", "其他应付款")


def expense(detail: str) -> tuple[str, str, str]:
    codes = {"办公费": "01", "水电费": "02", "网络通讯费": "03", "印刷费": "04", "维修费": "05", "工资": "06",
             "活动经费": "07", "保洁费": "08", "报刊费": "09", "疫情防控": "10", "差旅费": "11", "慰问费": "12"}
    return f"5301{codes[detail]}", f"541{codes[detail]}", f"管理费用-{detail}"


ORDINARY_BANK = [
    ("支付{m}月办公用品费", "办公费", (200, 900)), ("支付{m}月水电费", "水电费", (300, 1400)),
    ("支付{m}月宽带及电话费", "网络通讯费", (199, 399)), ("支付宣传资料印刷费", "印刷费", (300, 1600)),
    ("支付办公室空调维修费", "维修费", (150, 800)), ("支付小区公共区域保洁费", "保洁费", (1200, 3000)),
    ("支付社区文艺活动场地布置费", "活动经费", (400, 1800)), ("支付网格员交通补助", "差旅费", (300, 900)),
    ("支付打印机墨盒款", "办公费", (180, 600)), ("支付垃圾分类宣传品制作费", "印刷费", (500, 1500)),
]
ORDINARY_CASH = [
    ("现金支付快递费", "办公费", (12, 60)), ("现金购买办公用胶水、文件夹", "办公费", (30, 120)),
    ("现金支付停车费", "差旅费", (10, 40)), ("现金购买饮用水", "办公费", (40, 90)),
    ("现金支付钥匙配制费", "维修费", (15, 45)), ("现金购买灯泡", "维修费", (35, 150)),
]


@dataclass
class Voucher:
    date: dt.date
    summary: str
    lines: list = field(default_factory=list)     # (account tuple, debit fen, credit fen, summary override)
    reviewer: str = REVIEWER
    preparer: str = PREPARER
    attachments: int = 1
    number: int = 0
    on_rest_day: bool = False     # planted: keeps a date that is not a working day

    def to_working_day(self) -> None:
        if not self.on_rest_day:
            self.date = working_day(self.date)

    def add(self, account, debit=0, credit=0, summary=None):
        self.lines.append((account, debit, credit, summary))
        return self


def working_day(date: dt.date) -> dt.date:
    """The first working day (make-up Saturdays included) on or after ``date`` in its month, else
    the last one before it: accountants date vouchers on the days the office works."""
    later = date
    while not chinese_calendar.is_workday(later):
        later += dt.timedelta(days=1)
    if later.month == date.month:
        return later
    earlier = date
    while not chinese_calendar.is_workday(earlier):
        earlier -= dt.timedelta(days=1)
    return earlier


def pay(date, summary, debit_account, fen, credit_account=BANK, **kw) -> Voucher:
    return Voucher(date, summary, **kw).add(debit_account, debit=fen).add(credit_account, credit=fen)


class AdminYear:
    """Vouchers of one month at a time, cash kept within the rules unless planted."""

    def __init__(self, year: int, rng: random.Random):
        self.year, self.rng = year, rng
        self.months: dict[int, list[Voucher]] = {}

    def month(self, m: int, planted: dict[int, Voucher], count: int, cash: str = "normal",
              withdrawal_yuan: int | None = None) -> None:
        """``cash``: "normal" (a withdrawal within the limit and small cash payments), "withdraw"
        (the withdrawal only), "none" (the planted vouchers carry the month's cash)."""
        rng, y = self.rng, self.year
        days = [dt.date(y, m, d) for d in range(1, 29)]
        pool: list[Voucher] = []
        withdrawal = withdrawal_yuan or rng.randint(10, 18) * 100
        if cash != "none":
            pool.append(Voucher(days[1], "提取备用金").add(CASH, debit=withdrawal * 100).add(BANK, credit=withdrawal * 100))
        planted_cash_out = sum(c for v in planted.values() for a, d, c, _ in v.lines if a == CASH)
        cash_left = withdrawal * 100 - planted_cash_out
        for i in range(rng.randint(2, 4) if cash == "normal" else 0):
            summary, detail, (lo, hi) = rng.choice(ORDINARY_CASH)
            fen = rng.randint(lo, hi) * 100
            if fen > cash_left:
                break
            cash_left -= fen
            pool.append(pay(days[3 + i * 4], summary, expense(detail), fen, CASH))
        while len(pool) + len(planted) < count - 1:
            summary, detail, (lo, hi) = rng.choice(ORDINARY_BANK)
            fen = rng.randint(lo, hi) * 100 + rng.choice((0, 50))
            pool.append(pay(rng.choice(days[2:26]), summary.format(m=m), expense(detail), fen))
        pool.append(pay(days[9], "发放社区工作人员工资", expense("工资"), 1865000))
        if m in (3, 6, 9, 12):
            pool.append(Voucher(days[12], "收到街道拨付社区工作经费").add(BANK, debit=5000000).add(SUBSIDY, credit=5000000))
        for voucher in [*pool, *planted.values()]:
            voucher.to_working_day()
        pool.sort(key=lambda v: v.date)
        ordered: list[Voucher] = []
        for number in range(1, len(pool) + len(planted) + 1):
            ordered.append(planted[number] if number in planted else pool.pop(0))
        # a planted voucher keeps its number; dates stay in order around it
        for i, voucher in enumerate(ordered):
            if i and voucher.date < ordered[i - 1].date:
                voucher.date = ordered[i - 1].date
        cash = 0
        for voucher in ordered:
            cash += sum(d - c for a, d, c, _ in voucher.lines if a == CASH)
        if cash > 0:
            ordered.append(pay(working_day(dt.date(y, m, 28)), "现金存入银行", BANK, cash, CASH))
        for number, voucher in enumerate(ordered, start=1):
            voucher.number = number
        self.months[m] = ordered


def admin_2021(rng: random.Random) -> AdminYear:
    book = AdminYear(2021, rng)
    d = lambda m, day: dt.date(2021, m, day)  # noqa: E731
    planted = {
        1: {5: pay(d(1, 8), "订阅2021年《人民日报》《湖南日报》", expense("报刊费"), 86400)},
        # one printer's bill paid twice, four days apart
        2: {4: Voucher(d(2, 5), "收到工会经费返还").add(BANK, debit=126000).add(OTHER_INCOME, credit=126000),
            6: pay(d(2, 5), "付红星印刷厂宣传册印刷费", expense("印刷费"), 128000),
            9: pay(d(2, 9), "付红星印刷厂宣传册印刷费", expense("印刷费"), 128000)},
        # the notice: 2021年3月6#凭证提取0.25万元 — the month's first withdrawal, so cash was 0 before
        3: {6: Voucher(d(3, 1), "提取备用金").add(CASH, debit=250000).add(BANK, credit=250000)},
        4: {7: Voucher(d(4, 9), "收到社区活动室场地租金（现金）").add(CASH, debit=300000).add(OTHER_INCOME, credit=300000),
            8: pay(d(4, 9), "现金存入银行", BANK, 300000, CASH)},
        # 4,860 yuan: just under the 5,000 yuan that needs a collective decision
        5: {9: Voucher(d(5, 3), "提取备用金").add(CASH, debit=180000).add(BANK, credit=180000),
            12: pay(d(5, 12), "支付社区活动室装修费", expense("维修费"), 486000)},
        6: {10: pay(d(6, 15), "现金支付办公用品", expense("办公费"), 60000, CASH)},
        # the notice: 2021年7月12#凭证支付616个烧水壶1.85万元
        7: {12: pay(d(7, 1), "购买烧水壶616个（七一活动）", expense("活动经费"), 1850000)},
        # by bank, so no cash payment, but a round 5,000 yuan
        8: {6: pay(d(8, 4), "银行转账支付疫情防控物资", expense("疫情防控"), 500000)},
        # the notice: 2021年9月18#凭证支付疫情防控物资0.3万元 — paid out of cash takings
        9: {15: Voucher(d(9, 14), "收到居民文体活动报名费（现金）").add(CASH, debit=150000).add(OTHER_INCOME, credit=150000),
            18: pay(d(9, 16), "现金支付疫情防控物资", expense("疫情防控"), 300000, CASH)},
        # National Day, 2021-10-01; 2021-10-09 was a make-up Saturday, a working day
        10: {1: pay(d(10, 1), "支付国庆活动场地布置费", expense("活动经费"), 120000, on_rest_day=True),
             3: pay(d(10, 8), "购买打印纸20箱", expense("办公费"), 120000),
             4: pay(d(10, 9), "购买办公椅6把", expense("办公费"), 180000)},
        # one purchase from a hardware shop paid in two parts on two days, 5,600 yuan in all
        11: {5: pay(d(11, 9), "付张记五金店维修材料款", expense("维修费"), 300000),
             6: pay(d(11, 10), "付张记五金店维修材料款", expense("维修费"), 260000)},
        12: {11: pay(d(12, 20), "春节慰问困难群众张桂英、李德明等5户", expense("慰问费"), 250000),
             14: pay(d(12, 14), "付王师傅水管维修费（白条）", expense("维修费"), 30000, CASH)},
    }
    cash = {3: "none", 4: "none", 5: "none", 9: "withdraw"}
    for m in range(1, 13):
        book.month(m, planted[m], rng.randint(26, 34), cash.get(m, "normal"), 1500 if m == 9 else None)
    return book


def admin_2020(rng: random.Random) -> AdminYear:
    book = AdminYear(2020, rng)
    d = lambda m, day: dt.date(2020, m, day)  # noqa: E731
    planted = {m: {} for m in range(1, 13)}
    # the notice: 2020年12月27#凭证支付《湖南工人报》杂志费156元, in the administrative book
    planted[12] = {27: pay(d(12, 18), "订阅2021年《湖南工人报》", expense("报刊费"), 15600)}
    for m in range(1, 13):
        book.month(m, planted[m], rng.randint(30, 36) if m == 12 else rng.randint(24, 32))
    return book


# ---------------------------------------------------------------------------- writing

def _save(workbook: openpyxl.Workbook, path: Path) -> None:
    workbook.properties.creator = "voucher-checker sample generator"
    workbook.properties.created = workbook.properties.modified = FIXED_TIME
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)


def write_yonyou_monthly(book: AdminYear, path: Path) -> None:
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    year_debit = year_credit = 0
    for m, vouchers in book.months.items():
        sheet = workbook.create_sheet(f"{m}月")
        sheet.append(["建设社区居民委员会序时账"])
        sheet.merge_cells("A1:J1")
        sheet["A1"].font = Font(bold=True, size=14)
        sheet["A1"].alignment = Alignment(horizontal="center")
        sheet.append([f"会计年度：{book.year}年", None, None, None, f"期间：{m}月", None, None, "单位：元"])
        sheet.append(["日期", "凭证字号", "摘要", "科目编码", "科目名称", "借方金额", "贷方金额", "制单人", "审核人", "附件数"])
        month_debit = month_credit = 0
        for v in vouchers:
            for i, (account, debit, credit, summary) in enumerate(v.lines):
                first = i == 0
                sheet.append([v.date if first else None, f"记-{v.number:04d}" if first else None, summary or v.summary,
                              account[0], account[2], debit / 100 if debit else None, credit / 100 if credit else None,
                              v.preparer if first else None, v.reviewer if first else None,
                              v.attachments if first else None])
                if first:
                    sheet.cell(sheet.max_row, 1).number_format = "yyyy-mm-dd"
                month_debit += debit
                month_credit += credit
        year_debit += month_debit
        year_credit += month_credit
        sheet.append([None, None, "本月合计", None, None, month_debit / 100, month_credit / 100])
        sheet.append([None, None, "本年累计", None, None, year_debit / 100, year_credit / 100])
        for column, width in zip("ABCDEFGHIJ", (12, 11, 34, 10, 20, 13, 13, 8, 8, 7)):
            sheet.column_dimensions[column].width = width
    _save(workbook, path)


def write_sanzi_export(book: AdminYear, path: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = f"{book.year}年凭证明细"
    sheet.append(["建设社区 村（居）集体经济组织会计凭证明细表"])
    sheet.merge_cells("A1:L1")
    sheet.append(["核算单位：湘潭市雨湖区建设社区居民委员会", None, None, None, None, None, None, None, "单位：元"])
    sheet.append(["年", "月", "日", "凭证字", "凭证号", "摘要", "会计科目", "金额", None, "制单", "审核", "附件"])
    sheet.append([None, None, None, None, None, None, None, "借方", "贷方", None, None, None])
    sheet.merge_cells("H3:I3")
    text_amount = lambda fen: f"{fen / 100:,.2f}" if fen else ""  # noqa: E731
    for m, vouchers in book.months.items():
        month_total = 0
        for v in vouchers:
            for i, (account, debit, credit, summary) in enumerate(v.lines):
                first = i == 0
                sheet.append([book.year if first else None, m if first else None, v.date.day if first else None,
                              "记" if first else None, v.number if first else None, summary or v.summary,
                              f"{account[1]} {account[2]}",
                              text_amount(debit), text_amount(credit),
                              v.preparer if first else None, v.reviewer if first else None,
                              v.attachments if first else None])
                month_total += debit
        sheet.append([None, None, None, None, None, f"{m}月 本月合计", None, text_amount(month_total), text_amount(month_total)])
    _save(workbook, path)


UNION_ACCOUNTS = {
    "活动": "职工活动支出-文体活动", "慰问": "职工活动支出-会员慰问", "报刊": "业务支出-报刊费",
    "会费": "会费收入", "拨款": "上级补助收入", "手续费": "其他支出-手续费",
}


def union_book(rng: random.Random) -> tuple[list[tuple[int, int, list[Voucher]]], list[dict]]:
    """Monthly vouchers of the union book (2020-01 … 2021-12) and the planted problems."""
    months, planted = [], []
    for year in (2020, 2021):
        for m in range(1, 13):
            d = lambda day: dt.date(year, m, day)  # noqa: E731
            dues = rng.randint(8, 12) * 5000
            vouchers = [Voucher(d(5), f"收到会员{m}月会费", preparer=UNION_PREPARER, reviewer=UNION_REVIEWER)
                        .add("银行存款", debit=dues).add(UNION_ACCOUNTS["会费"], credit=dues)]
            if m in (1, 7):
                fen = 600000
                vouchers.append(Voucher(d(8), "收到上级工会拨付经费", preparer=UNION_PREPARER, reviewer=UNION_REVIEWER)
                                .add("银行存款", debit=fen).add(UNION_ACCOUNTS["拨款"], credit=fen))
            choices = [("会员生日慰问（{}月）", "慰问", (200, 600)), ("组织会员健步走活动", "活动", (300, 1200)),
                       ("工会活动室购买乒乓球拍", "活动", (120, 360)), ("支付银行账户管理费", "手续费", (30, 60))]
            for i in range(rng.randint(3, 5)):
                summary, key, (lo, hi) = rng.choice(choices)
                fen = rng.randint(lo, hi) * 100
                vouchers.append(Voucher(d(10 + 3 * i), summary.format(m), preparer=UNION_PREPARER, reviewer=UNION_REVIEWER)
                                .add(UNION_ACCOUNTS[key], debit=fen).add("银行存款", credit=fen))
            if (year, m) == (2020, 12):
                vouchers.append(pay(d(18), "订阅2021年《湖南工人报》", UNION_ACCOUNTS["报刊"], 15600, "银行存款",
                                    preparer=UNION_PREPARER, reviewer=UNION_REVIEWER))
            for number, voucher in enumerate(vouchers, start=1):
                voucher.number = number
                voucher.to_working_day()
            months.append((year, m, vouchers))

    def find(year, month):
        return next(v for y, m, v in months if (y, m) == (year, month))

    file = "建设社区/建设社区工会账2020-2021.xlsx"
    # an unbalanced voucher
    broken = find(2021, 4)[2]
    account, debit, credit, summary = broken.lines[1]
    broken.lines[1] = (account, debit, credit - 2000, summary)
    planted.append({"rule": "unbalanced-voucher", "period": "2021-04", "voucher": "3", "note": "借方比贷方多 20.00 元"})
    # a number missing: voucher 3 of May is renumbered 4, 5 …
    may = find(2021, 5)
    for voucher in may[2:]:
        voucher.number += 1
    planted.append({"rule": "voucher-number-gap", "period": "2021-05", "voucher": "4", "note": "缺 3 号"})
    # the same number twice in June
    june = find(2021, 6)
    duplicate = pay(dt.date(2021, 6, 28), "组织会员观看红色电影", UNION_ACCOUNTS["活动"], 48000, "银行存款",
                    preparer=UNION_PREPARER, reviewer=UNION_REVIEWER)
    duplicate.number = 2
    june.append(duplicate)
    planted.append({"rule": "voucher-number-duplicate", "period": "2021-06", "voucher": "2", "note": "2 号凭证出现两次"})
    # a voucher without summary
    august = find(2021, 8)[1]
    august.summary = ""
    august.lines = [(a, d, c, "") for a, d, c, _ in august.lines]
    planted.append({"rule": "missing-summary", "period": "2021-08", "voucher": "2", "note": "摘要为空"})
    # no reviewer; reviewed by its preparer
    find(2021, 9)[1].reviewer = ""
    planted.append({"rule": "missing-approval", "period": "2021-09", "voucher": "2", "note": "无审核人"})
    find(2021, 10)[1].reviewer = UNION_PREPARER
    planted.append({"rule": "missing-approval", "period": "2021-10", "voucher": "2", "note": "制单与审核为同一人"})
    # no attachments on a payment
    find(2021, 11)[1].attachments = 0
    planted.append({"rule": "missing-attachments", "period": "2021-11", "voucher": "2", "note": "附件数为 0"})
    for item in planted:
        item["file"] = file
    return months, planted


def write_union(months, path: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "工会账2020-2021"
    sheet.append(["建设社区工会委员会 工会经费收支明细账"])
    sheet.append(["日期", "凭证号", "摘要", "科目", "借方", "贷方", "制单", "审核", "附件数"])
    for year, m, vouchers in months:
        for v in vouchers:
            for i, (account, debit, credit, summary) in enumerate(v.lines):
                first = i == 0
                sheet.append([f"{v.date.year}/{v.date.month}/{v.date.day}" if first else None, v.number if first else None,
                              v.summary if summary is None else summary, account, debit / 100 if debit else None,
                              credit / 100 if credit else None, v.preparer if first else None,
                              v.reviewer if first else None, v.attachments if first else None])
        sheet.append([None, None, f"{year}年{m}月合计"])
    _save(workbook, path)


def main() -> None:
    rng = random.Random(20220908)   # the day the inspection feedback was given
    book2021 = admin_2021(rng)
    book2020 = admin_2020(rng)
    union_months, union_planted = union_book(rng)
    write_yonyou_monthly(book2021, OUT / "建设社区行政账2021.xlsx")
    write_sanzi_export(book2020, OUT / "建设社区行政账2020.xlsx")
    write_union(union_months, OUT / "建设社区工会账2020-2021.xlsx")
    admin_planted = [
        {"rule": "petty-cash-over-limit", "file": "建设社区/建设社区行政账2021.xlsx", "period": "2021-03", "voucher": "记-6",
         "note": "巡察通报：2021年3月6#凭证提取备用金0.25万元"},
        {"rule": "cash-payment", "file": "建设社区/建设社区行政账2021.xlsx", "period": "2021-09", "voucher": "记-18",
         "note": "巡察通报：2021年9月18#凭证现金支付疫情防控物资0.3万元"},
        {"rule": "bulk-goods-distribution", "file": "建设社区/建设社区行政账2021.xlsx", "period": "2021-07",
         "voucher": "记-12", "note": "巡察通报：2021年7月12#凭证支付616个烧水壶1.85万元"},
        {"rule": "union-expense-in-admin-book", "file": "建设社区/建设社区行政账2020.xlsx", "period": "2020-12",
         "voucher": "记-27", "note": "巡察通报：2020年12月27#凭证行政账支付《湖南工人报》156元"},
    ]
    journal_tests = [
        ("holiday-posting", "2021-10", "记-1", "国庆节 2021-10-01 记账"),
        ("duplicate-reimbursement", "2021-02", "记-9", "红星印刷厂 1,280 元印刷费四天内付两次（首次为 记-6）"),
        ("just-under-threshold", "2021-05", "记-12", "装修费 4,860 元，略低于集体决策限额 5,000 元"),
        ("round-amount", "2021-08", "记-6", "银行转账支付疫情防控物资整 5,000 元"),
        ("split-payment", "2021-11", "记-5", "张记五金店材料款分两日支付 3,000 + 2,600 元，合计超过 5,000 元"),
        ("split-payment", "2021-11", "记-6", "同上，第二笔"),
        ("informal-receipt", "2021-12", "记-14", "水管维修费以白条入账"),
    ]
    admin_planted += [{"rule": rule, "file": "建设社区/建设社区行政账2021.xlsx", "period": period, "voucher": voucher,
                       "note": note} for rule, period, voucher, note in journal_tests]
    with open(MANIFEST, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["rule", "file", "period", "voucher", "note"], delimiter="\t")
        writer.writeheader()
        writer.writerows(admin_planted + union_planted)
    print(f"wrote {OUT} and {MANIFEST}")


if __name__ == "__main__":
    main()
