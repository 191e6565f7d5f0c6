"""The policy file (TOML): every threshold, keyword list and reading hint a locality may change.

Layout::

    [reading]            header_search_rows, extra header synonyms, subtotal words, book words
    [[reading.sources]]  pattern = "*工会*"  entity = "建设社区"  book = "union"
    [accounts.names]     cash = ["零钱"] …   (extra account names per class)
    [accounts.code_prefixes]
    [rules.<rule-id>]    enabled = true, and the rule's options
    [[overrides]]        entity = "…" / book = "union", then [overrides.rules.<rule-id>] options

``voucher-check init-config`` writes this file with every default and where it comes from.
"""
from __future__ import annotations

import fnmatch
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from .fields import BOOKS, SUBTOTAL_MARKERS

READING_DEFAULTS = {
    "header_search_rows": 30,
    # Words in a unit column, title, sheet name, file name or folder that mark the book.  A union
    # or party word decides; with neither, the book is the unit's administrative book.
    "union_book_words": ["工会"],
    "party_book_words": ["党费", "党组织工作经费"],
    # 行政 in a more specific place than a union or party word contradicts it (账套 unknown).
    "admin_book_words": ["行政", "社区账", "村账"],
    # The committees and collectives that keep an administrative book: named, they confirm it.
    "admin_unit_words": ["居民委员会", "村民委员会", "居委会", "村委会", "村集体", "经济合作社", "经济联合社",
                         "集体", "经费账"],
    # Words that end a unit's name (where its name is cut for communities and villages).
    "entity_suffixes": ["社区", "村", "街道", "镇", "乡", "居民委员会", "村民委员会", "居委会", "村委会",
                        "股份经济合作社", "经济合作社", "经济联合社", "有限责任公司", "股份有限公司", "有限公司",
                        "公司", "小学", "中学", "学校", "幼儿园", "卫生院", "医院", "协会", "学会", "商会",
                        "基金会", "联合会", "合作社"],
    # Names that look like a unit's and are not one.
    "entity_stop_words": ["农村", "乡村", "城乡", "乡镇", "城镇", "村镇", "全村", "本村", "各村", "该村", "行政村",
                          "自然村", "新农村", "本社区", "各社区", "全社区", "该社区", "城市社区", "农村社区",
                          "各乡镇", "本镇", "全镇", "本公司", "分公司", "子公司", "总公司", "母公司"],
    # A journal (one account's movements, with 对方科目) lists cash or bank by these words in its
    # title, sheet name or file name.
    "cash_journal_words": ["现金日记账", "现金日记", "现金账", "库存现金", "现金"],
    "bank_journal_words": ["银行存款日记账", "银行日记账", "银行存款", "银行账", "银行"],
    "subtotal_markers": list(SUBTOTAL_MARKERS),
    "header_synonyms": {},
    # Untrusted files: refuse a workbook whose parts unpack to more than this, or whose sheet
    # claims more cells than this, before reading it.  Real ledgers stay far below both.
    "max_uncompressed_mb": 500,
    "max_sheet_cells": 50_000_000,
}


class PolicyError(ValueError):
    """The policy file cannot be used; the message says where and why, in Chinese."""


@dataclass
class Policy:
    path: str | None = None
    reading: dict = field(default_factory=lambda: {k: (list(v) if isinstance(v, list) else v)
                                                   for k, v in READING_DEFAULTS.items()})
    sources: list[dict] = field(default_factory=list)
    account_names: dict[str, list[str]] = field(default_factory=dict)
    account_prefixes: dict[str, list[str]] = field(default_factory=dict)
    rules: dict[str, dict] = field(default_factory=dict)
    overrides: list[dict] = field(default_factory=list)

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
        """Put the policy's options and enabled flags onto discovered rules."""
        known = {r.id for r in rules}
        unknown = [rid for rid in self.rules if rid not in known]
        if unknown:
            raise PolicyError(f"策略文件中的规则编号不存在：{', '.join(unknown)}（可用 voucher-check rules 查看全部规则）")
        for rule in rules:
            settings = dict(self.rules.get(rule.id, {}))
            rule.enabled = bool(settings.pop("enabled", True))
            _check_option_names(rule, settings, f"[rules.{rule.id}]")
            rule.options = {**rule.defaults, **settings}

    def options_for(self, rule, entity: str, book: str) -> dict:
        """Options in force for one entity and book: the rule's, then matching overrides in order."""
        options = {"enabled": rule.enabled, **rule.options}
        for override in self.overrides:
            if override.get("entity") not in (None, entity) or override.get("book") not in (None, book):
                continue
            options.update(override.get("rules", {}).get(rule.id, {}))
        return options


