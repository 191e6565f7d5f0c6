"""The policy file (TOML): every threshold, keyword list and reading hint a locality may change.

Layout::

    [reading]            header_search_rows, extra header synonyms, subtotal words, book words
    [[reading.sources]]  pattern = "*工会*"  entity = "建设社区"  book = "union"
    [accounts.names]     cash = ["零钱"] …   (extra account names per class)
    [accounts.code_prefixes]
    [rules.<rule-id>]    enabled = true, and the rule's options
    [[overrides]]        entity = "…" / book = "union", opening_cash_yuan = …, then
                         [overrides.rules.<rule-id>] options

Every value is checked against its declaration (``voucher_checker.options``): the reading options
below, each rule's ``OPTIONS``.  A value that does not fit is a ``PolicyError``: one Chinese
sentence naming the file, the section, the option and what was written.  The rule options are
checked when the rules are known (``prepare_rules``), the rest when the file is loaded.
"""
from __future__ import annotations

import fnmatch
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from .fields import ACCOUNT_CLASSES, BOOK_LABELS, BOOKS, SUBTOTAL_MARKERS
from .options import (ACCOUNT_CLASS_LABELS, Count, FieldWords, Flag, Number, Option, OptionValueError, Words,
                      Yuan, defaults_of, spaced, toml_key, toml_text, written)

READING_OPTIONS: dict[str, Option] = {
    "header_search_rows": Count(30, maximum=1000, help="在前多少行内查找表头行。来源：本工具约定；导出文件的标题一般不超过 10 行。"),
    "union_book_words": Words(["工会"], help="单位列、标题、工作表名、文件名或文件夹中出现这些词，即认定为工会账；"
                              "没有工会、党费账标志的账按行政账处理。来源：常见账套命名。"),
    "party_book_words": Words(["党费", "党组织工作经费"], help="出现这些词即认定为党费账。来源：常见账套命名。"),
    "admin_book_words": Words(["行政", "社区账", "村账"],
        help="行政账的明确标志；出现在比工会/党费标志更具体的位置时，视为相互矛盾（账套未识别）。来源：常见账套命名。"),
    "admin_unit_words": Words(["居民委员会", "村民委员会", "居委会", "村委会", "村集体", "经济合作社", "经济联合社",
                               "集体", "经费账"],
        help="记行政账的委员会和集体经济组织的名称，出现即确认为行政账（不与工会标志矛盾）。来源：常见单位名称。"),
    "entity_suffixes": Words(["社区", "村", "街道", "镇", "乡", "居民委员会", "村民委员会", "居委会", "村委会",
                              "股份经济合作社", "经济合作社", "经济联合社", "有限责任公司", "股份有限公司", "有限公司",
                              "公司", "小学", "中学", "学校", "幼儿园", "卫生院", "医院", "协会", "学会", "商会",
                              "基金会", "联合会", "合作社"],
        help="单位名称的结尾词：依次从单位列（核算账簿名称等）、标题、工作表名、文件名、文件夹中识别单位；都识别不到时，"
             "该文件按单独的单位处理（未识别单位（文件名）），不与其他文件合并。来源：行政区划和单位名称。"),
    "entity_stop_words": Words(["农村", "乡村", "城乡", "乡镇", "城镇", "村镇", "全村", "本村", "各村", "该村", "行政村",
                                "自然村", "新农村", "本社区", "各社区", "全社区", "该社区", "城市社区", "农村社区",
                                "各乡镇", "本镇", "全镇", "本公司", "分公司", "子公司", "总公司", "母公司"],
        help="看似单位名称但不是的词。来源：本工具约定。"),
    "cash_journal_words": Words(["现金日记账", "现金日记", "现金账", "库存现金", "现金"],
        help="日记账（有对方科目、没有科目列的账页）的本账户为库存现金：标题、工作表名或文件名中出现这些词。来源：常见账簿名称。"),
    "bank_journal_words": Words(["银行存款日记账", "银行日记账", "银行存款", "银行账", "银行"],
        help="日记账的本账户为银行存款：标题、工作表名或文件名中出现这些词（先于现金判断）。来源：常见账簿名称。"),
    "subtotal_markers": Words(list(SUBTOTAL_MARKERS),
        help="合计、累计、结转等非分录行的标志词（出现在摘要开头时该行不计入分录，但会在报告中计数）。来源：常见财务软件导出格式。"),
    "header_synonyms": FieldWords({},
        help="追加表头同义词，例如 header_synonyms = { summary = [\"业务说明\"], debit = [\"借方金额(元)\"] }。"
             "来源：本地导出文件的列名。"),
    # Untrusted files: refuse a workbook whose parts unpack to more than this, or whose sheet
    # claims more cells than this, before reading it.  Real ledgers stay far below both.
    "max_uncompressed_mb": Number(500, unit="MB",
        help="安全限制：工作簿解压后超过此大小时拒绝读取（防止恶意文件耗尽内存）。来源：本工具约定，真实账簿远小于此。"),
    "max_sheet_cells": Count(50_000_000,
        help="安全限制：工作表声明的单元格数超过此值时拒绝读取。来源：本工具约定，真实账簿远小于此。"),
}
READING_DEFAULTS = defaults_of(READING_OPTIONS)

