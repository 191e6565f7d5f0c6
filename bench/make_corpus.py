"""Generate benchmark corpora of realistic ledgers (deterministic, cached in bench/corpus/).

    python bench/make_corpus.py [small|A|B|C ...]

small: 10 workbooks × 2,000 lines (a quick check)   A: 10 workbooks × 20,000 lines
B: 100 workbooks × 10,000 lines (1,000,000 lines)   C: 1 workbook × 500,000 lines

Two export layouts alternate by workbook: a 用友-style book with one sheet per month (title rows,
voucher fields on a voucher's first line only, 本月合计/本年累计 rows, real dates, code and name in
separate columns) and a "三资"-style export with one sheet, a two-row header (金额 over 借方/贷方),
年/月/日 columns, "541 管理费用-办公费" in one cell and text amounts with thousands separators.
About one voucher in 500 carries a problem (a withdrawal over the limit, a cash payment, a union
paper in the administrative book), so the report has real work to do.
"""
from __future__ import annotations

import json
import random
import sys
from pathlib import Path

import openpyxl

HERE = Path(__file__).resolve().parent
CORPORA = {"small": (10, 2_000), "A": (10, 20_000), "B": (100, 10_000), "C": (1, 500_000)}
NAMES = ["建设", "和平", "红旗", "光明", "新华", "胜利", "前进", "幸福", "团结", "东风"]
EXPENSES = [("5301", "541", "管理费用-办公费", "支付办公用品费"), ("5302", "542", "管理费用-水电费", "支付水电费"),
            ("5303", "543", "管理费用-维修费", "支付维修费"), ("5304", "544", "管理费用-印刷费", "支付宣传资料印刷费"),
            ("5305", "545", "管理费用-活动经费", "支付社区活动经费"), ("5306", "546", "管理费用-保洁费", "支付保洁费")]
BANK, CASH = ("1002", "102", "银行存款"), ("1001", "101", "库存现金")
PROBLEMS = [("提取备用金", CASH, BANK, 260000), ("现金支付疫情防控物资", ("5307", "547", "管理费用-疫情防控"), CASH, 300000),
            ("订阅《湖南工人报》", ("5308", "548", "管理费用-报刊费"), BANK, 15600)]


def vouchers(lines: int, rng: random.Random):
    """(month, day, number, summary, [(account, debit fen, credit fen)]) until `lines` lines."""
    produced, per_month = 0, max(1, lines // 12)
    month, number, in_month = 1, 0, 0
    while produced < lines:
        if in_month >= per_month and month < 12:
            month, number, in_month = month + 1, 0, 0
        number += 1
        if rng.random() < 0.002:
            summary, debit, credit, fen = rng.choice(PROBLEMS)
        else:
            code, village, name, summary = rng.choice(EXPENSES)
            debit, credit, fen = (code, village, name), BANK, rng.randint(50, 900) * 100 + rng.choice((0, 50))
        yield month, min(28, 1 + number % 28), number, summary, [(debit, fen, 0), (credit, 0, fen)]
        produced += 2
        in_month += 2


def write_monthly(path: Path, entity: str, lines: int, rng: random.Random) -> None:
    workbook = openpyxl.Workbook(write_only=True)
    sheets, totals = {}, {}
    for month, day, number, summary, entries in vouchers(lines, rng):
        if month not in sheets:
            sheet = workbook.create_sheet(f"{month}月")
            sheet.append([f"{entity}居民委员会序时账"])
            sheet.append(["会计年度：2021年", None, None, None, "单位：元"])
            sheet.append(["日期", "凭证字号", "摘要", "科目编码", "科目名称", "借方金额", "贷方金额", "制单人", "审核人", "附件数"])
            sheets[month], totals[month] = sheet, 0
        sheet = sheets[month]
        for i, (account, debit, credit) in enumerate(entries):
            first = i == 0
            sheet.append([f"2021-{month:02d}-{day:02d}" if first else None, f"记-{number:04d}" if first else None, summary,
                          account[0], account[2], debit / 100 if debit else None, credit / 100 if credit else None,
                          "周敏" if first else None, "刘建国" if first else None, 1 if first else None])
            totals[month] += debit
    for month, sheet in sheets.items():
        sheet.append([None, None, "本月合计", None, None, totals[month] / 100, totals[month] / 100])
    workbook.save(path)


def write_sanzi(path: Path, entity: str, lines: int, rng: random.Random) -> None:
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("凭证明细")
    sheet.append([f"{entity} 村（居）集体经济组织会计凭证明细表"])
    sheet.append(["年", "月", "日", "凭证字", "凭证号", "摘要", "会计科目", "金额", None, "制单", "审核", "附件"])
    sheet.append([None, None, None, None, None, None, None, "借方", "贷方", None, None, None])
    last_month = 1
    for month, day, number, summary, entries in vouchers(lines, rng):
        if month != last_month:
            sheet.append([None, None, None, None, None, f"{last_month}月 本月合计"])
            last_month = month
        for i, (account, debit, credit) in enumerate(entries):
            first = i == 0
            sheet.append([2021 if first else None, month if first else None, day if first else None, "记" if first else None,
                          number if first else None, summary, f"{account[1]} {account[2]}",
                          f"{debit / 100:,.2f}" if debit else "", f"{credit / 100:,.2f}" if credit else "",
                          "周敏" if first else None, "刘建国" if first else None, 1 if first else None])
    workbook.save(path)


def make(name: str) -> Path:
    files, lines = CORPORA[name]
    folder = HERE / "corpus" / name
    stamp = folder / "corpus.json"
    spec = {"files": files, "lines": lines, "version": 1}
    if stamp.exists() and json.loads(stamp.read_text()) == spec:
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.xlsx"):
        old.unlink()
    rng = random.Random(f"{name}-{files}-{lines}")
    for i in range(files):
        entity = f"{NAMES[i % len(NAMES)]}社区" if i % 3 else f"{NAMES[i % len(NAMES)]}村"
        writer = write_monthly if i % 2 == 0 else write_sanzi
        writer(folder / f"{i:03d}-{entity}行政账2021.xlsx", entity, lines, rng)
    stamp.write_text(json.dumps(spec))
    return folder


if __name__ == "__main__":
    for corpus in sys.argv[1:] or ["small"]:
        print(make(corpus))
