"""Print the README's rule catalogue from the rule modules themselves.

    python scripts/rule_catalogue.py            # print the Markdown table
    python scripts/rule_catalogue.py --write    # replace the table in README.md

tests/test_docs.py fails when the README's table differs from what this prints."""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from voucher_checker.fields import SEVERITY_LABELS  # noqa: E402
from voucher_checker.options import toml_text  # noqa: E402
from voucher_checker.registry import GROUPS, discover  # noqa: E402

BEGIN, END = "<!-- rule-catalogue:begin -->", "<!-- rule-catalogue:end -->"


def _short(option) -> str:
    """The default as the policy file writes it, a long list cut to its first four words."""
    value = option.default
    if isinstance(value, list):
        shown = "、".join(map(str, value[:4]))
        return shown + (f" …（共 {len(value)} 项）" if len(value) > 4 else "")
    if value == "":
        return "（未设置）"
    return toml_text(value)


def catalogue() -> str:
    lines = ["| id | 规则 | Rule | 组 (group) | 风险 · 权重 | 依据 (basis) | options: default (type) |",
             "| --- | --- | --- | --- | --- | --- | --- |"]
    # Grouped as the report shows them: the notice's problems, journal-entry tests, record keeping.
    order = {group: n for n, group in enumerate(GROUPS)}
    for rule in sorted(discover(), key=lambda r: (order[r.group], r.id)):
        options = "<br>".join(f"`{name}` = {_short(option)} — {option.kind}"
                              for name, option in rule.declared.items()) or "—"
        lines.append(f"| `{rule.id}` | {rule.title} | {rule.title_en} | {GROUPS[rule.group]} (`{rule.group}`) | "
                     f"{SEVERITY_LABELS[rule.severity]} · {rule.default_weight:g} | "
                     f"{rule.basis} | {options} |")
    return "\n".join(lines)


def main() -> None:
    table = catalogue()
    if "--write" not in sys.argv:
        print(table)
        return
    readme = ROOT / "README.md"
    text = readme.read_text(encoding="utf-8")
    head, _, rest = text.partition(BEGIN)
    _, _, tail = rest.partition(END)
    readme.write_text(f"{head}{BEGIN}\n{table}\n{END}{tail}", encoding="utf-8")


if __name__ == "__main__":
    main()