SECTIONS = ("reading", "accounts", "rules", "overrides")
SOURCE_KEYS = ("pattern", "entity", "book")
# Facts of a unit's books, written once in its [[overrides]] and given to every rule that
# declares an option of that name (the override's own [overrides.rules.<id>] still wins): the
# cash on hand when the ledger starts is one number, whichever cash rule uses it.
UNIT_FACTS: dict[str, Option] = {
    "opening_cash_yuan": Yuan("", optional=True,
        help="该单位账簿起始时的库存现金余额（元），对使用期初现金的规则（超限额提取备用金、库存现金出现负数、"
             "坐支现金）同时有效。来源：总账或现金日记账的期初余额。"),
}
OVERRIDE_KEYS = ("entity", "book", "rules", *UNIT_FACTS)


class PolicyError(ValueError):
    """The policy file cannot be used; the message says where and why, in Chinese."""


@dataclass
class Policy:
    path: str | None = None
    reading: dict = field(default_factory=lambda: defaults_of(READING_OPTIONS))
    sources: list[dict] = field(default_factory=list)
    account_names: dict[str, list[str]] = field(default_factory=dict)
    account_prefixes: dict[str, list[str]] = field(default_factory=dict)
    rules: dict[str, dict] = field(default_factory=dict)
    overrides: list[dict] = field(default_factory=list)

    @property
    def named(self) -> str:
        return f"策略文件 {self.path}" if self.path else "策略"

    def source_hint(self, path: str) -> dict:
        """entity/book that the policy sets for a file path (later patterns win)."""
        hint: dict = {}
        normalised = path.replace("\\", "/")
        for source in self.sources:
            pattern = source.get("pattern", "")
            if fnmatch.fnmatch(normalised, pattern) or fnmatch.fnmatch(Path(normalised).name, pattern):
                hint.update({k: v for k, v in source.items() if k in ("entity", "book")})
        return hint

    def apply_to_rules(self, rules: list) -> None:
        """Put the policy's options and enabled flags onto discovered rules, each value checked."""
        known = {r.id for r in rules}
        unknown = [rid for rid in self.rules if rid not in known]
        if unknown:
            raise PolicyError(f"{self.named} 中有不存在的规则编号：{_keys(unknown)}（可用 voucher-check rules 查看全部规则）。")
        for rule in rules:
            where = f"[rules.{rule.id}]"
            settings = self._rule_settings(rule, self.rules.get(rule.id, {}), where, weight=True)
            rule.enabled = rule.enabled_default = settings.pop("enabled", True)
            rule.weight = settings.pop("weight", rule.default_weight)
            rule.options = {**defaults_of(rule.declared), **settings}

    def _rule_settings(self, rule, settings, where: str, weight: bool = False) -> dict:
        """The settings of one rule section, each checked against the rule's declaration.
        ``weight`` (the rule's weight in the risk score) is one for all units: only [rules.<id>]."""
        if not isinstance(settings, Mapping):
            raise PolicyError(f"{self.named} 中 {where} 应为一节选项（如 {where} 下一行写 enabled = true），{_wrote(settings)}。")
        if not weight and "weight" in settings:
            raise PolicyError(f"{self.named} 中 {where} 不能写 weight：风险分权重对所有单位相同，"
                              f"请写在 [rules.{rule.id}] 中。")
        unknown = [k for k in settings if k not in rule.declared and k not in ("enabled", "weight")]
        if unknown:
            raise PolicyError(f"{self.named} 中 {where} 有未知选项：{_keys(unknown)}；"
                              f"规则 {rule.id} 的选项为：{', '.join(rule.declared) or '无'}。")
        checked = {}
        for name, value in settings.items():
            option = {"enabled": ENABLED, "weight": WEIGHT}.get(name) or rule.declared[name]
            checked[name] = self._checked(option, value, where, name, f"（规则“{rule.title}”）")
        return checked

    def _checked(self, option: Option, value, where: str, name: str, owner: str = ""):
        try:
            return option.check(value)
        except OptionValueError as exc:
            raise PolicyError(_refusal(f"{self.named} 中 {where} 的 {name}{owner}", exc.expected, value, exc.hint)) from None

    def options_for(self, rule, entity: str, book: str) -> dict:
        """Options in force for one entity and book: the rule's, then matching overrides in order."""
        options = {"enabled": rule.enabled_default, **rule.options}
        for override in self.overrides:
            if override.get("entity") not in (None, entity) or override.get("book") not in (None, book):
                continue
            options.update(_unit_facts(override, rule))
            options.update(override.get("rules", {}).get(rule.id, {}))
        return options

    def settings_by_unit(self, rule) -> list[tuple[int, str | None, str | None, dict]]:
        """(number, entity, book, settings) of each [[overrides]] entry that changes ``rule``:
        its own lines and the unit facts the rule declares."""
        found = []
        for number, override in enumerate(self.overrides, start=1):
            settings = {**_unit_facts(override, rule), **override.get("rules", {}).get(rule.id, {})}
            if settings:
                found.append((number, override.get("entity"), override.get("book"), settings))
        return found

    @property
    def file_name(self) -> str:
        """The policy file's name without its folders (the web page keeps where it stored it to itself)."""
        return Path(self.path).name if self.path else ""

    def unmatched_overrides(self, units: set[tuple[str, str]]) -> list[str]:
        """A sentence for each [[overrides]] entry that names an entity or book no unit read has:
        a name written differently from the one the reader found (幸福社区居委会 for 幸福社区)
        would otherwise change nothing without a word.  Nothing when no line was read (that is
        said already)."""
        notes = []
        if not units:
            return notes
        entities = sorted({entity for entity, _ in units if entity})
        for number, override in enumerate(self.overrides, start=1):
            entity, book = override.get("entity"), override.get("book")
            if entity is None and book is None:
                continue
            if any(entity in (None, e) and book in (None, b) for e, b in units):
                continue
            named = "、".join(part for part in (f'entity = "{entity}"' if entity is not None else "",
                                               f'book = "{book}"' if book is not None else "") if part)
            found = "、".join(entities[:8]) + (f" 等 {len(entities)} 个" if len(entities) > 8 else "")
            notes.append(f"{f'策略文件 {self.file_name}' if self.path else '策略'} 中第 {number} 项 [[overrides]]（{named}）"
                         "与读取到的单位和账套都对不上，"
                         f"本次未生效；读取到的单位：{found or '无'}。单位名称须与报告中的写法一致。")
        return notes

    def enabled_for(self, rule, entity: str, book: str) -> bool:
        """Whether ``rule`` ran for one entity and book: never when the command line left it out,
        otherwise as [rules.<id>] and the [[overrides]] matching that unit say."""
        return rule.enabled and self.options_for(rule, entity, book)["enabled"]


