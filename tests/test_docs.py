"""The README says what the code does: rule catalogue, quick-start commands, CI."""
from __future__ import annotations

import re
from pathlib import Path

from scripts.rule_catalogue import BEGIN, END, catalogue

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_rule_catalogue_matches_the_rule_modules():
    table = README.split(BEGIN)[1].split(END)[0].strip()
    assert table == catalogue(), "run: python scripts/rule_catalogue.py --write"


def test_readme_starts_with_exactly_two_commands_and_ci_runs_them():
    block = re.search(r"```(?:bash|sh|shell)?\n(.*?)```", README, re.S).group(1)
    commands = [line for line in block.splitlines() if line.strip()]
    assert len(commands) == 2
    assert "scan sample_ledgers" in commands[0] and "reports/" in commands[0]
    assert "pytest" in commands[1]
    assert "README.md" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_readme_exit_code_table_is_the_codes_the_command_uses():
    from voucher_checker.model import EXIT_CODE_MEANINGS, ExitCode
    table = README.split("<!-- exit-codes:begin -->")[1].split("<!-- exit-codes:end -->")[0]
    rows = [line.strip("| ").split(" | ") for line in table.strip().splitlines()[2:]]
    assert {int(code): meaning for code, meaning in rows} == {
        int(code): english for code, (english, _chinese) in EXIT_CODE_MEANINGS.items()}
    assert set(EXIT_CODE_MEANINGS) == set(ExitCode)


def test_help_lists_every_exit_code_in_chinese():
    from click.testing import CliRunner

    from voucher_checker.cli import main
    from voucher_checker.model import EXIT_CODE_MEANINGS
    output = CliRunner().invoke(main, ["--help"]).output
    for code, (_english, chinese) in EXIT_CODE_MEANINGS.items():
        assert f"{int(code)}" in output and chinese in output.replace("\n", "").replace(" ", ""), chinese
