"""Every message a user meets on the command line: one Chinese sentence, the right exit code,
no traceback, and nothing written when nothing was checked (issue 14, point by point)."""
from __future__ import annotations

import os
import stat
import subprocess
import sys
import tempfile

import pytest
from click.testing import CliRunner

from voucher_checker import output_paths
from voucher_checker.cli import main
from voucher_checker.model import ExitCode
from tests.test_cli import withdrawal_book

ENGLISH_CLICK = ("Usage:", "Options:", "Commands:", "Show this message", "Error:", "Try '", "Invalid value",
                 "No such", "Missing argument", "Traceback")


def run(*args):
    result = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
    assert not any(word in result.output for word in ENGLISH_CLICK), result.output
    return result


@pytest.fixture
def book(tmp_path):
    return withdrawal_book(tmp_path / "books" / "建设社区行政账.xlsx")


def scan_with_policy(tmp_path, book, text, *extra):
    policy = tmp_path / "策略.toml"
    policy.write_text(text, encoding="utf-8")
    return run("scan", book, "--no-report", "--config", policy, *extra)


def one_sentence(output: str) -> str:
    lines = [line for line in output.splitlines() if line.strip()]
    assert len(lines) == 1, output
    return lines[0]


# ---------------------------------------------------------------- policy values

@pytest.mark.parametrize(("section", "line", "words"), [
    ("petty-cash-over-limit", 'limit_yuan = "1千"', ["limit_yuan", "超限额提取备用金", '文字 "1千"', "不小于 0 的金额", "数字不要加引号"]),
    ("cash-payment", 'threshold_yuan = "abc"', ["threshold_yuan", "现金支付", '文字 "abc"', "金额"]),
    ("petty-cash-over-limit", "limit_yuan = -5", ["limit_yuan", "数字 -5", "不小于 0"]),
    ("cash-payment", 'permitted_keywords = "工资"', ["permitted_keywords", "词语列表", '文字 "工资"', '["工资"]']),
    ("cash-payment", 'permitted_severity = "高"', ["permitted_severity", '"high"']),
    ("unbalanced-voucher", "journal_single_line_share = 2", ["journal_single_line_share", "0 到 1 之间"]),
    ("missing-approval", 'check_same_person = "true"', ["check_same_person", "true 或 false"]),
    ("cash-payment", 'payment_classes = ["expense", "cassh"]', ["payment_classes", "expense（费用支出）", '"cassh" 不在其中']),
    ("bulk-goods-distribution", "min_quantity = 2.5", ["min_quantity", "整数"]),
])
def test_a_wrong_value_is_one_sentence_naming_file_option_rule_given_and_expected(tmp_path, book, section, line, words):
    result = scan_with_policy(tmp_path, book, f"[rules.{section}]\n{line}\n")
    assert result.exit_code == ExitCode.USAGE
    sentence = one_sentence(result.output)
    assert sentence.startswith("错误：策略文件 ") and "策略.toml" in sentence and f"[rules.{section}]" in sentence
    for word in words:
        assert word in sentence, (word, sentence)
    assert sentence.endswith("。")


def test_a_string_where_a_list_is_meant_is_never_split_into_characters(tmp_path, book):
    from voucher_checker.policy import PolicyError, load_policy, prepare_rules
    from voucher_checker.registry import discover
    path = tmp_path / "p.toml"
    path.write_text('[rules.cash-payment]\npermitted_keywords = "工资"\n', encoding="utf-8")
    with pytest.raises(PolicyError):
        prepare_rules(discover(), load_policy(path))
    path.write_text('[rules.cash-payment]\npermitted_keywords = ["工资"]\n', encoding="utf-8")
    [rule] = [r for r in prepare_rules(discover(), load_policy(path)) if r.id == "cash-payment"]
    assert rule.options["permitted_keywords"] == ["工资"]


def test_a_thousands_comma_is_a_chinese_toml_message_with_its_line(tmp_path, book):
    result = scan_with_policy(tmp_path, book, "[rules.petty-cash-over-limit]\nlimit_yuan = 1,000\n")
    assert result.exit_code == ExitCode.USAGE
    sentence = one_sentence(result.output)
    assert "第 2 行格式有误" in sentence and "limit_yuan = 1,000" in sentence and "limit_yuan = 1000" in sentence