def _unit_facts(override: dict, rule) -> dict:
    """The unit facts an override gives that ``rule`` takes (it declares an option of the name)."""
    return {name: override[name] for name in UNIT_FACTS if name in override and name in rule.declared}


def override_units(entity: str | None, book: str | None) -> str:
    """An override's units as a reader says them: 和平村、工会账, or 全部单位."""
    return "、".join(part for part in (entity if entity is not None else "全部单位",
                                      BOOK_LABELS.get(book, book) if book is not None else "") if part)


def override_settings_text(settings: dict, shown) -> str:
    """What an override sets for a rule: 启用 or 停用, then name = value (``shown`` writes a value)."""
    return "；".join(("启用" if value else "停用") if name == "enabled" else f"{name} = {shown(value)}"
                    for name, value in settings.items())


ENABLED = Flag(True, help="为 false 时不运行该规则。")
WEIGHT = Number(30, help="该规则在风险分中的权重（0–100）：一张凭证的风险分为其触发规则的权重之和（最高 100）；"
                         "30 分起为中风险，50 分起为高风险。来源：默认按严重程度，高 50、中 30、低 15。",
                minimum=0, maximum=100)


def _keys(names) -> str:
    """Names from the file as they would be written there (quoted when they need it)."""
    return "、".join(toml_key(str(name)) for name in names)


