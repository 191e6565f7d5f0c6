"""The voucher-check command as a user runs it."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib

from click.testing import CliRunner

from voucher_checker.cli import main
from voucher_checker.policy import load_policy
from voucher_checker.registry import discover
from tests.conftest import write_xlsx

HEADER = ["日期", "凭证号", "摘要", "科目", "借方", "贷方", "制单", "审核"]


def clean_book(path):
    return write_xlsx(path, {"3月": [["建设社区行政账"], HEADER,
                                     ["2021-03-02", "记-1", "购买打印纸", "管理费用-办公费", 300, None, "张三", "李四"],
                                     ["", "", "购买打印纸", "银行存款", None, 300, "", ""]]})


def withdrawal_book(path):
    return write_xlsx(path, {"3月": [["建设社区行政账"], HEADER,
                                     ["2021-03-08", "记-1", "提取备用金", "库存现金", 2500, None, "张三", "李四"],
                                     ["", "", "提取备用金", "银行存款", None, 2500, "", ""]]})


def run(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_exit_code_0_when_nothing_found(tmp_path):
    clean_book(tmp_path / "in" / "建设社区行政账.xlsx")
    result = run("scan", str(tmp_path / "in"), "--no-report", "--jobs", "1")
    assert result.exit_code == 0, result.output
    assert "读取 1 个文件、1 张工作表、2 行分录" in result.output


def test_exit_code_1_with_findings_and_json_contract(tmp_path):
    withdrawal_book(tmp_path / "in" / "建设社区行政账.xlsx")
    out = tmp_path / "out.json"
    result = run("scan", str(tmp_path / "in"), "--no-report", "--json", str(out), "--jobs", "1")
    assert result.exit_code == 1, result.output
    data = json.loads(out.read_text(encoding="utf-8"))
    assert set(data) >= {"version", "files", "errors", "findings"}
    assert data["files"] == [{"file": "建设社区行政账.xlsx", "sheet": "3月", "entity": "建设社区", "book": "admin",
                              "lines": 2, "skipped": 0, "periods": ["2021-03"]}]
    finding = next(f for f in data["findings"] if f["rule"] == "petty-cash-over-limit")
    assert set(finding) == {"rule", "severity", "level", "entity", "book", "file", "sheet", "rows", "period", "voucher",
                            "voucher_number", "date", "amount", "message", "score", "id"}
    assert finding["level"] == "voucher"
    assert (finding["voucher"], finding["voucher_number"], finding["rows"], finding["amount"]) == ("记-1", 1, [3, 4], 2500.0)
    assert finding["date"] == "2021-03-08"
    scores = data["scores"]
    assert scores["rules"]["petty-cash-over-limit"] == {"weight": 50.0, "group": "notice"}
    voucher = next(v for v in scores["vouchers"] if v["voucher"] == "记-1")
    assert voucher["score"] == finding["score"] >= 50 and voucher["band"] == "high"
    assert scores["units"][0]["entity"] == "建设社区" and scores["units"][0]["rank"] == 1


def test_exit_code_2_when_an_input_cannot_be_read_but_the_rest_is_reported(tmp_path):
    withdrawal_book(tmp_path / "in" / "建设社区行政账.xlsx")
    (tmp_path / "in" / "坏文件.xlsx").write_bytes(b"not a workbook")
    out = tmp_path / "out.json"
    result = run("scan", str(tmp_path / "in"), "--no-report", "--json", str(out), "--jobs", "1")
    assert result.exit_code == 2
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["errors"][0]["file"] == "坏文件.xlsx" and data["errors"][0]["kind"] == "error"
    assert data["findings"], "findings of the readable file are still written"
    assert "坏文件.xlsx" in result.output


def test_json_to_stdout_keeps_stdout_clean(tmp_path):
    withdrawal_book(tmp_path / "a.xlsx")
    result = CliRunner().invoke(main, ["scan", str(tmp_path / "a.xlsx"), "--no-report", "--json", "-", "--jobs", "1"])
    data = json.loads(result.stdout)
    assert data["files"][0]["file"] == str(tmp_path / "a.xlsx"), "a file given directly is named as given"


def test_period_option(tmp_path):
    withdrawal_book(tmp_path / "a.xlsx")
    withdrawal_book(tmp_path / "b.xlsx")
    assert run("scan", str(tmp_path / "a.xlsx"), "--no-report", "--period", "2021-03").exit_code == 1
    assert run("scan", str(tmp_path / "a.xlsx"), "--no-report", "--period", "2021-03..2021-04").exit_code == 1
    assert run("scan", str(tmp_path / "a.xlsx"), "--no-report", "--period", "2021-13").exit_code == 4


def test_rule_and_skip_rule(tmp_path):
    withdrawal_book(tmp_path / "a.xlsx")
    assert run("scan", str(tmp_path / "a.xlsx"), "--no-report", "--skip-rule", "petty-cash-over-limit").exit_code == 0
    assert run("scan", str(tmp_path / "a.xlsx"), "--no-report", "--rule", "unbalanced-voucher").exit_code == 0
    result = run("scan", str(tmp_path / "a.xlsx"), "--no-report", "--rule", "no-such-rule")
    assert result.exit_code == 4 and "no-such-rule" in result.output


def test_init_config_writes_every_option_and_loads_back(tmp_path):
    target = tmp_path / "策略.toml"
    assert run("init-config", str(target)).exit_code == 0
    data = tomllib.loads(target.read_text(encoding="utf-8"))
    for rule in discover():
        assert data["rules"][rule.id] == {"enabled": True, "weight": rule.default_weight, **rule.defaults}
    again = run("init-config", str(target))
    assert again.exit_code == 4 and "已存在" in again.output, "an existing file is not overwritten"
    assert run("init-config", str(target), "--force").exit_code == 0
    load_policy(target)


def test_config_changes_a_threshold(tmp_path):
    withdrawal_book(tmp_path / "a.xlsx")
    config = tmp_path / "p.toml"
    config.write_text("[rules.petty-cash-over-limit]\nlimit_yuan = 5000\n", encoding="utf-8")
    assert run("scan", str(tmp_path / "a.xlsx"), "--no-report", "--config", str(config),
               "--skip-rule", "cash-payment").exit_code == 0


def test_rules_command_lists_options(tmp_path):
    result = run("rules")
    assert result.exit_code == 0
    assert "petty-cash-over-limit" in result.output and "limit_yuan = 2000" in result.output


def test_rules_command_shows_what_overrides_change_for_which_units(tmp_path):
    policy = tmp_path / "p.toml"
    policy.write_text('[rules.cash-payment]\nenabled = false\n[[overrides]]\nentity = "和平村"\n'
                      'opening_cash_yuan = 300\n[overrides.rules.cash-payment]\nenabled = true\n', encoding="utf-8")
    result = run("rules", "--config", str(policy))
    assert result.exit_code == 0, result.output
    blocks = {block.split()[0]: block for block in result.output.split("\n") if block and not block.startswith(" ")}
    assert "（只对部分单位启用，见 [[overrides]]）" in blocks["cash-payment"]
    lines = [line.strip() for line in result.output.splitlines() if "按单位" in line]
    assert "按单位（第 1 项 [[overrides]]）：和平村：启用" in lines
    assert lines.count("按单位（第 1 项 [[overrides]]）：和平村：opening_cash_yuan = 300") == 3


def test_inspect_shows_mapping(tmp_path):
    path = withdrawal_book(tmp_path / "建设社区行政账.xlsx")
    result = run("inspect", str(path))
    assert result.exit_code == 0
    assert "表头行：第 2 行" in result.output
    assert "摘要 ← C（摘要）" in result.output
    assert "单位：建设社区" in result.output and "账套：行政账" in result.output


def test_console_output_survives_a_gbk_console(tmp_path):
    # A file name with a character GBK cannot encode, printed in the error list.
    bad = tmp_path / "坏文件😀.xlsx"
    bad.write_bytes(b"junk")
    env = {**os.environ, "PYTHONIOENCODING": "gbk", "PYTHONUTF8": "0"}
    proc = subprocess.run([sys.executable, "-m", "voucher_checker", "scan", str(tmp_path), "--no-report", "--jobs", "1"],
                          capture_output=True, env=env)
    assert proc.returncode == 2, proc.stderr.decode("gbk", "replace")
    text = proc.stdout.decode("gbk")
    assert "无法读取或有错误的输入" in text


def test_the_command_ends_with_its_exit_code_and_complete_files(tmp_path):
    # `python -m voucher_checker` ends the process without the interpreter's teardown: what it wrote
    # must be complete and the exit code kept.
    withdrawal_book(tmp_path / "books" / "建设社区行政账.xlsx")
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "voucher_checker", "scan", str(tmp_path / "books"), "-o", str(out / "r.xlsx"),
                           "--json", str(out / "r.json"), "--csv", str(out / "r.csv")], capture_output=True)
    assert proc.returncode == 1, proc.stderr.decode("utf-8", "replace")
    assert json.loads((out / "r.json").read_text(encoding="utf-8"))["findings"]
    assert "超限额提取备用金" in (out / "r.csv").read_text(encoding="utf-8-sig")
    import openpyxl
    assert openpyxl.load_workbook(out / "r.xlsx").sheetnames[0] == "汇总"
    assert "超限额提取备用金" in proc.stdout.decode("utf-8", "replace")


def test_loading_keeps_the_garbage_collector_as_it_found_it():
    # The scan loads its modules with the collector off (cli._loading), and then collects as
    # before: a scan of a district must not keep its cyclic garbage.
    import gc

    from voucher_checker.cli import _loading, load_scan_modules
    assert gc.isenabled()
    with _loading():
        assert not gc.isenabled()
        with _loading():
            assert not gc.isenabled()
        assert not gc.isenabled()              # an inner block does not switch it back on early
    assert gc.isenabled()
    load_scan_modules()
    assert gc.isenabled()
    assert "OPENBLAS_NUM_THREADS" not in os.environ     # set only while numpy loads
    gc.disable()
    try:
        with _loading():
            pass
        assert not gc.isenabled()              # nor does it switch on a collector that was off
    finally:
        gc.enable()


def test_version_is_shown_as_click_shows_it():
    from voucher_checker import __version__
    result = run("--version")
    assert result.exit_code == 0
    assert result.output == f"voucher-check, version {__version__}\n"


def test_a_plugin_that_fails_to_load_stops_the_reading_ahead(tmp_path, monkeypatch):
    # The command starts reading before it loads the rules: a broken plug-in must not leave
    # the reading threads opening files.  The user reads one sentence, the traceback is logged.
    import tempfile

    from voucher_checker import registry, sources
    (tmp_path / "temp").mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "temp"))
    withdrawal_book(tmp_path / "books" / "建设社区行政账.xlsx")
    closed = []
    original_close = sources.Opener.close

    def close(self):
        closed.append(True)
        original_close(self)

    def broken():
        raise ImportError("no module named local_rules")
    monkeypatch.setattr(sources.Opener, "close", close)
    monkeypatch.setattr(registry, "_plugin_modules", broken)
    result = CliRunner().invoke(main, ["scan", str(tmp_path / "books"), "--no-report"])
    assert result.exit_code == 3
    assert "程序内部出错（ImportError：no module named local_rules）" in result.output and "Traceback" not in result.output
    [log] = (tmp_path / "temp" / "voucher-checker").iterdir()
    assert str(log) in result.output and "no module named local_rules" in log.read_text(encoding="utf-8")
    assert closed


def test_the_command_starts_reading_before_the_heavy_modules_load():
    # What loads before the first workbook is opened (cli.scan → sources.Opener): none of
    # pandas, numpy, pyarrow or importlib.metadata (README "Speed", start-up).
    code = ("import sys, voucher_checker.cli, voucher_checker.sources; "
            "print(sorted(m for m in ('pandas', 'numpy', 'pyarrow', 'importlib.metadata') if m in sys.modules))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"


def test_arrow_uses_the_system_allocator_whether_or_not_pyarrow_loaded_first():
    for first in ("", "import pyarrow; "):
        code = (f"{first}from voucher_checker.sources import tune_memory; tune_memory(); import pyarrow as pa; "
                "print(pa.default_memory_pool().backend_name)")
        env = {k: v for k, v in os.environ.items() if k != "ARROW_DEFAULT_MEMORY_POOL"}
        proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
        assert proc.returncode == 0, proc.stderr
        assert proc.stdout.strip() == "system", first
