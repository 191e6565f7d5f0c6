"""Convert a rule module from the old ``DEFAULTS`` + ``OPTIONS_HELP`` dicts to one typed
``OPTIONS`` declaration per option (``voucher_checker.options``), keeping each default's and help
text's source as written.

    python scripts/convert_rule_options.py rules/some_rule.py           # print the new module
    python scripts/convert_rule_options.py --write rules/some_rule.py   # rewrite it in place

The types are guessed from names and values (``*_yuan`` → Yuan, ``*_share`` → Share,
``*_severity`` → Severity, ``*_classes`` → AccountClasses, true/false → Flag, a list → Words,
a whole number → Count, another number → Number); read the result and tighten the bounds where
the rule needs it (``Count(…, minimum=…)``, ``Number(…, maximum=…)``)."""
from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from voucher_checker.fields import ACCOUNT_CLASSES, SEVERITIES  # noqa: E402


def option_type(name: str, value) -> tuple[str, str]:
    """The declaring function and extra keyword arguments for one old default."""
    if name.endswith("_yuan"):
        return "Yuan", ", optional=True" if value == "" else ""
    if isinstance(value, bool):
        return "Flag", ""
    if name.endswith("_share"):
        return "Share", ""
    if name.endswith("_severity") or (isinstance(value, str) and value in SEVERITIES):
        return "Severity", ""
    if isinstance(value, list) and value and all(v in ACCOUNT_CLASSES for v in value):
        return "AccountClasses", ""
    if isinstance(value, list):
        return "Words", ""
    if isinstance(value, int):
        return "Count", ""
    if isinstance(value, float):
        return "Number", ""
    return "Text", ""


def _segment(source: str, node: ast.AST, column: int) -> str:
    """The node's source, its continuation lines moved so that its first line starts at ``column``."""
    text = ast.get_source_segment(source, node)
    lines = text.splitlines()
    if len(lines) == 1:
        return text
    # Continuation lines aligned under the first (strings, long lists) move with it; hanging
    # ones (indented from the line's start) stay where they are.
    aligned = len(lines[1]) - len(lines[1].lstrip()) > node.col_offset - 1
    shift = column - node.col_offset if aligned else 0
    moved = [lines[0]]
    for line in lines[1:]:
        moved.append(" " * shift + line if shift >= 0 else line[min(-shift, len(line) - len(line.lstrip())):])
    return "\n".join(moved)


def convert(source: str) -> str:
    tree = ast.parse(source)
    assignments = {node.targets[0].id: node for node in tree.body
                   if isinstance(node, ast.Assign) and len(node.targets) == 1
                   and isinstance(node.targets[0], ast.Name) and node.targets[0].id in ("DEFAULTS", "OPTIONS_HELP")}
    if "DEFAULTS" not in assignments:
        raise SystemExit("no DEFAULTS = {...} at the top of the module: nothing to convert")
    defaults_node = assignments["DEFAULTS"].value
    help_node = assignments.get("OPTIONS_HELP")
    helps = {}
    if help_node is not None:
        helps = {ast.literal_eval(k): v for k, v in zip(help_node.value.keys, help_node.value.values)}
    used, lines = set(), ["OPTIONS = {"]
    for key_node, value_node in zip(defaults_node.keys, defaults_node.values):
        name = ast.literal_eval(key_node)
        function, extra = option_type(name, ast.literal_eval(value_node))
        used.add(function)
        head = f'    "{name}": {function}('
        default = _segment(source, value_node, len(head))
        if name in helps:
            one_line = f"{head}{default}{extra}, help={_segment(source, helps[name], 0)}),"
            if "\n" not in one_line and len(one_line) <= 120:
                lines.append(one_line)
            else:
                lines.append(f"{head}{default}{extra},\n        help={_segment(source, helps[name], 13)}),")
        else:
            lines.append(f'{head}{default}{extra}, help=""),')
    lines.append("}")
    block = "\n".join(lines)
    start = min(node.lineno for node in assignments.values())
    end = max(node.end_lineno for node in assignments.values())
    source_lines = source.splitlines()
    imports = [node for node in tree.body if isinstance(node, (ast.Import, ast.ImportFrom))]
    import_line = f"from voucher_checker.options import {', '.join(sorted(used))}"
    new = source_lines[:start - 1] + block.splitlines() + source_lines[end:]
    after = imports[-1].end_lineno if imports else 0
    checker_imports = [n for n in imports if isinstance(n, ast.ImportFrom) and (n.module or "").startswith("voucher_checker")]
    if checker_imports:
        after = checker_imports[-1].end_lineno
    new.insert(after, import_line)
    return "\n".join(new) + "\n"


def main() -> None:
    args = [a for a in sys.argv[1:] if a != "--write"]
    for path in map(Path, args):
        converted = convert(path.read_text(encoding="utf-8"))
        if "--write" in sys.argv:
            path.write_text(converted, encoding="utf-8")
            print(f"converted {path}")
        else:
            print(converted)


if __name__ == "__main__":
    main()
