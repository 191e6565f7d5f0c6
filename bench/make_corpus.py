"""Generate benchmark corpora of realistic community/village ledgers (deterministic, cached).

    python bench/make_corpus.py [small|A|B|C ...] [--force]

Corpora (named by size; "lines" are voucher entry lines per workbook, not counting title, header
and subtotal rows):

    small   10 workbooks ×   2,000 lines   (quick checks while developing)
    A       10 workbooks ×  20,000 lines   (200,000 lines)
    B      100 workbooks ×  10,000 lines   (1,000,000 lines: the memory figure)
    C        1 workbook  × 500,000 lines   (one big single-sheet export: the worst case for one file)

Each corpus goes to bench/corpus/<name>/ with a corpus.json stamp holding the parameters; a corpus
whose stamp matches is not regenerated (the stamp is written last, so an interrupted run is redone).
Everything comes from a fixed seed, so the cell contents are the same on every machine.

Layouts (see /work/shared/domain/ledger-formats.md), assigned per workbook:

* "monthly" (用友/金蝶 序时账): one .xlsx per community per year, one sheet per month (1月 … 12月);
  two title rows, header on row 3 — 日期 | 凭证字号 | 摘要 | 科目编码 | 科目名称 | 借方金额 | 贷方金额 |
  制单人 | 审核人 | 附件数; real Excel dates; voucher numbers 记-0006; voucher-level fields (date,
  number, preparer, reviewer, attachments) only on a voucher's first line; 本月合计 and 本年累计 rows
  closing each month.
* "sanzi" (provincial 农村集体"三资" platform export): one sheet per year, title rows, a two-row
  header with 金额 over 借方/贷方, code and name in one cell ("530101 管理费用-办公费"), text
  amounts with thousands separators ("2,500.00"), text dates ("2021.3.6"), voucher numbers "记-6",
  a "3月 本月合计" row after each month.
* union books (工会账, every fifth workbook): the monthly layout with the union chart of accounts
  (职工活动支出, 会费收入 …) and 工会 in the file name and title.

Vouchers are balanced, 2–4 lines, with realistic summaries (办公费, 水电费, 提取备用金, 发放工资,
慰问, 维修, 保洁 …).  Cash is kept under the 2,000 yuan petty-cash limit (withdrawn when low,
deposited back at month end) so that findings come from the planted problems: about one voucher in
400 carries one (withdrawal over the limit, a large cash payment, a union newspaper paid from the
administrative book, no reviewer, no attachments), so the rules and the report have real work.
Vouchers are dated on working days (the State Council's calendar, through chinesecalendar), one
in 500 on a weekend or holiday instead.
Every (community, book, year) appears once in a corpus, so files do not collide with each other.
"""
from __future__ import annotations

import argparse
import functools
import datetime as dt
import json
import random
from pathlib import Path

import openpyxl

HERE = Path(__file__).resolve().parent
CORPUS_DIR = HERE / "corpus"
GENERATOR_VERSION = 3          # bump when the generated content changes: invalidates cached corpora
SEED = 20210306

# name: (workbooks, lines per workbook, layout override or None)
CORPORA = {
    "small": (10, 2_000, None),
    "A": (10, 20_000, None),
    "B": (100, 10_000, None),
    "C": (1, 500_000, "sanzi"),
    # B's district as e-mailed: no file name or title names its unit (每个文件是一个未识别单位).
    "D": (100, 10_000, None),
}
UNNAMED = {"D"}

PLACES = ["建设", "和平", "红旗", "光明", "新华", "胜利", "前进", "幸福", "团结", "东风",
          "向阳", "长青", "民主", "解放", "人民", "复兴", "文化", "育才", "朝阳", "青山"]
ENTITIES = [p + ("村" if i % 3 == 2 else "社区") for i, p in enumerate(PLACES)]
PREPARERS = [("周敏", "刘建国"), ("陈霞", "王志强"), ("李娟", "张德明"), ("王芳", "赵卫东"), ("刘畅", "孙立新")]