def _wrote(value) -> str:
    return spaced("写的是", written(value))


def _refusal(subject: str, expected: str, value, hint: str = "") -> str:
    """One sentence: what the option should be, what was written, how to write it."""
    return f"{spaced(spaced(subject, '应为'), expected)}，{_wrote(value)}{hint}。"


# ---------------------------------------------------------------- reading the file

_TOML_REASONS = (
    ("Expected newline or end of document after a statement", "一行只能写一项“名称 = 值”，值的后面多出了内容"),
    ("Invalid value", "等号后面的值无法识别"),
    ("Illegal character", "有不允许出现的字符（常见原因：文字的引号没有闭合）"),
    ("Expected ']' at the end of a table declaration", "节名缺少右方括号 ]"),
    ("Expected ']]' at the end of an array declaration", "节名缺少右方括号 ]]"),
    ("Cannot overwrite a value", "同一个名称写了两次"),
    ("Cannot declare", "同一节写了两次"),
    ("Unclosed array", "列表的方括号 [ 没有闭合"),
    ("Unclosed inline table", "花括号 { 没有闭合"),
    ("Invalid statement", "这一行不是“名称 = 值”的格式"),
    ("Expected '=' after a key in a key/value pair", "名称后面缺少等号 =（名称中不能有空格）"),
    ("Unterminated string", "引号没有闭合"),
    ("Unescaped '\\' in a string", "双引号内的反斜杠 \\ 要写成 \\\\（或改用单引号）"),
    ("Invalid initial character for a key part", "名称以不允许的字符开头"),
    ("Invalid date or datetime", "日期写法有误"),
)


def _toml_hint(line: str) -> str:
    """What usually went wrong on such a line."""
    value = line.partition("=")[2].strip()
    if re.search(r"[“”‘’]", line):
        return "；文字请用英文双引号 \" \""
    if re.search(r"[＝：]", line) and "=" not in line:
        return "；请用英文等号 ="
    if re.fullmatch(r"[-+]?\d{1,3}(,\d{3})+(\.\d+)?", value):
        return f"；数字不能写千位逗号，应写成 {line.partition('=')[0].strip()} = {value.replace(',', '')}"
    if value and not value.startswith(("\"", "'", "[", "{")) and re.search(r"[^\d.+\-_eE:TZ ]", value) \
            and value not in ("true", "false", "inf", "nan", "+inf", "-inf"):
        return "；文字要加英文双引号，数字只写阿拉伯数字（不写“千”“万”）"
    return ""


def _toml_problem(path: Path, text: str, exc: tomllib.TOMLDecodeError) -> str:
    message = str(exc)
    where = re.search(r"\(at line (\d+), column (\d+)\)$", message)
    reason_en = re.sub(r"\s*\(at (line \d+, column \d+|end of document)\)$", "", message)
    reason = next((zh for en, zh in _TOML_REASONS if reason_en.startswith(en)), f"格式有误（{reason_en}）")
    if where is None:
        return f"策略文件 {path} 在文件末尾格式有误：{reason}。"
    number = int(where.group(1))
    lines = text.splitlines()
    line = lines[number - 1].strip() if number <= len(lines) else ""
    shown = f"：{line}" if line else ""
    return f"策略文件 {path} 第 {number} 行格式有误：{reason}{shown}{_toml_hint(line)}。"


def _section(data: dict, key: str, policy: Policy, expected: str = "一节") -> dict:
    value = data.get(key, {})
    if not isinstance(value, Mapping):
        raise PolicyError(f"{policy.named} 中 [{key}] 应为{expected}，{_wrote(value)}。")
    return value


def _list_of_tables(value, where: str, policy: Policy) -> list[dict]:
    if not isinstance(value, list) or not all(isinstance(item, Mapping) for item in value):
        raise PolicyError(f"{policy.named} 中 {where} 应写成一项或多项 {where} 节，{_wrote(value)}。")
    return [dict(item) for item in value]