@pytest.mark.parametrize(("text", "words"), [
    ("limit_yuan = 1千\n", ["第 1 行", "英文双引号"]),
    ('[rules.cash-payment]\npermitted_keywords = [“工资”]\n', ["第 2 行", "英文双引号"]),
    ("[rules\n", ["第 1 行", "右方括号"]),
    ('a = "abc\n', ["第 1 行", "引号没有闭合"]),
    ("a = [1, 2\n", ["文件末尾", "方括号"]),
    ("a = 1\na = 2\n", ["第 2 行", "写了两次"]),
])
def test_toml_syntax_errors_are_explained_in_chinese(tmp_path, book, text, words):
    result = scan_with_policy(tmp_path, book, text)
    assert result.exit_code == ExitCode.USAGE
    sentence = one_sentence(result.output)
    for word in words:
        assert word in sentence, (word, sentence)


@pytest.mark.parametrize(("text", "words"), [
    ("[rulse.cash-payment]\nthreshold_yuan = 1\n", ["未知的节", "rulse"]),
    ("[rules.no-such-rule]\nx = 1\n", ["不存在的规则编号", "no-such-rule"]),
    ("[rules.cash-payment]\nthreshold = 1\n", ["未知选项", "threshold", "threshold_yuan"]),
    ('[reading]\nheader_search_rows = "30"\n', ["[reading]", "header_search_rows", "整数"]),
    ('[[reading.sources]]\npattern = "*工会*"\nbook = "工会账"\n', ["book", '"union"（工会账）']),
    ('[accounts.names]\ncassh = ["零钱"]\n', ["cassh", "科目类别"]),
    ('[[overrides]]\nentity = "和平村"\n[overrides.rules.petty-cash-over-limit]\nlimit_yuan = "五千"\n',
     ["第 1 项 [[overrides]]", "limit_yuan", '"五千"']),
    ('[[overrides]]\nentity = 5\n', ["entity", "数字 5"]),
    ('[[overrides]]\nentity = "和平村"\nopening_cash_yuan = "五千"\n', ["第 1 项 [[overrides]]", "opening_cash_yuan", '"五千"']),
    ('[[overrides]]\nentity = "和平村"\nopening_cash = 5000\n', ["未知选项", "opening_cash", "opening_cash_yuan"]),
])
def test_every_section_of_the_policy_file_is_checked(tmp_path, book, text, words):
    result = scan_with_policy(tmp_path, book, text)
    assert result.exit_code == ExitCode.USAGE
    sentence = one_sentence(result.output)
    for word in words:
        assert word in sentence, (word, sentence)


def test_an_override_that_matches_no_unit_says_so(tmp_path, book):
    text = ('[[overrides]]\nentity = "建设社区居民委员会"\n[overrides.rules.petty-cash-over-limit]\nenabled = false\n'
            '[[overrides]]\nentity = "建设社区"\nbook = "union"\nopening_cash_yuan = 0\n'
            '[[overrides]]\nentity = "建设社区"\n[overrides.rules.cash-payment]\nthreshold_yuan = 900\n')
    result = scan_with_policy(tmp_path, book, text, "--json", tmp_path / "r.json")
    assert result.exit_code == ExitCode.FINDINGS, result.output
    notes = [line for line in result.output.splitlines() if line.startswith("注意：")]
    assert len(notes) == 2, result.output          # the third names a unit that was read
    assert "第 1 项 [[overrides]]（entity = \"建设社区居民委员会\"）" in notes[0] and "建设社区" in notes[0]
    assert "第 2 项 [[overrides]]（entity = \"建设社区\"、book = \"union\"）" in notes[1]
    assert all("未生效" in note for note in notes)
    # The petty-cash finding is still there: the misspelt unit turned nothing off.
    import json
    data = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert any(f["rule"] == "petty-cash-over-limit" for f in data["findings"])
    notes = [e for e in data["errors"] if "[[overrides]]" in e["message"]]
    assert len(notes) == 2
    # The file's name, not where it is kept (the web page stores uploaded policies privately).
    assert all(e["file"] == "策略.toml" and str(tmp_path) not in e["message"] for e in notes)
    assert {e["kind"] for e in notes} == {"policy"}


def test_a_missing_or_non_utf8_policy_file(tmp_path, book):
    assert "找不到策略文件" in one_sentence(run("scan", book, "--config", tmp_path / "无.toml").output)
    (tmp_path / "gbk.toml").write_bytes("[rules.cash-payment]\n# 中文注释\n".encode("gbk"))
    result = run("scan", book, "--config", tmp_path / "gbk.toml")
    assert result.exit_code == ExitCode.USAGE and "UTF-8" in result.output


# ---------------------------------------------------------------- usage

