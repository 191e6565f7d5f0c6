"""The `voucher-check` command: scan, inspect, rules, init-config.

Console text is Chinese and must survive a GBK console on Windows: stdout and stderr are set to
replace what the console cannot encode instead of crashing."""
from __future__ import annotations

import gc
import os
import sys
from contextlib import contextmanager
from pathlib import Path

import click

from .fields import BOOK_LABELS, SEVERITY_LABELS, SOURCE_FIELD_LABELS
from .money import format_yuan
from .policy import PolicyError, default_policy_text, load_policy, prepare_rules
from .registry import discover


def _make_console_safe() -> None:
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.reconfigure(errors="replace")
        except (AttributeError, ValueError):
            pass


@contextmanager
def _loading():
    """Loading pandas, pyarrow, pandera and openpyxl leaves about 175,000 objects for the cyclic
    garbage collector to track, and it walked them again and again as they were made (two full
    and some 250 partial collections): about 0.1 s of a scan's start-up, on the main thread
    that everything else waits for (README "Speed").  What loads is not garbage, so the
    collector is off while loading, and what loaded is then frozen out of later collections
    (the scan command thaws it when it ends, for callers that go on in the same process).
    OpenBLAS, which the scan never calls, would start a thread per core when numpy loads; it
    reads its setting then, so the variable is gone again afterwards (child processes of a
    program that runs the scan inside it do not inherit it)."""
    limit_blas = "OPENBLAS_NUM_THREADS" not in os.environ
    if limit_blas:
        os.environ["OPENBLAS_NUM_THREADS"] = "1"
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if collecting:
            gc.enable()
        if limit_blas:
            os.environ.pop("OPENBLAS_NUM_THREADS", None)


def load_scan_modules(report: bool = True) -> None:
    """Load everything a scan runs: pandas, pandera with its checks set up, the rules and (with
    ``report``) the report writer.  The command line does it while its threads read the first
    workbooks; the benchmark times it alone as the start-up every scan pays."""
    with _loading():
        from . import scan  # noqa: F401
        from .schema import warm_up
        if report:
            from . import report as report_writer  # noqa: F401
        discover()
        warm_up()


def _echo(text: str = "", err: bool = False) -> None:
    click.echo(text, err=err)


def _width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _pad(text: str, width: int, right: bool = False) -> str:
    space = " " * max(0, width - _width(text))
    return space + text if right else text + space


class PolicyProblem(click.ClickException):
    """A policy or option the scan cannot start with: exit 2, like unreadable input."""
    exit_code = 2


def _load(config: str | None):
    try:
        return load_policy(config)
    except PolicyError as exc:
        raise PolicyProblem(str(exc)) from None


def _show_version(ctx: click.Context, _param, value: bool) -> None:
    # click.version_option would need the version when this module loads (see __init__).
    if value and not ctx.resilient_parsing:
        from . import __version__
        click.echo(f"voucher-check, version {__version__}")
        ctx.exit()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--version", is_flag=True, expose_value=False, is_eager=True, callback=_show_version,
              help="Show the version and exit.")
def main() -> None:
    """社区/村账簿凭证检查工具：读取 Excel 导出的序时账，找出违反财务规定的凭证，生成例外事项报告。"""
    _make_console_safe()


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("-o", "--output", "report_path", type=click.Path(dir_okay=False),
              help="Excel 报告路径（默认 reports/凭证检查报告.xlsx）。")
@click.option("--json", "json_path", type=click.Path(dir_okay=False, allow_dash=True),
              help="同时写出 JSON 结果；“-”表示输出到屏幕。")
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False), help="同时把问题清单写成 CSV。")
@click.option("--config", type=click.Path(dir_okay=False), help="策略文件（voucher-check init-config 生成）。")
@click.option("--jobs", type=click.IntRange(min=1), default=None,
              help="同时读取的文件数（读取线程数；默认每个 CPU 核一个）。")
