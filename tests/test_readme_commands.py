"""The README's promises about the command line hold: its exit-code tables are the code's, the
help lists them, and its first command writes only where git ignores it (a fresh clone stays
unmodified after it)."""
from __future__ import annotations

import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from voucher_checker.cli import main
from voucher_checker.model import EXIT_CODE_MEANINGS, ExitCode

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _between(name: str) -> str:
    return README.split(f"<!-- {name}:begin -->")[1].split(f"<!-- {name}:end -->")[0].strip()


def test_readme_exit_code_table_is_the_code():
    rows = [line.strip().strip("|").split("|") for line in _between("exit-codes").splitlines()[2:]]
    table = {int(code): meaning.strip() for code, meaning in rows}
    assert table == {int(code): english for code, (english, _) in EXIT_CODE_MEANINGS.items()}
    assert set(EXIT_CODE_MEANINGS) == set(ExitCode)


def test_chinese_quick_start_exit_codes_are_the_code():
    line = _between("exit-codes-zh")
    expected = "；".join(f"{int(code)} {chinese}" for code, (_, chinese) in EXIT_CODE_MEANINGS.items())
    assert line == f"退出码：{expected}。"


def test_help_lists_every_exit_code():
    for args in (["-h"], ["scan", "-h"]):
        text = CliRunner().invoke(main, args).output
        for code, (_, chinese) in EXIT_CODE_MEANINGS.items():
            assert f"{int(code)}  {chinese}" in text


def _first_command() -> list[str]:
    block = re.search(r"```(?:bash|sh|shell)?\n(.*?)```", README, re.S).group(1)
    first = [line for line in block.splitlines() if line.strip()][0]
    return shlex.split(first.split("&&", 1)[1])


def test_first_command_writes_only_git_ignored_paths():
    words = _first_command()
    written = [words[i + 1] for i, word in enumerate(words) if word in ("-o", "--output", "--json", "--csv")]
    assert written, words
    if shutil.which("git") is None or subprocess.run(["git", "rev-parse"], cwd=ROOT, capture_output=True).returncode:
        pytest.skip("not a git checkout")
    for path in written:
        assert path.startswith("reports/"), path
        tracked = subprocess.run(["git", "ls-files", "--error-unmatch", path], cwd=ROOT, capture_output=True)
        assert tracked.returncode != 0, f"{path} is tracked: the first command would modify the checkout"
        ignored = subprocess.run(["git", "check-ignore", "-q", path], cwd=ROOT)
        assert ignored.returncode == 0, f"{path} is not git-ignored: the first command would leave an untracked file"


def test_ci_checks_the_checkout_is_unchanged_after_the_first_command():
    assert "git status --porcelain" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