def _text(value, where: str, name: str, policy: Policy, required: bool = False) -> str:
    if not isinstance(value, str) or (required and not value.strip()):
        raise PolicyError(f"{policy.named} 中 {where} 的 {name} 应为加英文双引号的文字，{_wrote(value)}。")
    return value


def _book(value, where: str, policy: Policy) -> str:
    if not isinstance(value, str) or value not in BOOKS:
        names = "、".join(f"\"{b}\"（{BOOK_LABELS[b]}）" for b in BOOKS)
        raise PolicyError(f"{policy.named} 中 {where} 的 book 应为 {names} 之一，{_wrote(value)}。")
    return value


def _read_sources(reading: Mapping, policy: Policy) -> list[dict]:
    where = "[[reading.sources]]"
    sources = _list_of_tables(reading.get("sources", []), where, policy)
    for number, source in enumerate(sources, start=1):
        at = f"第 {number} 项 {where}"
        unknown = [k for k in source if k not in SOURCE_KEYS]
        if unknown:
            raise PolicyError(f"{policy.named} 中{at}有未知选项：{_keys(unknown)}；可写 pattern、entity、book。")
        if "pattern" not in source:
            raise PolicyError(f"{policy.named} 中{at}缺少 pattern（文件路径通配符，如 pattern = \"*工会*\"）。")
        _text(source["pattern"], at, "pattern", policy, required=True)
        if "entity" in source:
            _text(source["entity"], at, "entity", policy)
        if "book" in source:
            _book(source["book"], at, policy)
    return sources


def _read_accounts(data: dict, policy: Policy) -> tuple[dict, dict]:
    accounts = _section(data, "accounts", policy)
    unknown = [k for k in accounts if k not in ("names", "code_prefixes")]
    if unknown:
        raise PolicyError(f"{policy.named} 中 [accounts] 有未知的节：{_keys(unknown)}；可写 [accounts.names] 和 "
                          "[accounts.code_prefixes]。")
    classes = "、".join(f"{c}（{ACCOUNT_CLASS_LABELS[c]}）" for c in ACCOUNT_CLASSES)
    names, prefixes = {}, {}
    for part, target in (("names", names), ("code_prefixes", prefixes)):
        where = f"[accounts.{part}]"
        table = accounts.get(part, {})
        if not isinstance(table, Mapping):
            raise PolicyError(f"{policy.named} 中 {where} 应为一节，{_wrote(table)}。")
        for account_class, values in table.items():
            if account_class not in ACCOUNT_CLASSES:
                raise PolicyError(f"{policy.named} 中 {where} 的 {toml_key(account_class)} 不是科目类别；类别为 {classes}。")
            if part == "names":
                target[account_class] = policy._checked(Words([], ""), values, where, account_class)
                continue
            if not isinstance(values, list) or not all(
                    (isinstance(p, str) and p.strip()) or (isinstance(p, int) and not isinstance(p, bool) and p >= 0)
                    for p in values):
                raise PolicyError(f"{policy.named} 中 {where} 的 {account_class} 应为科目编码前缀的列表，例如 "
                                  f"[\"541\", \"5301\"]，{_wrote(values)}。")
            target[account_class] = [str(p).strip() for p in values]
    return names, prefixes


def _read_overrides(data: dict, policy: Policy) -> list[dict]:
    where = "[[overrides]]"
    overrides = _list_of_tables(data.get("overrides", []), where, policy)
    for number, override in enumerate(overrides, start=1):
        at = f"第 {number} 项 {where}"
        unknown = [k for k in override if k not in OVERRIDE_KEYS]
        if unknown:
            raise PolicyError(f"{policy.named} 中{at}有未知选项：{_keys(unknown)}；可写 entity、book、"
                              f"{'、'.join(UNIT_FACTS)} 和 [overrides.rules.<规则编号>]。")
        if "entity" in override:
            _text(override["entity"], at, "entity", policy)
        if "book" in override:
            _book(override["book"], at, policy)
        for name, option in UNIT_FACTS.items():
            if name in override:
                override[name] = policy._checked(option, override[name], at, name)
        rules = override.get("rules", {})
        if not isinstance(rules, Mapping) or not all(isinstance(v, Mapping) for v in rules.values()):
            raise PolicyError(f"{policy.named} 中{at}的 rules 应写成 [overrides.rules.<规则编号>] 节，{_wrote(rules)}。")
        override["rules"] = {rule_id: dict(settings) for rule_id, settings in rules.items()}
    return overrides