def test_usage_errors_exit_4_in_chinese(tmp_path, book):
    for args, words in [(["scna"], ["没有 scna 这个命令", "是不是 scan"]),
                        (["scan", book, "--bogus"], ["没有 --bogus 这个选项"]),
                        (["scan"], ["缺少参数"]),
                        (["scan", book, "--jobs", "0"], ["--jobs", "不小于 1"]),
                        (["scan", book, "--json"], ["--json 后面要写一个值"]),
                        (["scan", book, "--rule", "no-such-rule"], ["没有编号为 no-such-rule 的规则"]),
                        (["rules", "extra"], ["多余的参数：extra"]),
                        (["inspect", tmp_path], ["是一个文件夹"])]:
        result = run(*args)
        assert result.exit_code == ExitCode.USAGE, (args, result.output)
        for word in words:
            assert word in result.output, (args, result.output)
    usage = run("scan").output
    assert usage.startswith("用法：") and "查看帮助" in usage and "错误：" in usage


def test_help_is_chinese_everywhere():
    for args in (["-h"], ["--help"], ["scan", "-h"], ["inspect", "-h"], ["rules", "-h"], ["init-config", "-h"],
                 ["review", "-h"], ["review", "import", "-h"], ["progress", "-h"], ["serve", "-h"]):
        result = run(*args)
        assert result.exit_code == 0
        assert result.output.startswith("用法：") and "选项：" in result.output and "显示本帮助并退出。" in result.output
        # As the README says: every command's help ends with its exit codes, and no English.
        assert "退出码：" in result.output and "  0  " in result.output, args
        assert "[default" not in result.output and "[required]" not in result.output, args
    assert "命令：" in run("-h").output
    assert run().output == run("-h").output, "the program alone shows its help"


def test_a_pdf_named_on_the_command_line_is_said_to_be_no_ledger(tmp_path):
    pdf = tmp_path / "凭证扫描件.pdf"
    pdf.write_bytes(b"%PDF-1.4\n")
    for command in (("inspect", pdf), ("scan", pdf, "--no-report")):
        result = run(*command)
        assert result.exit_code == ExitCode.INPUT_UNREADABLE, result.output
        assert "PDF 文件不是账簿" in result.output and "扩展名像表格" not in result.output
    scanned = run("scan", pdf, "--no-report").output
    assert "问题数" not in scanned, "nothing was read: no table of rules with zero findings"
    assert "\n  ：" not in scanned


def test_a_backwards_period_is_explained(book):
    result = run("scan", book, "--no-report", "--period", "2021-06..2021-01")
    assert result.exit_code == ExitCode.USAGE
    assert "起止顺序颠倒了" in result.output and "--period 2021-01..2021-06" in result.output
    for text, word in [("2021-13", "1 到 12"), ("2021", "不是月份"), ("2021-01..2021-02..2021-03", "两处")]:
        assert word in run("scan", book, "--no-report", "--period", text).output


def test_a_period_no_book_has_lines_in_is_said_with_the_months_covered(tmp_path, book):
    out = tmp_path / "out.json"
    result = run("scan", book, "--no-report", "--json", out, "--period", "2019-01")
    assert result.exit_code == ExitCode.USAGE
    assert "所选期间 2019-01 在所有账簿中都没有分录" in result.output and "有分录的月份：2021-03" in result.output
    assert not out.exists(), "nothing checked, nothing written"
    # No table of rules with zero findings, which would read like a clean pass.
    assert "问题数" not in result.output and "只报告" not in result.output
    one_month = run("scan", book, "--no-report", "--period", "2021-03")
    assert "只报告 2021-03 的问题" in one_month.output and "问题数" in one_month.output
    partly = run("scan", book, "--no-report", "--period", "2021-02..2021-04")
    assert partly.exit_code == ExitCode.FINDINGS
    assert "2021-02、2021-04 在所有账簿中都没有分录" in partly.output


# ---------------------------------------------------------------- output paths

def test_a_folder_given_as_the_report_is_refused_before_reading(tmp_path, book):
    folder = tmp_path / "报告"
    folder.mkdir()
    result = run("scan", book, "-o", folder)
    assert result.exit_code == ExitCode.USAGE
    assert "是一个文件夹" in one_sentence(result.output) and "检查结果.xlsx" in result.output
    assert list(folder.iterdir()) == []


def test_a_report_name_without_extension_gets_xlsx(tmp_path, book):
    result = run("scan", book, "-o", tmp_path / "报告")
    assert result.exit_code == ExitCode.FINDINGS
    assert (tmp_path / "报告.xlsx").exists() and not (tmp_path / "报告").exists()
    assert "已写为" in result.output and "报告.xlsx" in result.output
    dotted = run("scan", book, "-o", tmp_path / "检查报告2021.09")
    assert dotted.exit_code == ExitCode.FINDINGS and (tmp_path / "检查报告2021.09.xlsx").exists()