def _check_option_names(rule, settings: dict, where: str) -> None:
    unknown = [k for k in settings if k not in rule.defaults and k != "enabled"]
    if unknown:
        raise PolicyError(f"策略文件 {where} 中有未知选项：{', '.join(unknown)}；"
                          f"规则 {rule.id} 的选项为：{', '.join(rule.defaults) or '无'}")


def load_policy(path: str | Path | None) -> Policy:
    policy = Policy()
    if path is None:
        return policy
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise PolicyError(f"找不到策略文件：{path}") from None
    except UnicodeDecodeError:
        raise PolicyError(f"策略文件 {path} 不是 UTF-8 编码；请用记事本“另存为 UTF-8”后再试。") from None
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(f"策略文件 {path} 格式有误：{exc}") from None
    policy.path = str(path)
    reading = data.get("reading", {})
    for key, value in reading.items():
        if key == "sources":
            continue
        if key not in READING_DEFAULTS:
            raise PolicyError(f"策略文件 [reading] 中有未知选项：{key}")
        policy.reading[key] = value
    policy.sources = list(reading.get("sources", []))
    for source in policy.sources:
        if "pattern" not in source:
            raise PolicyError("策略文件 [[reading.sources]] 每一项都需要 pattern（文件路径通配符）")
        if source.get("book") not in (None, *BOOKS):
            raise PolicyError(f"策略文件 [[reading.sources]] 的 book 应为 {', '.join(BOOKS)} 之一")
    accounts = data.get("accounts", {})
    policy.account_names = {k: list(v) for k, v in accounts.get("names", {}).items()}
    policy.account_prefixes = {k: [str(p) for p in v] for k, v in accounts.get("code_prefixes", {}).items()}
    policy.rules = {k: dict(v) for k, v in data.get("rules", {}).items()}
    policy.overrides = list(data.get("overrides", []))
    return policy


def prepare_rules(rules: list, policy: Policy, only: tuple[str, ...] = (), skip: tuple[str, ...] = ()) -> list:
    """Apply the policy and the --rule/--skip-rule choices; returns the same rule objects."""
    policy.apply_to_rules(rules)
    ids = {r.id for r in rules}
    for chosen in (*only, *skip):
        if chosen not in ids:
            raise PolicyError(f"没有编号为 {chosen} 的规则（可用 voucher-check rules 查看全部规则）")
    for override in policy.overrides:
        for rule_id, settings in override.get("rules", {}).items():
            matches = [r for r in rules if r.id == rule_id]
            if not matches:
                raise PolicyError(f"策略文件 [[overrides]] 中的规则编号不存在：{rule_id}")
            _check_option_names(matches[0], settings, f"[[overrides]] rules.{rule_id}")
    for rule in rules:
        if only and rule.id not in only:
            rule.enabled = False
        if rule.id in skip:
            rule.enabled = False
    return rules


# ---------------------------------------------------------------- writing the default file

