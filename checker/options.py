"""Typed policy options: one declaration per option holds its default, the values it takes and
its help text, and feeds the policy loader's checks, ``init-config``, ``rules`` and the README
catalogue.

A rule module declares (see ``rules/__init__.py``)::

    OPTIONS = {
        "limit_yuan": Yuan(2000, help="备用金限额（元）。来源：…"),
        "payment_classes": AccountClasses(["cash", "bank"], help="…。来源：…"),
    }

``check`` raises ``OptionValueError`` with what is expected (a Chinese noun phrase) and, for the
usual mistakes, a hint; ``voucher_checker.policy`` turns that into one sentence naming the file, the
section, the option and what was written.
"""
from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping

from .fields import ACCOUNT_CLASSES, SEVERITIES, SEVERITY_LABELS, SOURCE_FIELD_LABELS, SOURCE_FIELDS

# Money options in yuan become integer fen that must fit int64; a trillion yuan is far above any
# village's books and far below that bound.
MAX_YUAN = 10**12

ACCOUNT_CLASS_LABELS = {"cash": "库存现金", "bank": "银行存款", "expense": "费用支出", "income": "收入",
                        "asset": "资产", "receivable_payable": "往来", "other": "未识别科目"}
assert set(ACCOUNT_CLASS_LABELS) == set(ACCOUNT_CLASSES)


class OptionValueError(ValueError):
    """A value an option does not take: ``expected`` says what it takes, ``hint`` how to write it."""

    def __init__(self, expected: str, hint: str = ""):
        super().__init__(expected)
        self.expected, self.hint = expected, hint