def load_policy(path: str | Path | None) -> Policy:
    policy = Policy()
    if path is None:
        return policy
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise PolicyError(f"找不到策略文件：{path}（可用 voucher-check init-config {path} 生成一份）。") from None
    except IsADirectoryError:
        raise PolicyError(f"策略文件 {path} 是一个文件夹；--config 后请写 .toml 文件的路径。") from None
    except UnicodeDecodeError:
        raise PolicyError(f"策略文件 {path} 不是 UTF-8 编码；请用记事本“另存为”并选择 UTF-8 编码后再试。") from None
    except OSError as exc:
        raise PolicyError(f"无法读取策略文件 {path}：{exc.strerror or exc}。") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(_toml_problem(path, text, exc)) from None
    policy.path = str(path)
    unknown = [k for k in data if k not in SECTIONS]
    if unknown:
        raise PolicyError(f"{policy.named} 中有未知的节或选项：{_keys(unknown)}；可写的节为 "
                          f"{'、'.join(f'[{s}]' for s in SECTIONS[:3])} 和 [[overrides]]。")
    reading = _section(data, "reading", policy)
    for key, value in reading.items():
        if key == "sources":
            continue
        if key not in READING_OPTIONS:
            raise PolicyError(f"{policy.named} 中 [reading] 有未知选项：{toml_key(key)}；可写的选项为 {', '.join(READING_OPTIONS)}、"
                              "[[reading.sources]]。")
        policy.reading[key] = policy._checked(READING_OPTIONS[key], value, "[reading]", key)
    policy.sources = _read_sources(reading, policy)
    policy.account_names, policy.account_prefixes = _read_accounts(data, policy)
    rules = _section(data, "rules", policy)
    policy.rules = {k: (dict(v) if isinstance(v, Mapping) else v) for k, v in rules.items()}
    policy.overrides = _read_overrides(data, policy)
    return policy


def prepare_rules(rules: list, policy: Policy, only: tuple[str, ...] = (), skip: tuple[str, ...] = (),
                  groups: tuple[str, ...] = ()) -> list:
    """Apply the policy and the --rule/--skip-rule/--group choices; returns the same rule objects."""
    from .registry import GROUPS
    ids = {r.id for r in rules}
    for chosen in (*only, *skip):
        if chosen not in ids:
            raise PolicyError(f"没有编号为 {chosen} 的规则（可用 voucher-check rules 查看全部规则）。")
    for group in groups:
        if group not in GROUPS:
            raise PolicyError(f"没有名为 {group} 的规则组；可选：" + "、".join(f"{g}（{label}）" for g, label in GROUPS.items())
                              + "。")
    policy.apply_to_rules(rules)
    by_id = {r.id: r for r in rules}
    for number, override in enumerate(policy.overrides, start=1):
        for rule_id, settings in override.get("rules", {}).items():
            if rule_id not in by_id:
                raise PolicyError(f"{policy.named} 中第 {number} 项 [[overrides]] 有不存在的规则编号：{toml_key(rule_id)}"
                                  "（可用 voucher-check rules 查看全部规则）。")
            where = f"第 {number} 项 [[overrides]] 的 [overrides.rules.{rule_id}]"
            override["rules"][rule_id] = policy._rule_settings(by_id[rule_id], settings, where)
    for number, override in enumerate(policy.overrides, start=1):
        # A unit fact goes to every rule that declares the option: each such rule's own
        # declaration must take it too (a plug-in's may be stricter).
        for name in UNIT_FACTS:
            if name in override:
                for rule in rules:
                    if name in rule.declared:
                        policy._checked(rule.declared[name], override[name], f"第 {number} 项 [[overrides]]", name,
                                        f"（规则“{rule.title}”）")
    for rule in rules:
        _enable_by_overrides(rule, policy)
    for rule in rules:
        if only and rule.id not in only:
            rule.enabled = False
        if rule.id in skip:
            rule.enabled = False
        if groups and rule.group not in groups:
            rule.enabled = False
    return rules


