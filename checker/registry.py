"""Discover rule modules: every module in the ``rules`` package, plus modules that installed
plug-ins name in the ``voucher_checker.rules`` entry-point group.

A rule module declares data at the top and one pure function (see ``rules/__init__.py``)::

    ID = "petty-cash-over-limit"          # stable, kebab-case; part of the JSON contract
    TITLE = "超限额提取备用金"
    TITLE_EN = "Petty cash withdrawn over the limit"
    SEVERITY = "high"                      # high | medium | low
    BASIS = "《现金管理暂行条例》第五条 …"
    REQUIRES = ("debit", "credit", "account")   # source fields, see checker.fields
    DEFAULTS = {"limit_yuan": 2000}
    OPTIONS_HELP = {"limit_yuan": "备用金限额（元）。来源：…"}
    def check(ledger: pd.DataFrame, options: dict) -> pd.DataFrame: ...
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

from .fields import SEVERITIES

ENTRY_POINT_GROUP = "voucher_checker.rules"
REQUIRED_ATTRIBUTES = ("ID", "TITLE", "TITLE_EN", "SEVERITY", "BASIS", "check")


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
    enabled: bool = True

    @classmethod
    def from_module(cls, module: ModuleType) -> "Rule":
        missing = [a for a in REQUIRED_ATTRIBUTES if not hasattr(module, a)]
        if missing:
            raise ValueError(f"规则模块 {module.__name__} 缺少 {', '.join(missing)}")
        if module.SEVERITY not in SEVERITIES:
            raise ValueError(f"规则 {module.ID} 的 SEVERITY 应为 {SEVERITIES} 之一")
        defaults = dict(getattr(module, "DEFAULTS", {}))
        return cls(
            id=module.ID, title=module.TITLE, title_en=module.TITLE_EN, severity=module.SEVERITY,
            basis=module.BASIS, requires=tuple(getattr(module, "REQUIRES", ())),
            defaults=defaults, options_help=dict(getattr(module, "OPTIONS_HELP", {})),
            check=module.check, doc=(module.__doc__ or "").strip(), module=module.__name__,
            options=dict(defaults),
        )


def _builtin_modules() -> list[ModuleType]:
    import rules as package
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
            raise ValueError(f"规则编号 {rule.id} 重复：{found[rule.id].module} 与 {rule.module}")
        found[rule.id] = rule
    return list(found.values())