@click.option("--period", "period_text", help="只报告这些月份的问题，如 2021-09 或 2021-01..2021-06；仍读取全部账簿以便核对余额和编号。")
@click.option("--rule", "only", multiple=True, help="只运行这些规则（可重复）。")
@click.option("--skip-rule", "skip", multiple=True, help="不运行这些规则（可重复）。")
@click.option("--no-report", is_flag=True, help="不写 Excel 报告。")
def scan(paths, report_path, json_path, csv_path, config, jobs, period_text, only, skip, no_report):
    """检查 PATHS 中的账簿文件（.xlsx .xlsm .xls .csv，可为文件夹，递归查找）。

    退出码：0 未发现问题；1 发现问题；2 有输入无法读取（其余文件的结果照常写出）；3 工具自身出错。
    """
    import datetime as dt

    from .model import parse_period_filter
    with _loading():
        from .sources import Opener, collect_inputs, tune_memory
        tune_memory()
        started = dt.datetime.now().replace(microsecond=0)
        policy = _load(config)
        try:
            periods = parse_period_filter(period_text)
        except ValueError:
            raise click.BadParameter("应为 2021-09 或 2021-01..2021-06 这样的月份", param_hint="--period") from None
        # Reading starts now, on threads, while pandas, the rules and the report writer load.
        inputs = collect_inputs(paths)
        opener = Opener(inputs[0], policy.reading, jobs)
        click.get_current_context().call_on_close(gc.unfreeze)
        try:
            load_scan_modules(report=not no_report)
        except BaseException:
            opener.close()          # a plug-in that fails to load: stop reading ahead
            raise
    from .scan import dump_json, scan as run_scan
    to_stderr = json_path == "-"
    bar_holder = {}

    def on_files(count: int) -> None:
        if count > 1 and sys.stderr.isatty():
            bar_holder["bar"] = click.progressbar(length=count, label="读取账簿", file=sys.stderr)
            bar_holder["bar"].__enter__()

    def progress(step: int) -> None:
        if "bar" in bar_holder:
            bar_holder["bar"].update(step)

    try:
        result = run_scan(paths, policy, jobs=opener.jobs, only=only, skip=skip, periods=periods,
                          progress=progress, on_files=on_files, inputs=inputs, opener=opener, started=started)
    except PolicyError as exc:
        raise PolicyProblem(str(exc)) from None
    finally:
        if "bar" in bar_holder:
            bar_holder["bar"].__exit__(None, None, None)

    written = []
    try:
        # Machine-readable results first: they are cheap and hold everything even if the
        # report cannot be written.
        if json_path == "-":
            click.echo(dump_json(result))
        elif json_path:
            Path(json_path).parent.mkdir(parents=True, exist_ok=True)
            Path(json_path).write_text(dump_json(result), encoding="utf-8")
            written.append(("JSON 结果", json_path))
        if csv_path:
            from .report import write_findings_csv
            Path(csv_path).parent.mkdir(parents=True, exist_ok=True)
            write_findings_csv(result, csv_path)
            written.append(("CSV 问题清单", csv_path))
        if not no_report:
            from .report import write_report
            report_path = Path(report_path or Path("reports") / "凭证检查报告.xlsx")
            report_path.parent.mkdir(parents=True, exist_ok=True)
            write_report(result, report_path)
            written.append(("Excel 报告", str(report_path)))
    except PermissionError as exc:
        print_summary(result, written, err=to_stderr)
        _echo(f"无法写出结果文件 {exc.filename}：文件可能正在 Excel/WPS 中打开，请关闭后重试。", err=True)
        sys.exit(INTERNAL_ERROR)
    except Exception as exc:  # noqa: BLE001 - exit 1 means "findings"; a failure must not look like it
        print_summary(result, written, err=to_stderr)
        _echo(f"写出结果时出错（程序缺陷，请把输入文件和以下信息提供给维护人员）：{type(exc).__name__}: {exc}", err=True)
        sys.exit(INTERNAL_ERROR)
    print_summary(result, written, err=to_stderr)
    sys.exit(result.exit_code)