CASH = ("1001", "库存现金")
BANK = ("1002", "银行存款")
ADMIN_EXPENSES = [
    # (code, name, summaries, low yuan, high yuan)
    ("530101", "管理费用-办公费", ["支付{m}月办公用品费", "购买打印纸", "购买硒鼓墨盒", "支付办公费"], 80, 1800),
    ("530104", "管理费用-维修费", ["支付办公室空调维修费", "支付路灯维修费", "支付下水道疏通费"], 100, 3000),
    ("530105", "管理费用-印刷费", ["支付宣传资料印刷费", "支付垃圾分类宣传品制作费", "印制居民公约"], 200, 2500),
    ("530106", "管理费用-保洁费", ["支付{m}月保洁服务费", "支付环境卫生整治费"], 800, 4000),
    ("530108", "管理费用-通讯费", ["支付{m}月电话费", "支付宽带费"], 100, 600),
    ("530109", "管理费用-会议费", ["支付居民代表会议场地费", "支付党员大会会务费"], 300, 2000),
]
CASH_EXPENSES = [("530104", "管理费用-维修费", ["现金购买灯泡", "现金支付钥匙配制费", "现金购买五金配件"], 10, 200),
                 ("530111", "管理费用-差旅费", ["现金支付停车费", "报销市内交通费"], 10, 150),
                 ("530101", "管理费用-办公费", ["现金购买签字笔", "现金购买档案袋"], 10, 150)]
UNION_EXPENSES = [("5010101", "职工活动支出-文体活动", ["工会活动室购买乒乓球拍", "组织会员健步走活动", "会员趣味运动会"], 100, 2500),
                  ("5010102", "职工活动支出-会员慰问", ["会员生日慰问（{m}月）", "慰问生病住院会员"], 100, 1500),
                  ("5010201", "业务支出-培训费", ["参加上级工会业务培训", "工会干部培训资料费"], 100, 1200),
                  ("5010301", "行政支出-办公费", ["工会购买办公用品", "支付工会账户管理费"], 30, 500)]
UNION_INCOME = [("4010101", "会费收入", "收到会员{m}月会费", 300, 1200),
                ("4020101", "上级补助收入", "收到上级工会拨付经费", 2000, 8000)]


REST_DAY_SHARE = 0.002          # vouchers dated on a weekend or holiday, as a real office has a few


@functools.cache
def _working_and_rest_days(year: int, month: int) -> tuple[list[int], list[int]]:
    import chinese_calendar
    days = [dt.date(year, month, d) for d in range(1, 29)]
    return ([d.day for d in days if chinese_calendar.is_workday(d)],
            [d.day for d in days if not chinese_calendar.is_workday(d)])