@pytest.mark.parametrize(("option", "name", "hint"), [("-o", "r.csv", "--csv"), ("-o", "r.xls", ""),
                                                       ("--csv", "r.xlsx", "-o"), ("--json", "r.txt", "")])
def test_another_extension_is_refused_never_written(tmp_path, book, option, name, hint):
    extra = [] if option == "-o" else ["--no-report"]
    result = run("scan", book, option, tmp_path / name, *extra)
    assert result.exit_code == ExitCode.USAGE
    assert "结尾" in one_sentence(result.output) and hint in result.output
    assert not (tmp_path / name).exists()


def test_a_read_only_report_is_not_blamed_on_excel(tmp_path, book):
    report = tmp_path / "r.xlsx"
    report.write_bytes(b"old")
    report.chmod(stat.S_IREAD)
    try:
        result = run("scan", book, "-o", report)
    finally:
        report.chmod(stat.S_IREAD | stat.S_IWRITE)
    assert result.exit_code == ExitCode.USAGE
    sentence = one_sentence(result.output)
    assert "只读" in sentence and "打开" not in sentence
    assert report.read_bytes() == b"old"


def test_a_path_blocked_by_a_file(tmp_path, book):
    (tmp_path / "reports").write_text("a file, not a folder", encoding="utf-8")
    result = run("scan", book, "-o", tmp_path / "reports" / "r.xlsx")
    assert result.exit_code == ExitCode.USAGE
    sentence = one_sentence(result.output)
    assert "是一个文件，不是文件夹" in sentence and "FileExistsError" not in sentence


def test_a_workbook_open_in_excel_or_wps(tmp_path, book):
    report = tmp_path / "r.xlsx"
    report.write_bytes(b"old")
    (tmp_path / "~$r.xlsx").write_bytes(b"owner")        # what Excel and WPS leave beside an open workbook
    result = run("scan", book, "-o", report)
    assert result.exit_code == ExitCode.USAGE
    sentence = one_sentence(result.output)
    assert "正在 Excel 或 WPS 中打开" in sentence and "~$r.xlsx" in sentence
    assert report.read_bytes() == b"old"


def test_windows_refusing_to_open_an_open_workbook(tmp_path, book, monkeypatch):
    report = tmp_path / "r.xlsx"
    report.write_bytes(b"old")

    def locked(path, mode="r", *args, **kwargs):
        raise PermissionError(13, "Permission denied", str(path))
    monkeypatch.setattr(output_paths, "open", locked, raising=False)      # Windows: an open workbook
    result = run("scan", book, "-o", report)
    assert result.exit_code == ExitCode.USAGE
    assert "正在 Excel 或 WPS 中打开" in one_sentence(result.output)


def test_a_report_that_cannot_be_written_after_the_scan(tmp_path, book, monkeypatch):
    # The pre-check passed, then Windows refused the file while the report was written.
    from voucher_checker import report
    monkeypatch.setattr(output_paths, "WINDOWS", True)

    def refused(result, path):
        raise PermissionError(13, "Permission denied", str(path))
    target = tmp_path / "r.xlsx"
    target.write_bytes(b"old")
    monkeypatch.setattr(report, "write_report", refused)
    result = run("scan", book, "-o", target, "--json", tmp_path / "r.json")
    assert result.exit_code == ExitCode.TOOL_FAILED
    assert "正在 Excel 或 WPS 中打开" in result.output.splitlines()[-1]
    assert (tmp_path / "r.json").exists(), "what could be written is written"


def test_write_failures_name_their_cause(tmp_path):
    from voucher_checker.output_paths import write_failure
    readonly = tmp_path / "r.xlsx"
    readonly.write_bytes(b"x")
    readonly.chmod(stat.S_IREAD)
    try:
        assert "只读" in write_failure(PermissionError(13, "denied"), readonly, "Excel 报告")
    finally:
        readonly.chmod(stat.S_IREAD | stat.S_IWRITE)
    assert "没有在文件夹" in write_failure(PermissionError(13, "denied"), tmp_path / "new.xlsx", "Excel 报告")
    assert "挡住" in write_failure(NotADirectoryError(20, "not a dir"), tmp_path / "a" / "b.xlsx", "Excel 报告")
    assert "磁盘空间不足" in write_failure(OSError(28, "No space left on device"), tmp_path / "c.xlsx", "Excel 报告")