# Exit codes: 0 nothing found, 1 findings, 2 some input unreadable, 3 the tool itself failed.
INTERNAL_ERROR = 3


def print_summary(result, written, err: bool = False) -> None:
    sheets = [s for s in result.read.sheets if s.status == "read"]
    files = {s.file for s in result.read.sheets}
    dropped = sum(sum(s.skipped.values()) for s in result.read.sheets)
    errors = [e for e in result.errors if e.kind == "error"]
    warnings = [e for e in result.errors if e.kind != "error"]
    _echo(f"读取 {len(files)} 个文件、{len(sheets)} 张工作表、{len(result.ledger):,} 行分录；"
          f"剔除合计/空白等行 {dropped:,} 行；数据错误 {len(errors)} 条，提示 {len(warnings)} 条。", err)
    if result.periods:
        _echo(f"只报告 {result.periods[0]} 至 {result.periods[1]} 的问题。", err)
    findings = result.findings
    rule_titles = {r.id: r.title for r in result.rules}
    rows = []
    for rule in result.rules:
        if not rule.enabled:
            continue
        subset = findings[findings["rule"] == rule.id]
        rows.append((rule.title, rule.id, len(subset), int(subset["amount_fen"].sum()) if len(subset) else 0))
    title_width = max([_width("规则")] + [_width(r[0]) for r in rows])
    id_width = max([len("编号")] + [len(r[1]) for r in rows])
    _echo("", err)
    _echo(f"{_pad('规则', title_width)}  {_pad('编号', id_width)}  {_pad('问题数', 6, True)}  {_pad('涉及金额(元)', 16, True)}", err)
    for title, rule_id, count, amount in rows:
        _echo(f"{_pad(title, title_width)}  {_pad(rule_id, id_width)}  {_pad(str(count), 6, True)}  "
              f"{_pad(format_yuan(amount), 16, True)}", err)
    _echo(f"{_pad('合计', title_width)}  {_pad('', id_width)}  {_pad(str(len(findings)), 6, True)}", err)
    gap_rules = sorted({g.rule for g in result.rule_gaps})
    if gap_rules:
        _echo("", err)
        _echo("以下规则因账表缺少所需的列，在部分工作表上未运行（详见报告“数据问题”）：", err)
        for rule_id in gap_rules:
            gaps = [g for g in result.rule_gaps if g.rule == rule_id]
            missing = sorted({m for g in gaps for m in g.missing})
            _echo(f"  {rule_titles.get(rule_id, rule_id)}（{rule_id}）：{len(gaps)} 张工作表缺少 {'、'.join(missing)}", err)
    if errors:
        _echo("", err)
        _echo("无法读取或有错误的输入（前 10 条）：", err)
        for e in errors[:10]:
            where = " / ".join(x for x in (e.file, e.sheet, f"第{e.row}行" if e.row else "", e.column) if x)
            _echo(f"  {where}：{e.message}", err)
    _echo("", err)
    for label, path in written:
        _echo(f"{label}：{path}", err)