def _toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, (list, tuple)):
        items = [_toml_value(v) for v in value]
        one_line = "[" + ", ".join(items) + "]"
        if len(one_line) <= 90:
            return one_line
        return "[\n" + "".join(f"    {item},\n" for item in items) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{_toml_key(k)} = {_toml_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(f"cannot write {value!r} to TOML")


def _toml_key(key: str) -> str:
    return key if key.replace("-", "").replace("_", "").isalnum() and key.isascii() else _toml_value(key)


def _comment(text: str) -> str:
    return "".join(f"# {line}\n" if line else "#\n" for line in text.splitlines())


def default_policy_text(rules: list) -> str:
    """The commented default policy file that `voucher-check init-config` writes."""
    out = [_comment(
        "voucher-checker 策略文件（TOML 格式，UTF-8 编码）。\n"
        "这里列出全部阈值和关键词及其默认值与来源；各地标准不同，请按本地财务管理办法修改。\n"
        "删除某一行即恢复默认值。用法：voucher-check scan 账簿文件夹 --config 本文件\n"
        "金额单位均为“元”。")]
    out.append("\n[reading]\n")
    out.append("# 在前多少行内查找表头行\n")
    out.append(f"header_search_rows = {READING_DEFAULTS['header_search_rows']}\n")
    out.append("# 单位列、标题、工作表名、文件名或文件夹中出现这些词，即认定为工会账 / 党费账；都没有时按行政账处理。\n"
               "# admin_book_words（如“行政”）出现在比工会/党费标志更具体的位置时，视为相互矛盾（账套未识别）\n")
    for key in ("union_book_words", "party_book_words", "admin_book_words", "admin_unit_words"):
        out.append(f"{key} = {_toml_value(READING_DEFAULTS[key])}\n")
    out.append("# 单位名称的结尾词：依次从单位列（核算账簿名称等）、标题、工作表名、文件名、文件夹中识别单位；\n"
               "# 都识别不到时，该文件按单独的单位处理（未识别单位（文件名）），不与其他文件合并\n")
    out.append(f"entity_suffixes = {_toml_value(READING_DEFAULTS['entity_suffixes'])}\n")
    out.append("# 看似单位名称但不是的词\n")
    out.append(f"entity_stop_words = {_toml_value(READING_DEFAULTS['entity_stop_words'])}\n")
    out.append("# 日记账（只有对方科目、没有科目列的账页）的本账户：标题、工作表名或文件名中出现这些词\n")
    out.append(f"cash_journal_words = {_toml_value(READING_DEFAULTS['cash_journal_words'])}\n")
    out.append(f"bank_journal_words = {_toml_value(READING_DEFAULTS['bank_journal_words'])}\n")
    out.append("# 合计、累计、结转等非分录行的标志词（出现在摘要开头时该行不计入分录，但会在报告中计数）\n")
    out.append(f"subtotal_markers = {_toml_value(READING_DEFAULTS['subtotal_markers'])}\n")
    out.append("# 安全限制：工作簿解压后超过此大小（MB）或工作表声明的单元格数超过此值时拒绝读取（防止恶意文件耗尽内存）\n")
    out.append(f"max_uncompressed_mb = {READING_DEFAULTS['max_uncompressed_mb']}\n")
    out.append(f"max_sheet_cells = {READING_DEFAULTS['max_sheet_cells']}\n")
    out.append("# 追加表头同义词，例如：header_synonyms = { summary = [\"业务说明\"], debit = [\"借方金额(元)\"] }\n")
    out.append("header_synonyms = {}\n")
    out.append("\n# 按文件路径指定单位和账套（自动识别不准时使用；可写多项，后写的优先）：\n")
    out.append("# [[reading.sources]]\n# pattern = \"*建设社区*工会*\"\n# entity = \"建设社区\"\n# book = \"union\"   # admin 行政账 | union 工会账 | party 党费账\n")
    out.append("\n# 追加会计科目分类（按科目名称优先，其次按科目编码前缀）。类别：cash 现金, bank 银行存款,\n"
               "# expense 费用支出, income 收入, asset 资产, receivable_payable 往来, other 其他\n")
    out.append("[accounts.names]\n# cash = [\"零用金\"]\n\n[accounts.code_prefixes]\n# expense = [\"541\"]\n")
    for rule in rules:
        out.append(f"\n# ---- {rule.id}：{rule.title}（{rule.title_en}）\n")
        out.append(_comment(f"依据：{rule.basis}"))
        out.append(f"[rules.{rule.id}]\n")
        out.append("enabled = true\n")
        for name, value in rule.defaults.items():
            help_text = rule.options_help.get(name, "")
            if help_text:
                out.append(_comment(help_text))
            out.append(f"{name} = {_toml_value(value)}\n")
    out.append("\n" + _comment(
        "按单位或账套覆盖规则选项，例如某社区备用金限额为 1000 元：\n"
        "[[overrides]]\nentity = \"建设社区\"\n[overrides.rules.petty-cash-over-limit]\nlimit_yuan = 1000"))
    return "".join(out)