def test_init_config_paths(tmp_path):
    assert run("init-config", tmp_path / "策略").exit_code == 0 and (tmp_path / "策略.toml").exists()
    assert run("init-config", tmp_path / "策略.txt").exit_code == ExitCode.USAGE
    existing = run("init-config", tmp_path / "策略.toml")
    assert existing.exit_code == ExitCode.USAGE and "--force" in existing.output


# ---------------------------------------------------------------- rules listing, failures

def test_rules_listing_is_chinese_with_the_values_as_written():
    output = run("rules").output
    assert "True" not in output and "False" not in output
    assert "check_same_person = true（是）" in output and "drop_permitted = false（否）" in output
    assert "需要的列：借方金额、贷方金额、会计科目" in output
    columns = [line for line in output.splitlines() if "需要的列：" in line]
    assert len(columns) >= 10 and all(line.split("：")[1].replace("、", "").isalpha() and
                                      not line.split("：")[1].isascii() for line in columns)
    assert not any(word in line for line in columns for word in ("debit", "credit", "account", "reviewer"))
    assert "取值：不小于 0 的金额（单位：元）" in output
    assert "opening_cash_yuan = （未设置）" in output


def test_an_unexpected_failure_is_one_sentence_and_a_log(tmp_path, book, monkeypatch):
    from voucher_checker import scan as scan_module
    (tmp_path / "temp").mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "temp"))

    def broken(*args, **kwargs):
        raise KeyError("voucher_key")
    monkeypatch.setattr(scan_module, "scan", broken)
    result = run("scan", book, "--no-report")
    assert result.exit_code == ExitCode.TOOL_FAILED
    sentence = one_sentence(result.output)
    assert sentence.startswith("程序内部出错（KeyError") and "详细信息已写入" in sentence
    [log] = (tmp_path / "temp" / "voucher-checker").iterdir()
    assert str(log) in sentence
    text = log.read_text(encoding="utf-8")
    assert "Traceback" in text and "KeyError: 'voucher_key'" in text


def test_a_failure_whose_log_cannot_be_written_still_is_one_sentence(tmp_path, book, monkeypatch):
    from voucher_checker import scan as scan_module
    blocker = tmp_path / "temp"
    blocker.mkdir()
    (blocker / "voucher-checker").write_text("a file where the log folder should be", encoding="utf-8")
    monkeypatch.setattr(tempfile, "tempdir", str(blocker))
    monkeypatch.setattr(scan_module, "scan", lambda *a, **k: 1 / 0)
    result = run("scan", book, "--no-report")
    assert result.exit_code == ExitCode.TOOL_FAILED
    assert "无法写入日志文件" in one_sentence(result.output)


def test_a_rule_module_in_the_old_style_is_refused_with_how_to_convert(monkeypatch):
    import types

    from voucher_checker import registry
    module = types.ModuleType("local_rules.old")
    module.ID, module.TITLE, module.TITLE_EN, module.SEVERITY, module.BASIS = "old-rule", "旧", "Old", "low", "无"
    module.DEFAULTS, module.OPTIONS_HELP = {"limit_yuan": 1}, {"limit_yuan": "限额。来源：无"}
    module.check = lambda ledger, options: None
    with pytest.raises(registry.RuleDefinitionError, match="convert_rule_options"):
        registry.Rule.from_module(module)


# ---------------------------------------------------------------- a GBK console

GBK = {**os.environ, "PYTHONIOENCODING": "gbk", "PYTHONUTF8": "0"}


@pytest.mark.parametrize("args", [["-h"], ["scan", "-h"], ["rules"], ["scan", "账簿😀"], ["scna😀"],
                                  ["scan", "x", "--period", "2021-06..2021-01"]])
def test_every_message_survives_a_gbk_console(args):
    proc = subprocess.run([sys.executable, "-m", "voucher_checker", *args], capture_output=True, env=GBK)
    assert proc.returncode in (0, ExitCode.INPUT_UNREADABLE, ExitCode.USAGE), proc.stderr.decode("gbk", "replace")
    text = (proc.stdout + proc.stderr).decode("gbk")
    assert "Traceback" not in text and "UnicodeEncodeError" not in text
    assert any("\u4e00" <= ch <= "\u9fff" for ch in text)


def test_a_policy_error_naming_a_file_gbk_cannot_show(tmp_path, book):
    policy = tmp_path / "策略😀.toml"
    policy.write_text('[rules.cash-payment]\nthreshold_yuan = "abc"\n', encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "voucher_checker", "scan", str(book), "--config", str(policy)],
                          capture_output=True, env=GBK)
    assert proc.returncode == ExitCode.USAGE
    assert "threshold_yuan" in proc.stderr.decode("gbk")