@main.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--config", type=click.Path(dir_okay=False), help="策略文件。")
@click.option("--errors", "max_errors", type=int, default=10, show_default=True, help="每张工作表最多列出的错误条数。")
def inspect(file, config, max_errors):
    """显示 FILE 的每张工作表是如何被识别的：表头、列映射、账套、单位、期间、行数和剔除的行。"""
    from .read import InputFile, read_file
    policy = _load(config)
    read = read_file(InputFile(file, file), policy)
    if not read.sheets:
        for e in read.errors:
            _echo(f"{e.file}：{e.message}")
        sys.exit(2)
    for info in read.sheets:
        _echo(f"== 工作表：{info.sheet}（{ {'read': '已读取', 'hidden': '隐藏，已跳过', 'no-header': '找不到表头', 'empty': '空表', 'error': '无法读取'}.get(info.status, info.status) }）")
        if info.status in ("hidden", "empty"):
            continue
        if info.header_rows:
            _echo(f"  表头行：第 {'、'.join(str(r) for r in info.header_rows)} 行")
        if info.columns:
            _echo("  列映射：" + "；".join(f"{SOURCE_FIELD_LABELS.get(field, field)} ← {column}" for field, column in info.columns.items()))
        _echo(f"  单位：{info.entity or '（未识别）'}（{info.entity_reason}）")
        _echo(f"  账套：{BOOK_LABELS.get(info.book, info.book)}（{info.book_reason}）")
        _echo(f"  期间：{'、'.join(info.periods) if info.periods else '（无）'}")
        _echo(f"  分录行：{info.lines}；表头下非空行：{info.data_rows}")
        if info.skipped:
            _echo("  剔除：" + "；".join(f"{reason} {count} 行" for reason, count in info.skipped.items()))
        total = info.lines + sum(info.skipped.values())
        if info.status == "read" and info.data_rows and total != info.data_rows:
            _echo(f"  核对不一致：分录 {info.lines} + 剔除 {sum(info.skipped.values())} ≠ 非空行 {info.data_rows}")
        sheet_errors = [e for e in read.errors if e.sheet == info.sheet]
        for e in sheet_errors[:max_errors]:
            where = " ".join(x for x in (f"第{e.row}行" if e.row else "", e.column) if x)
            _echo(f"  {'错误' if e.kind == 'error' else '提示'}：{where + '：' if where else ''}{e.message}")
        if len(sheet_errors) > max_errors:
            _echo(f"  ……另有 {len(sheet_errors) - max_errors} 条")
    file_errors = [e for e in read.errors if not e.sheet]
    for e in file_errors:
        _echo(f"错误：{e.message}")
    sys.exit(2 if any(e.kind == "error" for e in read.errors) else 0)


@main.command(name="rules")
@click.option("--config", type=click.Path(dir_okay=False), help="策略文件。")
def list_rules(config):
    """列出全部规则：编号、名称、风险等级、依据和当前生效的选项。"""
    policy = _load(config)
    try:
        rules = prepare_rules(discover(), policy)
    except PolicyError as exc:
        raise PolicyProblem(str(exc)) from None
    for rule in rules:
        state = "" if rule.enabled else "（已停用）"
        _echo(f"{rule.id}  {rule.title} / {rule.title_en}  风险：{SEVERITY_LABELS[rule.severity]}{state}")
        _echo(f"    依据：{rule.basis}")
        for name, value in rule.options.items():
            shown = "、".join(map(str, value)) if isinstance(value, (list, tuple)) else value
            _echo(f"    {name} = {shown}")
        if rule.requires:
            _echo(f"    需要的列：{', '.join(rule.requires)}")


@main.command(name="init-config")
@click.argument("path", default="voucher-check.toml", type=click.Path(dir_okay=False))
@click.option("--force", is_flag=True, help="覆盖已有文件。")
def init_config(path, force):
    """写出默认策略文件（含全部阈值、关键词、默认值及来源），供修改后用 --config 使用。"""
    target = Path(path)
    if target.exists() and not force:
        raise click.ClickException(f"{path} 已存在；如需覆盖请加 --force")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(default_policy_text(discover()), encoding="utf-8")
    _echo(f"已写出策略文件：{path}")


def console() -> None:
    """The installed `voucher-check` command and `python -m checker`.  After a scan the process
    holds the whole ledger; letting the interpreter free it object by object takes a quarter of
    a second per million lines for nothing, so the process ends as soon as its output is flushed
    (every file it wrote is closed by then)."""
    try:
        main()
    except SystemExit as done:
        code = done.code
        if code is not None and not isinstance(code, int):
            print(code, file=sys.stderr)
            code = 1
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):
                pass
        os._exit(code or 0)


if __name__ == "__main__":
    console()