def toml_text(value) -> str:
    """A value as it is written in the policy file."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value) if math.isfinite(value) else ("nan" if math.isnan(value) else ("inf" if value > 0 else "-inf"))
    if isinstance(value, str):
        escaped = value.replace("\\", "\\\\").replace('"', '\\"')
        escaped = "".join(ch if ch.isprintable() or ch == " " else
                          f"\\u{ord(ch):04x}" if ord(ch) <= 0xFFFF else f"\\U{ord(ch):08x}" for ch in escaped)
        return f'"{escaped}"'
    if isinstance(value, (list, tuple)):
        items = [toml_text(v) for v in value]
        one_line = "[" + ", ".join(items) + "]"
        if len(one_line) <= 90:
            return one_line
        return "[\n" + "".join(f"    {item},\n" for item in items) + "]"
    if isinstance(value, Mapping):
        return "{ " + ", ".join(f"{toml_key(k)} = {toml_text(v)}" for k, v in value.items()) + " }"
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    raise TypeError(f"cannot write {value!r} to TOML")


def toml_key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else toml_text(key)


def written(value) -> str:
    """What a user wrote, named for a message: 文字 "1千", 数字 -5, 列表 [1, 2] …"""
    if isinstance(value, bool):
        return toml_text(value)
    kind = ("数字" if isinstance(value, (int, float))
            else "文字" if isinstance(value, str) else "列表" if isinstance(value, list)
            else "表" if isinstance(value, Mapping) else "日期时间" if isinstance(value, (dt.date, dt.time)) else "值")
    return f"{kind} {inline(value)}"


def inline(value, limit: int = 60) -> str:
    """A value on one line, cut short when long."""
    try:
        text = " ".join(toml_text(value).split())
    except TypeError:
        text = repr(value)
    text = text.replace("[ ", "[").replace(", ]", "]")
    return text if len(text) <= limit else text[:limit - 1] + "…"


# A bound this large only guards the arithmetic; it is named when it is broken, not in every message.
SILENT_MAXIMUM = 10**9


def spaced(before: str, after: str) -> str:
    """Join Chinese text and a value the way the rest of the messages do: a space between a
    Chinese character and a Latin letter, digit or quote."""
    if before and after and (ord(before[-1]) > 0x2E80) != (ord(after[0]) > 0x2E80) \
            and not before[-1].isspace() and not after[0].isspace() and after[0] not in "，。；：（）、":
        return f"{before} {after}"
    return before + after


def _number_text(value) -> str:
    return f"{value:,}" if isinstance(value, int) else f"{value:g}"


class Option:
    """One option: ``default``, ``help`` (with its 来源) and the values ``check`` accepts."""

    def __init__(self, default, help: str):
        self.help = help
        self.default = self.check(default)

    def check(self, value):
        """The value as the rule receives it, or OptionValueError."""
        raise NotImplementedError

    @property
    def expected(self) -> str:
        """What values it takes, as a Chinese noun phrase: 不小于 0 的金额（元）."""
        raise NotImplementedError

    kind = "值"     # a few words for the README catalogue: 金额 ≥ 0（元）, 词语列表 …

    def shown(self, value) -> str:
        """A value in the listing of ``rules`` and the README: as the user would write it."""
        return toml_text(value)

    def refuse(self, hint: str = ""):
        raise OptionValueError(self.expected, hint)


class Number(Option):
    """A number between ``minimum`` and ``maximum`` (None: unbounded); ``whole`` for counts;
    ``optional``: "" (TOML has no null) means the value is not known."""

    def __init__(self, default, help: str, *, minimum: float | None = 0, maximum: float | None = None,
                 whole: bool = False, unit: str = "", optional: bool = False):
        self.minimum, self.maximum, self.whole, self.unit, self.optional = minimum, maximum, whole, unit, optional
        super().__init__(default, help)

    @property
    def expected(self) -> str:
        noun = "整数" if self.whole else ("金额" if self.unit == "元" else "数字")
        if self.maximum is not None and self.maximum >= SILENT_MAXIMUM:
            bounds = f"不小于 {_number_text(self.minimum)} 的" if self.minimum is not None else ""
        elif self.minimum is not None and self.maximum is not None:
            bounds = f"{_number_text(self.minimum)} 到 {_number_text(self.maximum)} 之间的"
        elif self.minimum is not None:
            bounds = f"不小于 {_number_text(self.minimum)} 的"
        elif self.maximum is not None:
            bounds = f"不大于 {_number_text(self.maximum)} 的"
        else:
            bounds = ""
        unit = f"（单位：{self.unit}）" if self.unit else ""
        blank = "，或留空 \"\" 表示未知" if self.optional else ""
        return f"{bounds}{noun}{unit}{blank}"

    def check(self, value):
        if self.optional and isinstance(value, str) and value.strip() == "":
            return ""
        if isinstance(value, str):
            looks_numeric = re.fullmatch(r"\s*[-+]?[\d,，.]+\s*", value) is not None
            example = getattr(self, "default", "")
            self.refuse("；数字不要加引号" + ("、不要写千位逗号" if looks_numeric else "，也不要写“千”“万”等汉字")
                        + (f"，例如 {toml_text(example)}" if example != "" else ""))
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            self.refuse()
        if self.whole:
            if not float(value).is_integer():
                self.refuse()
            value = int(value)
        if self.minimum is not None and value < self.minimum:
            self.refuse()
        if self.maximum is not None and value > self.maximum:
            self.refuse(f"；{_number_text(value)} 超过上限 {_number_text(self.maximum)}" if self.maximum >= SILENT_MAXIMUM else "")
        return value

    @property
    def kind(self) -> str:
        noun = "整数" if self.whole else ("金额" if self.unit == "元" else "数字")
        if self.maximum is not None and self.maximum < SILENT_MAXIMUM:
            bounds = f" {_number_text(self.minimum)}–{_number_text(self.maximum)}" if self.minimum is not None \
                else f" ≤ {_number_text(self.maximum)}"
        else:
            bounds = f" ≥ {_number_text(self.minimum)}" if self.minimum is not None else ""
        unit = f" {self.unit}" if self.unit else ""
        return f"{noun}{bounds}{unit}" + ("，可留空" if self.optional else "")

    def shown(self, value) -> str:
        if value == "":
            return "（未设置）"
        return toml_text(value) + (f" {self.unit}" if self.unit else "")


def Yuan(default, help: str, *, optional: bool = False) -> Number:
    """An amount of money in yuan, 0 or more."""
    return Number(default, help, minimum=0, maximum=MAX_YUAN, unit="元", optional=optional)


def Share(default, help: str) -> Number:
    """A proportion from 0 to 1."""
    return Number(default, help, minimum=0, maximum=1)


def Count(default, help: str, *, minimum: int = 1, maximum: int | None = None) -> Number:
    """A whole number of things (rows, units, cells)."""
    return Number(default, help, minimum=minimum, maximum=maximum, whole=True)


class Flag(Option):
    """true or false."""
    expected = "true 或 false（不加引号）"
    kind = "true/false"

    def shown(self, value) -> str:
        return f"{toml_text(value)}（{'是' if value else '否'}）"

    def check(self, value):
        if not isinstance(value, bool):
            self.refuse("；是写 true，否写 false" if isinstance(value, str) else "")
        return value


class Words(Option):
    """A list of words (keywords, name endings); never one string split into characters."""
    expected = "方括号括起的词语列表，例如 [\"工资\", \"薪酬\"]"
    kind = "词语列表"

    def check(self, value):
        if isinstance(value, str):
            self.refuse(f"；只有一个词也要写方括号，例如 [{inline(value, 20)}]，否则会被当成一个个单字")
        if not isinstance(value, list):
            self.refuse()
        cleaned = []
        for number, item in enumerate(value, start=1):
            if not isinstance(item, str) or not item.strip():
                self.refuse(f"；第 {number} 项 {_item_text(item)} 不是词语")
            cleaned.append(item.strip())
        return cleaned

    def shown(self, value) -> str:
        return "、".join(value) if value else "（无）"


class Choices(Option):
    """A list of names, each one of ``choices`` (name → Chinese label)."""
    kind = "名称列表"

    def __init__(self, default, help: str, *, choices: Mapping[str, str]):
        self.choices = dict(choices)
        super().__init__(default, help)

    @property
    def expected(self) -> str:
        names = "、".join(f"{name}（{label}）" for name, label in self.choices.items())
        return f"方括号括起的名称列表，每项为 {names} 之一"

    def check(self, value):
        if isinstance(value, str):
            self.refuse(f"；只有一项也要写方括号，例如 [\"{next(iter(self.choices))}\"]")
        if not isinstance(value, list):
            self.refuse()
        for item in value:
            if not isinstance(item, str) or item not in self.choices:
                self.refuse(f"；{_item_text(item)} 不在其中")
        return list(value)

    def shown(self, value) -> str:
        return "、".join(f"{name}（{self.choices[name]}）" for name in value) if value else "（无）"


def AccountClasses(default, help: str) -> Choices:
    """A list of account classes (voucher_checker.accounts decides the class of every account)."""
    option = Choices(default, help, choices=ACCOUNT_CLASS_LABELS)
    option.kind = "科目类别列表"
    return option


class Severity(Option):
    """One of high, medium, low."""
    kind = "high/medium/low"
    expected = "、".join(f"\"{name}\"（{SEVERITY_LABELS[name]}）" for name in SEVERITIES) + " 之一"

    def check(self, value):
        if not isinstance(value, str) or value not in SEVERITIES:
            hint = ""
            if isinstance(value, str) and value.strip() in SEVERITY_LABELS.values():
                english = next(k for k, v in SEVERITY_LABELS.items() if v == value.strip())
                hint = f"；请写英文名称 \"{english}\""
            self.refuse(hint)
        return value

    def shown(self, value) -> str:
        return f"{value}（{SEVERITY_LABELS[value]}）"


class FieldWords(Option):
    """Extra words per ledger field, e.g. header synonyms: { summary = ["业务说明"] }."""
    kind = "字段 → 词语列表"
    expected = "字段名到词语列表的表，例如 { summary = [\"业务说明\"] }，字段名见 checker/fields.py"

    def check(self, value):
        if not isinstance(value, Mapping):
            self.refuse()
        checked = {}
        for field_name, words in value.items():
            if field_name not in SOURCE_FIELDS:
                self.refuse(f"；没有名为 {toml_key(field_name)} 的字段")
            if isinstance(words, str):
                self.refuse(f"；{field_name} 的词语也要写方括号，例如 {field_name} = [{inline(words, 20)}]")
            try:
                checked[field_name] = Words([], "").check(words)
            except OptionValueError as exc:
                self.refuse(f"；{field_name} 应为词语列表{exc.hint}")
        return checked

    def shown(self, value) -> str:
        return "；".join(f"{SOURCE_FIELD_LABELS.get(k, k)}（{k}）：{'、'.join(v)}" for k, v in value.items()) or "（无）"


def _item_text(value) -> str:
    return inline(value, 30)


def inferred(default, help: str) -> Option:
    """A declaration guessed from a default value, for rules built in code without one (tests)."""
    if isinstance(default, bool):
        return Flag(default, help)
    if isinstance(default, (int, float)):
        return Number(default, help, minimum=min(0, default))
    if isinstance(default, list):
        return Words(default, help)
    if isinstance(default, Mapping):
        return FieldWords(default, help)
    return Text(default, help)


class Text(Option):
    """Any one piece of text."""
    expected = "加英文双引号的文字"
    kind = "文字"

    def check(self, value):
        if not isinstance(value, str):
            self.refuse()
        return value


def defaults_of(options: Mapping[str, Option]) -> dict:
    """Each option's default, fresh (lists copied), as a rule receives them."""
    return {name: (list(option.default) if isinstance(option.default, list)
                   else dict(option.default) if isinstance(option.default, dict) else option.default)
            for name, option in options.items()}