def posting_day(year: int, month: int, day: int, rng: random.Random) -> int:
    """The ``day``-th of 28 steps through the month as a working day (State Council calendar,
    make-up workdays included); REST_DAY_SHARE of vouchers land on a rest day instead."""
    working, rest = _working_and_rest_days(year, month)
    if rest and rng.random() < REST_DAY_SHARE:
        return rng.choice(rest)
    return working[(day - 1) * len(working) // 28]


def _fen(rng: random.Random, low: int, high: int) -> int:
    """An amount in fen between low and high yuan: mostly whole yuan, sometimes with jiao."""
    yuan = rng.randint(low, high)
    return yuan * 100 + (rng.choice((0, 0, 0, 50, 80)) if yuan < 1000 else 0)


def _split(rng: random.Random, total: int, parts: int) -> list[int]:
    """Split `total` fen into `parts` positive whole-yuan-ish pieces summing exactly to total."""
    cuts = sorted(rng.sample(range(1, max(parts, total // 100)), parts - 1))
    pieces = [(b - a) * 100 for a, b in zip([0] + cuts, cuts + [total // 100])]
    pieces[-1] += total - sum(pieces)
    return pieces


class Ledger:
    """Produces one year of vouchers for one book, `lines` entry lines in all, month by month.

    A voucher is (month, day, number, [(code, name, summary, debit fen, credit fen)], flags) with
    flags in {"no_reviewer", "no_attachments"}.  Voucher numbers restart every month."""

    def __init__(self, rng: random.Random, lines: int, union: bool):
        self.rng, self.lines, self.union = rng, lines, union

    def vouchers(self):
        rng, remaining = self.rng, self.lines
        month_sizes = [self.lines // 12 + (1 if m < self.lines % 12 else 0) for m in range(12)]
        cash = 0                                  # cash on hand in fen, carried from month to month
        for month, size in enumerate(month_sizes, start=1):
            budget = min(size, remaining)
            number, produced = 0, 0
            while produced < budget:
                left = budget - produced
                day = min(28, 1 + (produced * 28) // max(1, budget))
                number += 1
                if cash and left <= 5:
                    # close the month: cash back to the bank, so every month (and year) ends at zero
                    entries = [(*BANK, "现金存入银行", cash, 0), (*CASH, "现金存入银行", 0, cash)]
                    if left in (3, 5):
                        entries = self._two_debits(entries, BANK, "现金存入银行", cash)
                    cash = 0
                    yield month, day, number, entries, ()
                    produced += len(entries)
                    continue
                entries, cash_delta, flags = self._voucher(month, cash, left)
                cash += cash_delta
                yield month, day, number, entries, flags
                produced += len(entries)
            remaining -= produced

    def _two_debits(self, entries, account, summary, amount):
        first, second = _split(self.rng, amount, 2) if amount >= 200 else (amount - 1, 1)
        return [(*account, summary, first, 0), (*account, summary, second, 0), entries[1]]

    def _voucher(self, month: int, cash: int, left: int):
        """One voucher of 2–4 lines (never leaving a single line for the month): entries, cash change, flags."""
        rng = self.rng
        size = rng.choices((2, 3, 4), weights=(70, 20, 10))[0]
        if size > left or left - size == 1:
            size = left if left <= 4 else 2
        flags = ()
        roll = rng.random()
        if roll < 0.0025 and left > 6:            # planted problems, about one voucher in 400
            return self._problem(month, cash, size)
        if roll < 0.0040:
            flags = ("no_reviewer",)
        elif roll < 0.0055:
            flags = ("no_attachments",)
        if self.union:
            return self._union_voucher(month, size), 0, flags
        if cash < 30000 and left > 6 and rng.random() < 0.15:
            amount = rng.randint(10, 16) * 10000   # 1,000–1,600 yuan: cash stays under the 2,000 yuan limit
            entries = [(*CASH, "提取备用金", amount, 0), (*BANK, "提取备用金", 0, amount)]
            return self._grow(entries, size), amount, flags
        if cash > 3000 and left > 6 and rng.random() < 0.35:
            code, name, summaries, low, high = rng.choice(CASH_EXPENSES)
            amount = min(cash, _fen(rng, low, high))
            summary = rng.choice(summaries)
            entries = [(code, name, summary, amount, 0), (*CASH, summary, 0, amount)]
            return self._grow(entries, size), -amount, flags
        if size >= 3 and rng.random() < 0.3:
            if rng.random() < 0.5:
                gross = _fen(rng, 8000, 30000)
                tax = gross // 100 * rng.randint(2, 5)
                social = gross // 100 * 10
                summary = f"发放{month}月社区工作者工资"
                entries = [("530102", "管理费用-工资", summary, gross, 0), (*BANK, summary, 0, gross - social - tax),
                           ("224101", "其他应付款-代扣社保", summary, 0, social)]
                if size == 4:
                    entries.append(("222101", "应交税费-代扣个人所得税", summary, 0, tax))
                else:
                    entries[1] = (*BANK, summary, 0, gross - social)
                return entries, 0, flags
            summary = f"支付{month}月水电费"
            water, power = _fen(rng, 50, 400), _fen(rng, 200, 1500)
            entries = [("530103", "管理费用-水电费", summary, water, 0), ("530103", "管理费用-水电费", summary, power, 0),
                       (*BANK, summary, 0, water + power)]
            if size == 4:
                gas = _fen(rng, 50, 300)
                entries.insert(2, ("530103", "管理费用-水电费", summary, gas, 0))
                entries[-1] = (*BANK, summary, 0, water + power + gas)
            return entries, 0, flags
        if rng.random() < 0.08:
            summary = rng.choice(["春节走访慰问困难群众", "重阳节慰问高龄老人", "慰问低保户", "七一走访慰问老党员"])
            amount = _fen(rng, 500, 3000)
            entries = [("540101", "公益支出-慰问", summary, amount, 0), (*BANK, summary, 0, amount)]
            return self._grow(entries, size), 0, flags
        if rng.random() < 0.05:
            amount = _fen(rng, 5000, 50000)
            summary = rng.choice(["收到街道拨付社区办公经费", "收到财政补助资金", "收到党组织服务群众经费"])
            entries = [(*BANK, summary, amount, 0), ("410101", "收入-补助收入", summary, 0, amount)]
            return self._grow(entries, size), 0, flags
        code, name, summaries, low, high = rng.choice(ADMIN_EXPENSES)
        summary = rng.choice(summaries).format(m=month)
        amount = _fen(rng, low, high)
        return self._grow([(code, name, summary, amount, 0), (*BANK, summary, 0, amount)], size), 0, flags

    def _grow(self, entries, size):
        """Split the first (debit) line so a 2-line voucher becomes `size` lines, still balanced."""
        if size <= 2:
            return entries
        code, name, summary, amount, _ = entries[0]
        if amount < size * 100:
            amount_parts = [amount - (size - 2)] + [1] * (size - 2)
        else:
            amount_parts = _split(self.rng, amount, size - 1)
        return [(code, name, summary, part, 0) for part in amount_parts] + entries[1:]

    def _union_voucher(self, month: int, size: int):
        rng = self.rng
        if rng.random() < 0.15:
            code, name, summary, low, high = rng.choice(UNION_INCOME)
            summary = summary.format(m=month)
            amount = _fen(rng, low, high)
            return self._grow([(*BANK, summary, amount, 0), (code, name, summary, 0, amount)], size)
        code, name, summaries, low, high = rng.choice(UNION_EXPENSES)
        summary = rng.choice(summaries).format(m=month)
        amount = _fen(rng, low, high)
        return self._grow([(code, name, summary, amount, 0), (*BANK, summary, 0, amount)], size)

    def _problem(self, month: int, cash: int, size: int):
        rng = self.rng
        kind = rng.choice(("petty", "cash", "union") if not self.union else ("no_reviewer", "no_attachments"))
        if kind == "cash" and cash < 120000:
            kind = "petty"                        # not enough cash on hand to pay over 1,000 yuan in cash
        if kind == "petty":
            amount = rng.randint(30, 60) * 10000     # 3,000–6,000 yuan withdrawn at once
            entries = [(*CASH, "提取备用金", amount, 0), (*BANK, "提取备用金", 0, amount)]
            return self._grow(entries, size), amount, ()
        if kind == "cash":
            summary = rng.choice(["现金支付会议室空调维修费", "现金支付活动场地租金", "现金购买办公桌椅"])
            amount = cash
            return self._grow([("530104", "管理费用-维修费", summary, amount, 0), (*CASH, summary, 0, amount)], size), -amount, ()
        if kind == "union":
            summary = rng.choice(["订阅《湖南工人报》", "订阅《工人日报》", "支付工会会员活动场地费", "职工之家购买书架"])
            amount = _fen(rng, 150, 800)
            return self._grow([("530101", "管理费用-办公费", summary, amount, 0), (*BANK, summary, 0, amount)], size), 0, ()
        code, name, summaries, low, high = rng.choice(UNION_EXPENSES)
        summary = rng.choice(summaries).format(m=month)
        amount = _fen(rng, low, high)
        return self._grow([(code, name, summary, amount, 0), (*BANK, summary, 0, amount)], size), 0, (kind,)


def _fixed_properties(workbook: openpyxl.Workbook, year: int) -> None:
    stamp = dt.datetime(year + 1, 1, 5, 9, 30)
    workbook.properties.creator = "财务软件导出"
    workbook.properties.created = stamp
    workbook.properties.modified = stamp


def write_monthly(path: Path, entity: str, year: int, lines: int, rng: random.Random, union: bool) -> None:
    """用友-style 序时账: one sheet per month, header on row 3, 本月合计/本年累计 rows."""
    workbook = openpyxl.Workbook(write_only=True)
    _fixed_properties(workbook, year)
    preparer, reviewer = rng.choice(PREPARERS)
    title = f"{entity}工会委员会 工会经费序时账" if union else \
        f"{entity}{'村民委员会' if entity.endswith('村') else '居民委员会'}序时账"
    sheet, month_now, month_total, year_total = None, 0, 0, 0

    def close(sheet, month_total, year_total):
        amount = month_total / 100
        sheet.append([None, None, "本月合计", None, None, amount, amount, None, None, None])
        sheet.append([None, None, "本年累计", None, None, year_total / 100, year_total / 100, None, None, None])

    for month, day, number, entries, flags in Ledger(rng, lines, union).vouchers():
        if month != month_now:
            if sheet is not None:
                close(sheet, month_total, year_total)
            sheet = workbook.create_sheet(f"{month}月")
            sheet.append([title])
            sheet.append([f"会计年度：{year}年", None, None, None, f"期间：{month}月", None, None, "单位：元"])
            sheet.append(["日期", "凭证字号", "摘要", "科目编码", "科目名称", "借方金额", "贷方金额", "制单人", "审核人", "附件数"])
            month_now, month_total = month, 0
        date = dt.date(year, month, posting_day(year, month, day, rng))
        for i, (code, name, summary, debit, credit) in enumerate(entries):
            if i == 0:
                sheet.append([date, f"记-{number:04d}", summary, code, name, debit / 100 if debit else None,
                              credit / 100 if credit else None, preparer,
                              None if "no_reviewer" in flags else reviewer,
                              0 if "no_attachments" in flags else rng.randint(1, 4)])
            else:
                sheet.append([None, None, summary, code, name, debit / 100 if debit else None,
                              credit / 100 if credit else None, None, None, None])
            month_total += debit
            year_total += debit
    if sheet is not None:
        close(sheet, month_total, year_total)
    workbook.save(path)


def _text_amount(fen: int) -> str | None:
    return f"{fen / 100:,.2f}" if fen else None


def write_sanzi(path: Path, entity: str, year: int, lines: int, rng: random.Random, union: bool) -> None:
    """"三资" platform export: one sheet, two-row header, code+name in one cell, text amounts and dates."""
    workbook = openpyxl.Workbook(write_only=True)
    _fixed_properties(workbook, year)
    preparer, reviewer = rng.choice(PREPARERS)
    sheet = workbook.create_sheet(f"{year}年凭证明细")
    sheet.append([f"{entity} 村（居）集体经济组织会计凭证明细表"])
    unit = f"{entity}{'村民委员会' if entity.endswith('村') else '居民委员会'}"
    sheet.append([f"核算单位：{unit}", None, None, None, None, None, "单位：元"])
    sheet.append(["日期", "凭证号", "摘要", "会计科目", "金额", None, "制单", "审核", "附件"])
    sheet.append([None, None, None, None, "借方", "贷方", None, None, None])
    month_now, month_total = 0, 0
    for month, day, number, entries, flags in Ledger(rng, lines, union).vouchers():
        if month != month_now:
            if month_now:
                total = _text_amount(month_total)
                sheet.append([None, None, f"{month_now}月 本月合计", None, total, total, None, None, None])
            month_now, month_total = month, 0
        posted = posting_day(year, month, day, rng)
        for i, (code, name, summary, debit, credit) in enumerate(entries):
            if i == 0:
                sheet.append([f"{year}.{month}.{posted}", f"记-{number}", summary, f"{code} {name}", _text_amount(debit),
                              _text_amount(credit), preparer, None if "no_reviewer" in flags else reviewer,
                              0 if "no_attachments" in flags else rng.randint(1, 4)])
            else:
                sheet.append([None, None, summary, f"{code} {name}", _text_amount(debit), _text_amount(credit),
                              None, None, None])
            month_total += debit
    if month_now:
        total = _text_amount(month_total)
        sheet.append([None, None, f"{month_now}月 本月合计", None, total, total, None, None, None])
    workbook.save(path)


def plan(name: str) -> list[dict]:
    """The workbooks of a corpus: file name, community, book, year, layout — each (community, book, year) once."""
    files, lines, layout_override = CORPORA[name]
    out = []
    for i in range(files):
        entity = ENTITIES[i % len(ENTITIES)]
        year = 2021 - (i // len(ENTITIES)) % 8
        union = i % 5 == 4
        layout = layout_override or ("monthly" if union or i % 3 != 1 else "sanzi")
        book = "工会账" if union else "行政账"
        if name in UNNAMED:
            out.append({"file": f"{i:03d}-{'工会' if union else ''}序时账{year}.xlsx", "entity": "", "year": year,
                        "union": union, "layout": layout, "lines": lines, "key": i})
            continue
        out.append({"file": f"{i:03d}-{entity}{book}{year}.xlsx", "entity": entity, "year": year,
                    "union": union, "layout": layout, "lines": lines})
    keys = [(p["entity"], p["union"], p["year"], p.get("key")) for p in out]
    assert len(set(keys)) == len(keys), "two workbooks for the same community, book and year"
    return out


def spec(name: str) -> dict:
    files, lines, layout = CORPORA[name]
    return {"name": name, "files": files, "lines_per_file": lines, "layout": layout,
            "seed": SEED, "generator_version": GENERATOR_VERSION}


def make(name: str, force: bool = False, quiet: bool = False) -> Path:
    """Build corpus `name` under bench/corpus/<name>/ unless an identical one is already there."""
    folder = CORPUS_DIR / name
    stamp = folder / "corpus.json"
    wanted = spec(name)
    if not force and stamp.exists():
        try:
            if json.loads(stamp.read_text(encoding="utf-8")).get("spec") == wanted:
                return folder
        except (ValueError, OSError):
            pass
    folder.mkdir(parents=True, exist_ok=True)
    if stamp.exists():
        stamp.unlink()
    for old in folder.glob("*.xlsx"):
        old.unlink()
    started = dt.datetime.now()
    workbooks = plan(name)
    for i, item in enumerate(workbooks):
        rng = random.Random(f"{SEED}-{name}-{i}")
        writer = write_monthly if item["layout"] == "monthly" else write_sanzi
        writer(folder / item["file"], item["entity"], item["year"], item["lines"], rng, item["union"])
        if not quiet:
            print(f"  [{name}] {i + 1}/{len(workbooks)} {item['file']}", flush=True)
    seconds = (dt.datetime.now() - started).total_seconds()
    stamp.write_text(json.dumps({"spec": wanted, "workbooks": workbooks, "generated_in_s": round(seconds, 1)},
                                ensure_ascii=False, indent=1), encoding="utf-8")
    return folder


def files_of(name: str) -> list[Path]:
    folder = CORPUS_DIR / name
    return [folder / item["file"] for item in plan(name)]


def main() -> None:
    parser = argparse.ArgumentParser(description="Generate benchmark corpora (cached in bench/corpus/).")
    parser.add_argument("corpora", nargs="*", default=["small"], choices=[*CORPORA, "all"])
    parser.add_argument("--force", action="store_true", help="regenerate even if a matching corpus is present")
    args = parser.parse_args()
    names = list(CORPORA) if "all" in args.corpora else args.corpora
    for name in names:
        print(make(name, force=args.force))


if __name__ == "__main__":
    main()
