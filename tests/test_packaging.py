"""The installed distribution claims only its own top-level name, so that it installs beside
packages that own generic names (django-rules owns `rules`)."""
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_installed_package_lives_under_voucher_checker():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    assert config["packages"] and all(name.split(".")[0] == "voucher_checker" for name in config["packages"])
    assert set(config["package-dir"].values()) == {"checker", "rules"}


def run_outside_the_checkout(code, cwd):
    # Run from elsewhere: `python -m pytest` puts the checkout itself on sys.path, where the
    # folder rules/ would hide django-rules.
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, encoding="utf-8", cwd=cwd)


def test_django_rules_and_our_rules_are_installed_side_by_side(tmp_path):
    proc = run_outside_the_checkout(
        "import importlib.metadata, rules, voucher_checker.rules as ours; "
        "assert importlib.metadata.distribution('rules').metadata['Summary'].startswith('Awesome Django'); "
        "assert rules.predicate(lambda user: user == 'reviewer').test('reviewer'); "
        "assert rules.__file__ != ours.__file__; "
        "from voucher_checker.registry import discover; print(len(discover()))", tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert int(proc.stdout) >= 10


def test_the_command_runs_beside_django_rules(tmp_path):
    book = tmp_path / "某社区.csv"
    book.write_text("日期,凭证号,摘要,科目,借方,贷方\n2024-01-05,记-1,提现,库存现金,100,\n"
                    "2024-01-05,记-1,提现,银行存款,,100\n", encoding="utf-8")
    proc = run_outside_the_checkout(
        "import rules, runpy, sys; sys.argv = ['voucher-check', 'scan', '某社区.csv', '--no-report']; "
        "runpy.run_module('voucher_checker', run_name='__main__')", tmp_path)
    assert proc.returncode in (0, 1), proc.stderr
    assert "读取 1 个文件、1 张工作表、2 行分录" in proc.stdout
    assert "1 张工作表缺少 审核人" in proc.stdout    # the field as users name it
