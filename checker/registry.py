"""Discover rule modules: every module in the ``rules`` package, plus modules that installed
plug-ins name in the ``voucher_checker.rules`` entry-point group.

A rule module declares data at the top and one pure function (see ``rules/__init__.py``)::

    ID = "petty-cash-over-limit"          # stable, kebab-case; part of the JSON contract
    TITLE = "超限额提取备用金"
    TITLE_EN = "Petty cash withdrawn over the limit"
    SEVERITY = "high"                      # high | medium | low
    BASIS = "《现金管理暂行条例》第五条 …"
    REQUIRES = ("debit", "credit", "account")   # source fields, see voucher_checker.fields
    GROUP = "notice"                       # notice | journal | records (GROUPS below)
    WEIGHT = 50                            # optional: its weight in the risk score (voucher_checker.scoring)
    OPTIONS = {"limit_yuan": Yuan(2000, help="备用金限额（元）。来源：…")}   # voucher_checker.options
    def check(ledger: pd.DataFrame, options: dict) -> pd.DataFrame: ...

A module that still declares the old ``DEFAULTS`` / ``OPTIONS_HELP`` dicts is refused with a
message that says how to convert it (``scripts/convert_rule_options.py`` does it).
"""
from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass, field
from types import ModuleType
from typing import Callable

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pandas loads only where it is used: the CLI starts reading before it
    import pandas as pd

from .fields import SEVERITIES, SEVERITY_WEIGHTS
from .options import Option, defaults_of, inferred

ENTRY_POINT_GROUP = "voucher_checker.rules"
# Rule groups, chosen together with `scan --group` and shown in the report.
GROUPS = {"notice": "巡察反馈问题", "journal": "凭证测试", "records": "账务规范", "other": "其他"}
REQUIRED_ATTRIBUTES = ("ID", "TITLE", "TITLE_EN", "SEVERITY", "BASIS", "check")


class RuleDefinitionError(ValueError):
    """A rule module (built-in or plug-in) that does not keep the contract in rules/__init__.py."""


@dataclass
class Rule:
    id: str
    title: str
    title_en: str
    severity: str
    basis: str
    requires: tuple[str, ...]
    defaults: dict
    options_help: dict
    check: Callable[[pd.DataFrame, dict], pd.DataFrame]
    doc: str = ""
    module: str = ""
    options: dict = field(default_factory=dict)     # in force for this run (defaults + policy)
    enabled: bool = True            # runs in this scan, for every unit or (``partly``) for some
    enabled_default: bool = True    # [rules.<id>] enabled: for the units no [[overrides]] names
    partly: bool = False            # [[overrides]] turn it on or off for some units only
    # name -> voucher_checker.options.Option; defaults and options_help above are derived from it.
    declared: dict[str, Option] = field(default_factory=dict)
    group: str = "other"
    default_weight: float | None = None    # None: by severity (voucher_checker.scoring.SEVERITY_WEIGHTS)
    weight: float | None = None            # in force for this run (the policy may set it)

    def __post_init__(self) -> None:
        if self.default_weight is None:
            self.default_weight = SEVERITY_WEIGHTS[self.severity]
        if self.weight is None:
            self.weight = self.default_weight
        # A rule built in code (tests do) may give only defaults: its types are guessed from them.
        for name, value in self.defaults.items():
            if name not in self.declared:
                self.declared[name] = inferred(value, self.options_help.get(name, ""))

    @classmethod
    def from_module(cls, module: ModuleType) -> "Rule":
        missing = [a for a in REQUIRED_ATTRIBUTES if not hasattr(module, a)]
        if missing:
            raise RuleDefinitionError(f"规则模块 {module.__name__} 缺少 {', '.join(missing)}")
        if module.SEVERITY not in SEVERITIES:
            raise RuleDefinitionError(f"规则 {module.ID} 的 SEVERITY 应为 {SEVERITIES} 之一")
        if getattr(module, "GROUP", "other") not in GROUPS:
            raise RuleDefinitionError(f"规则 {module.ID} 的 GROUP 应为 {tuple(GROUPS)} 之一")
        weight = getattr(module, "WEIGHT", None)
        if weight is not None and (isinstance(weight, bool) or not isinstance(weight, (int, float)) or not 0 <= weight <= 100):
            raise RuleDefinitionError(f"规则 {module.ID} 的 WEIGHT 应为 0 到 100 之间的数")
        old_style = [a for a in ("DEFAULTS", "OPTIONS_HELP") if hasattr(module, a)]
        if old_style:
            raise RuleDefinitionError(
                f"规则模块 {module.__name__} 仍用旧的 {'、'.join(old_style)} 声明选项；请改为每个选项一项的 "
                "OPTIONS = {\"名称\": Yuan(默认值, help=\"…来源：…\")}（见 rules/__init__.py；"
                f"python scripts/convert_rule_options.py --write {getattr(module, '__file__', None) or module.__name__.replace('.', '/') + '.py'} 可自动转换）")
        declared = dict(getattr(module, "OPTIONS", {}))
        wrong = [name for name, option in declared.items() if not isinstance(option, Option)]
        if wrong:
            raise RuleDefinitionError(f"规则模块 {module.__name__} 的 OPTIONS 中 {', '.join(wrong)} 不是 "
                                      "voucher_checker.options 的选项声明（Yuan、Count、Share、Number、Flag、Words、"
                                      "AccountClasses、Choices、Severity、Text）")
        defaults = defaults_of(declared)
        return cls(
            id=module.ID, title=module.TITLE, title_en=module.TITLE_EN, severity=module.SEVERITY,
            basis=module.BASIS, requires=tuple(getattr(module, "REQUIRES", ())),
            defaults=defaults, options_help={name: option.help for name, option in declared.items()},
            check=module.check, doc=(module.__doc__ or "").strip(), module=module.__name__,
            options=defaults_of(declared), declared=declared,
            group=getattr(module, "GROUP", "other"), default_weight=getattr(module, "WEIGHT", None),
        )


def _builtin_modules() -> list[ModuleType]:
    import voucher_checker.rules as package
    names = sorted(m.name for m in pkgutil.iter_modules(package.__path__) if not m.name.startswith("_"))
    return [importlib.import_module(f"{package.__name__}.{name}") for name in names]


def entry_points(group: str):
    """The installed entry points of ``group`` (importlib.metadata loads only when asked)."""
    from importlib.metadata import entry_points as installed
    return installed(group=group)


def _plugin_modules() -> list[ModuleType]:
    return [ep.load() for ep in entry_points(group=ENTRY_POINT_GROUP)]


def discover() -> list[Rule]:
    """All rules, built-in first, in a stable order; a plug-in may not reuse a built-in id."""
    found: dict[str, Rule] = {}
    for module in _builtin_modules() + _plugin_modules():
        rule = Rule.from_module(module)
        if rule.id in found:
            raise RuleDefinitionError(f"规则编号 {rule.id} 重复：{found[rule.id].module} 与 {rule.module}")
        found[rule.id] = rule
    return list(found.values())