# ---------------------------------------------------------------- writing the default file

_toml_value = toml_text     # the name the rule contract test uses
_toml_key = toml_key


_ANY_OTHER = object()        # a unit or book that no override names


def _enable_by_overrides(rule, policy: "Policy") -> None:
    """Whether a rule runs for some unit (``enabled``) and whether the overrides make that differ
    between units (``partly``), before any ledger is read: every unit is like one that an
    override names or like one that none names, so trying those is trying them all."""
    switching = [o for o in policy.overrides if "enabled" in o.get("rules", {}).get(rule.id, {})]
    entities = {o["entity"] for o in switching if "entity" in o} | {_ANY_OTHER}
    books = {o["book"] for o in switching if "book" in o} | {_ANY_OTHER}
    _enable_for(rule, policy, [(entity, book) for entity in entities for book in books])


def _enable_for(rule, policy: "Policy", units) -> None:
    """``enabled``: the rule runs for one of ``units`` at least; ``partly``: not for all."""
    states = {policy.options_for(rule, entity, book)["enabled"] for entity, book in units}
    rule.enabled = True in states
    rule.partly = len(states) > 1


def settle_for_units(rules: list, policy: "Policy", units: set[tuple[str, str]]) -> None:
    """Once the ledger is read, whether each rule runs and for which of the units really there:
    a rule that the overrides turn off for every unit read did not run, and one that runs for all
    of them is not 'partly' on."""
    if not policy.overrides or not units:
        return
    for rule in rules:
        if rule.enabled:
            _enable_for(rule, policy, units)


def _comment(text: str) -> str:
    return "".join(f"# {line}\n" if line else "#\n" for line in text.splitlines())


def _option_lines(name: str, option: Option, value=None) -> str:
    value = option.default if value is None else value
    return _comment(f"{option.help}\n取值：{option.expected}。") + f"{name} = {toml_text(value)}\n"


def default_policy_text(rules: list) -> str:
    """The commented default policy file that `voucher-check init-config` writes."""
    out = [_comment(
        "voucher-checker 策略文件（TOML 格式，UTF-8 编码）。\n"
        "这里列出全部阈值和关键词及其默认值与来源；各地标准不同，请按本地财务管理办法修改。\n"
        "删除某一行即恢复默认值。用法：voucher-check scan 账簿文件夹 --config 本文件\n"
        "金额单位均为“元”；数字不加引号，文字加英文双引号，词语列表写在方括号里：[\"工资\", \"薪酬\"]。")]
    out.append("\n[reading]\n")
    for name, option in READING_OPTIONS.items():
        out.append(_option_lines(name, option))
    out.append("\n# 按文件路径指定单位和账套（自动识别不准时使用；可写多项，后写的优先）：\n")
    out.append("# [[reading.sources]]\n# pattern = \"*建设社区*工会*\"\n# entity = \"建设社区\"\n# book = \"union\"   # admin 行政账 | union 工会账 | party 党费账\n")
    out.append("\n# 追加会计科目分类（按科目名称优先，其次按科目编码前缀）。类别："
               + "，".join(f"{c} {ACCOUNT_CLASS_LABELS[c]}" for c in ACCOUNT_CLASSES) + "\n")
    out.append("[accounts.names]\n# cash = [\"零用金\"]\n\n[accounts.code_prefixes]\n# expense = [\"541\"]\n")
    for rule in rules:
        out.append(f"\n# ---- {rule.id}：{rule.title}（{rule.title_en}）\n")
        out.append(_comment(f"依据：{rule.basis}"))
        out.append(f"[rules.{rule.id}]\n")
        out.append("enabled = true\n")
        out.append(_comment(f"风险分权重（0–100），默认按严重程度：高 50、中 30、低 15。") + f"weight = {toml_text(rule.default_weight)}\n")
        for name, option in rule.declared.items():
            out.append(_option_lines(name, option, rule.defaults.get(name)))
    out.append("\n" + _comment(
        "按单位或账套覆盖规则选项，例如某社区账簿起始时库存现金 1,200 元（各现金规则共用），备用金限额为 1000 元：\n"
        "[[overrides]]\nentity = \"建设社区\"\nopening_cash_yuan = 1200\n"
        "[overrides.rules.petty-cash-over-limit]\nlimit_yuan = 1000"))
    return "".join(out)
