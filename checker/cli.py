"""The `voucher-check` command: scan, inspect, rules, init-config, review import, progress, serve.

Console text is Chinese and must survive a GBK console on Windows: stdout and stderr are set to
replace what the console cannot encode instead of crashing."""
from __future__ import annotations

import gc
import os
import sys
from contextlib import contextmanager
from pathlib import Path

import click

from .click_zh import ChineseGroup, ExistingFile, UsageProblem, WholeNumber
from .fields import BOOK_LABELS, SEVERITY_LABELS, SOURCE_FIELD_LABELS, field_label
from .model import EXIT_CODE_MEANINGS, ExitCode
from .money import format_yuan
from .output_paths import Output, OutputPathError, planned, write_failure
from .options import toml_text
from .policy import (PolicyError, default_policy_text, load_policy, override_settings_text, override_units,
                     prepare_rules)
from .registry import GROUPS, discover


def _make_console_safe() -> None:
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.reconfigure(errors="replace")
        except (AttributeError, ValueError):
            pass


@contextmanager
def _loading():
    """Loading pandas, pyarrow, pandera and the report writer leaves some 185,000 objects for the
    cyclic garbage collector to track, and it walked them again and again as they were made (two full
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


def _load(config: str | None):
    try:
        return load_policy(config)
    except PolicyError as exc:
        raise UsageProblem(str(exc)) from None


def _show_version(ctx: click.Context, _param, value: bool) -> None:
    # click.version_option would need the version when this module loads (see __init__).
    if value and not ctx.resilient_parsing:
        from . import __version__
        click.echo(f"voucher-check, version {__version__}")
        ctx.exit()


def _own_exit_codes(*meanings: tuple[int, str]) -> str:
    """A command's exit codes at the end of its help."""
    # \b keeps click from re-wrapping the lines of the table.
    return "\b\n退出码：\n" + "\n".join(f"  {code}  {meaning}" for code, meaning in meanings)


def _exit_codes_help() -> str:
    """scan's (and the program's): every code the scan can end with."""
    return _own_exit_codes(*((int(code), chinese) for code, (_, chinese) in EXIT_CODE_MEANINGS.items()))


_USAGE = (4, "命令用法或策略文件有误")


@click.group(cls=ChineseGroup, invoke_without_command=True, epilog=_exit_codes_help(),
             context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--version", is_flag=True, expose_value=False, is_eager=True, callback=_show_version,
              help="显示版本号并退出。")
@click.pass_context
def main(ctx: click.Context) -> None:
    """社区/村账簿凭证检查工具：读取 Excel 导出的序时账，找出违反财务规定的凭证，生成例外事项报告。

    在每个命令后加 -h 查看它的用法，例如 voucher-check scan -h。
    """
    _make_console_safe()
    if ctx.invoked_subcommand is None:
        click.echo(ctx.get_help())


def _periods(text: str | None):
    from .model import PeriodError, parse_period_filter
    try:
        return parse_period_filter(text)
    except PeriodError as exc:
        raise click.BadParameter(str(exc), param_hint="--period") from None


def _planned_outputs(report_path, json_path, csv_path, no_report) -> list[Output]:
    """Every file the scan will write, checked before anything is read."""
    wanted = []
    if json_path and json_path != "-":
        wanted.append((json_path, "JSON 结果", "--json", ".json"))
    if csv_path:
        wanted.append((csv_path, "CSV 问题清单", "--csv", ".csv"))
    if not no_report:
        wanted.append((report_path if report_path is not None else str(DEFAULT_REPORT), "Excel 报告", "-o", ".xlsx"))
    try:
        return [planned(*item) for item in wanted]
    except OutputPathError as exc:
        raise UsageProblem(str(exc)) from None


DEFAULT_REPORT = Path("reports") / "凭证检查报告.xlsx"


@main.command(epilog=_exit_codes_help())
@click.argument("paths", nargs=-1, required=True, metavar="路径...")
@click.option("-o", "--output", "report_path", metavar="报告.xlsx",
              help="Excel 报告的文件名（默认 reports/凭证检查报告.xlsx；没有扩展名时加上 .xlsx）。")
@click.option("--json", "json_path", metavar="文件.json", help="同时写出 JSON 结果；写“-”表示输出到屏幕。")
@click.option("--csv", "csv_path", metavar="文件.csv", help="同时把问题清单写成 CSV。")
@click.option("--config", metavar="策略.toml", help="策略文件（用 voucher-check init-config 生成）。")
@click.option("--jobs", type=WholeNumber(1), default=None, metavar="N",
              help="同时读取的文件数（读取线程数；默认每个 CPU 核一个）。")
@click.option("--period", "period_text", metavar="月份",
              help="只报告这些月份的问题，如 2021-09 或 2021-01..2021-06；仍读取全部账簿以便核对余额和编号。")
@click.option("--rule", "only", multiple=True, metavar="规则编号", help="只运行这些规则（可重复）。")
@click.option("--skip-rule", "skip", multiple=True, metavar="规则编号", help="不运行这些规则（可重复）。")
@click.option("--group", "groups", multiple=True, metavar="规则组",
              help="只运行这些组的规则（可重复）：notice 巡察反馈问题、journal 凭证测试、records 账务规范。")
@click.option("--top", "top", type=WholeNumber(0), default=10, metavar="N",
              help="屏幕上显示风险分最高的前 N 个单位（默认 10；0 为不显示）。")
@click.option("--no-report", is_flag=True, help="不写 Excel 报告。")
@click.option("--db", metavar="记录库.db",
              help="整改记录库（见 review import）：带入已导入的核实结论，标出新发现、已整改（复查未再出现）、"
                   "整改后仍存在，核实为不属实的问题另列一表；本次检查记入库中。")
def scan(paths, report_path, json_path, csv_path, config, jobs, period_text, only, skip, groups, top, no_report, db):
    """检查账簿，写出例外事项报告。

    “路径”可以是账簿文件（.xlsx .xlsm .xls .ods .csv），也可以是文件夹（逐层查找其中的账簿）；可写多个。"""
    import datetime as dt

    with _loading():
        from .sources import Opener, collect_inputs, tune_memory
        tune_memory()
        started = dt.datetime.now().replace(microsecond=0)
        policy = _load(config)
        periods = _periods(period_text)
        outputs = _planned_outputs(report_path, json_path, csv_path, no_report)
        if db is not None:
            _check_store(db)
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
        result = run_scan(paths, policy, jobs=opener.jobs, only=only, skip=skip, groups=groups, periods=periods,
                          progress=progress, on_files=on_files, inputs=inputs, opener=opener, started=started)
    except PolicyError as exc:
        raise UsageProblem(str(exc)) from None
    finally:
        if "bar" in bar_holder:
            bar_holder["bar"].__exit__(None, None, None)

    empty_period = _period_note(result)
    if empty_period is not None and empty_period[1]:
        print_summary(result, [], err=to_stderr, checked=False)
        _echo(empty_period[0], err=True)
        sys.exit(ExitCode.INPUT_UNREADABLE if result.exit_code == ExitCode.INPUT_UNREADABLE else ExitCode.USAGE)

    review = _reconcile(db, result) if db is not None else None
    written = []
    try:
        # Machine-readable results first: they are cheap and hold everything even if the
        # report cannot be written.
        if json_path == "-":
            click.echo(dump_json(result, review))
        for output in outputs:
            output.path.parent.mkdir(parents=True, exist_ok=True)
            if output.option == "--json":
                output.path.write_text(dump_json(result, review), encoding="utf-8")
            elif output.option == "--csv":
                from .report import write_findings_csv
                write_findings_csv(result, output.path)
            else:
                from .report import write_report
                if review is None:
                    write_report(result, output.path)
                else:
                    write_report(result, output.path, review=review)
            written.append((output.label, str(output.path)))
    except OSError as exc:
        print_summary(result, written, err=to_stderr)
        _echo(write_failure(exc, output.path, output.label), err=True)
        sys.exit(ExitCode.TOOL_FAILED)
    except Exception:
        print_summary(result, written, err=to_stderr)     # what was found is shown before the failure
        raise
    print_summary(result, written, err=to_stderr, top=top)
    if review is not None:
        counts = review.counts()
        _echo(f"复查（整改记录库 {db}，第 {review.run} 次检查）：" + "，".join(
            f"{name} {count} 条" for name, count in counts.items()) + "。", err=to_stderr)
    for output in outputs:
        if output.note:
            _echo(output.note, err=to_stderr)
    if empty_period is not None:
        _echo(empty_period[0], err=to_stderr)
    sys.exit(result.exit_code)


def _check_store(db: str) -> None:
    """Refuse a store that cannot be used before anything is read."""
    from .review.store import StoreError, open_store
    try:
        with open_store(db):
            pass
    except StoreError as exc:
        raise UsageProblem(str(exc)) from None


def _reconcile(db: str, result):
    from .review.rescan import reconcile
    from .review.store import StoreError, open_store
    try:
        with open_store(db) as store:
            return reconcile(store, result)
    except StoreError as exc:
        _echo(f"错误：{exc}", err=True)
        sys.exit(ExitCode.TOOL_FAILED)


def _period_note(result) -> tuple[str, bool] | None:
    """With --period: a sentence about the months no book has lines in, and whether that is
    every month asked for (then nothing was checked), or None when every month has lines."""
    from .model import month_ranges, months_between
    if not result.periods:
        return None
    start, end = result.periods
    asked = months_between(start, end)
    covered = set(result.ledger["period"].unique().tolist()) if len(result.ledger) else set()
    missing = [m for m in asked if m not in covered]
    if not missing:
        return None
    named = start if start == end else f"{start} 至 {end}"
    books = f"账簿中有分录的月份：{month_ranges(covered)}" if covered else "没有读到任何分录"
    if len(missing) == len(asked):
        return f"所选期间 {named} 在所有账簿中都没有分录，没有可检查的内容；{books}。", True
    return f"注意：所选期间中 {month_ranges(missing)} 在所有账簿中都没有分录；{books}。", False


def print_ranking(result, top: int, err: bool) -> None:
    """The units to visit first: rank, score, vouchers by band, amount and the highest voucher."""
    from .scoring import BAND_LABELS
    ranking = result.unit_ranking.head(top)
    if ranking.empty:
        return
    _echo("", err)
    shown = f"前 {len(ranking)} 个" if len(result.unit_ranking) > len(ranking) else f"共 {len(ranking)} 个"
    _echo(f"单位风险排名（{shown}；风险分 = 问题凭证风险分之和 ÷ 100，详见报告“汇总”）：", err)
    name_width = max(_width("单位"), *(_width(e) for e in ranking["entity"]))
    _echo(f"{_pad('名次', 4, True)}  {_pad('单位', name_width)}  {_pad('风险分', 8, True)}  "
          f"{_pad('高/中/低', 12, True)}  {_pad('涉及金额(元)', 16, True)}  风险最高的凭证", err)
    for unit in ranking.itertuples():
        first = unit.top[0] if unit.top else None
        where = (f"{first['voucher']}（{first['period']}，{BAND_LABELS[first['band']]} {first['score']:g} 分："
                 f"{first['made_by']}）") if first else f"单位整体问题 {unit.unit_findings} 项"
        _echo(f"{_pad(str(unit.rank), 4, True)}  {_pad(unit.entity, name_width)}  {_pad(f'{unit.score:.2f}', 8, True)}  "
              f"{_pad(f'{unit.high}/{unit.medium}/{unit.low}', 12, True)}  {_pad(format_yuan(unit.amount_fen), 16, True)}  "
              f"{where}", err)


def print_summary(result, written, err: bool = False, top: int = 0, checked: bool = True) -> None:
    """What was read, the findings per rule, the ranking and what could not be read.  Without
    ``checked`` (no month asked for has lines) or with no line read, no table of zeros, which
    would read like a clean pass."""
    checked = checked and len(result.ledger) > 0
    sheets = [s for s in result.read.sheets if s.status == "read"]
    files = {s.file for s in result.read.sheets}
    dropped = sum(sum(s.skipped.values()) for s in result.read.sheets)
    errors = [e for e in result.errors if e.kind == "error"]
    warnings = [e for e in result.errors if e.kind != "error"]
    _echo(f"读取 {len(files)} 个文件、{len(sheets)} 张工作表、{len(result.ledger):,} 行分录；"
          f"剔除合计/空白等行 {dropped:,} 行；数据错误 {len(errors)} 条，提示 {len(warnings)} 条。", err)
    if result.periods and checked:
        start, end = result.periods
        _echo(f"只报告 {start if start == end else f'{start} 至 {end}'} 的问题。", err)
    findings = result.findings
    rule_titles = {r.id: r.title for r in result.rules}
    if checked:
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
        if top and len(findings):
            print_ranking(result, top, err)
    gap_rules = sorted({g.rule for g in result.rule_gaps if g.missing})
    if gap_rules:
        _echo("", err)
        _echo("以下规则因账表缺少所需的列，在部分工作表上未运行（详见报告“数据问题”）：", err)
        for rule_id in gap_rules:
            gaps = [g for g in result.rule_gaps if g.rule == rule_id and g.missing]
            missing = [field_label(m) for m in sorted({m for g in gaps for m in g.missing})]
            _echo(f"  {rule_titles.get(rule_id, rule_id)}（{rule_id}）：{len(gaps)} 张工作表缺少 {'、'.join(missing)}", err)
    # A rule that ran only in part says why in its own words: one line a rule, with its first note.
    notes: dict[str, list] = {}
    for g in result.rule_gaps:
        if g.note:
            notes.setdefault(g.rule, []).append(g)
    if notes:
        _echo("", err)
        _echo("以下规则在部分工作表上只做了部分检查（详见报告“数据问题”）：", err)
        for rule_id, gaps in sorted(notes.items()):
            more = f"，例如 {gaps[0].file} / {gaps[0].sheet}" if len(gaps) > 1 else ""
            _echo(f"  {rule_titles.get(rule_id, rule_id)}（{rule_id}）：{len(gaps)} 张工作表{more}：{gaps[0].note}", err)
    # An override that matched no unit changed nothing: said here, not only in the report.
    for e in (e for e in warnings if e.kind == "policy"):
        _echo("", err)
        _echo(f"注意：{e.message}", err)
    if errors:
        _echo("", err)
        _echo("无法读取或有错误的输入（前 10 条）：", err)
        for e in errors[:10]:
            where = " / ".join(x for x in (e.file, e.sheet, f"第{e.row}行" if e.row else "", e.column) if x)
            _echo(f"  {where}：{e.message}" if where else f"  {e.message}", err)
    _echo("", err)
    for label, path in written:
        _echo(f"{label}：{path}", err)


@main.command(epilog=_own_exit_codes((0, "每张工作表都已读取"), (2, "有工作表或文件无法读取（已说明原因）"), _USAGE))
@click.argument("file", type=ExistingFile(), metavar="账簿文件")
@click.option("--config", metavar="策略.toml", help="策略文件。")
@click.option("--errors", "max_errors", type=WholeNumber(0), default=10, metavar="N",
              help="每张工作表最多列出的错误条数（默认 10）。")
def inspect(file, config, max_errors):
    """显示账簿文件的每张工作表是如何识别的。

    列出表头所在行、每列被识别成什么、账套和单位如何判断、期间、分录行数和剔除的行及原因。"""
    from .read import InputFile, read_file
    policy = _load(config)
    read = read_file(InputFile(file, file), policy)
    if not read.sheets:
        for e in read.errors:
            _echo(f"{e.file}：{e.message}")
        sys.exit(ExitCode.INPUT_UNREADABLE)
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
        if info.journal:
            _echo(f"  日记账：{'现金日记账' if info.journal == 'cash' else '银行存款日记账'}（{info.journal_reason}；"
                  "每行读作本账户与对方科目两条分录）")
        _echo(f"  期间：{'、'.join(info.periods) if info.periods else '（无）'}")
        _echo(f"  分录行：{info.lines}；表头下非空行：{info.data_rows}")
        if info.skipped:
            _echo("  剔除：" + "；".join(f"{reason} {count} 行" for reason, count in info.skipped.items()))
            mine = [d for d in read.dropped if d["sheet"] == info.sheet]
            for reason in info.skipped:
                rows = [str(d["row"]) for d in mine if d["reason"] == reason]
                if rows:
                    _echo(f"    {reason}：第 {'、'.join(rows)} 行")
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
        _echo(f"{'错误' if e.kind == 'error' else '提示'}：{e.message}")
    unreadable = any(e.kind == "error" for e in read.errors) or any(info.status == "error" for info in read.sheets)
    sys.exit(ExitCode.INPUT_UNREADABLE if unreadable else ExitCode.NOTHING_FOUND)


@main.command(name="rules", epilog=_own_exit_codes((0, "已列出"), _USAGE))
@click.option("--config", metavar="策略.toml", help="策略文件（显示按它生效的选项）。")
def list_rules(config):
    """列出全部规则及当前生效的选项。

    每条规则的编号、名称、风险等级、依据、需要的列，以及每个选项的当前值和可取的值。"""
    policy = _load(config)
    try:
        rules = prepare_rules(discover(), policy)
    except PolicyError as exc:
        raise UsageProblem(str(exc)) from None
    for rule in rules:
        state = "（已停用）" if not rule.enabled else "（只对部分单位启用，见 [[overrides]]）" if rule.partly else ""
        _echo(f"{rule.id}  {rule.title}（{rule.title_en}）  风险：{SEVERITY_LABELS[rule.severity]}  "
              f"组：{GROUPS[rule.group]}（{rule.group}）  权重：{rule.weight:g}{state}")
        _echo(f"    依据：{rule.basis}")
        if rule.requires:
            _echo(f"    需要的列：{'、'.join(SOURCE_FIELD_LABELS.get(f, f) for f in rule.requires)}")
        for name, value in rule.options.items():
            option = rule.declared[name]
            _echo(f"    {name} = {option.shown(value)}")
            _echo(f"        取值：{option.expected}")
        for number, entity, book, settings in policy.settings_by_unit(rule):
            _echo(f"    按单位（第 {number} 项 [[overrides]]）：{override_units(entity, book)}："
                  f"{override_settings_text(settings, toml_text)}")
    _echo("")
    _echo("修改选项：voucher-check init-config 策略.toml 写出策略文件，改好后加 --config 策略.toml。")


@main.command(name="init-config", epilog=_own_exit_codes(
    (0, "已写出策略文件"), (3, "文件无法写出"), (4, "文件已存在（未加 --force）或路径有误")))
@click.argument("path", default="voucher-check.toml", metavar="[策略.toml]")
@click.option("--force", is_flag=True, help="覆盖已有文件。")
def init_config(path, force):
    """写出默认策略文件：全部阈值、关键词、默认值及来源。

    文件名默认为 voucher-check.toml；修改后在 scan 时用 --config 指定。"""
    try:
        target = planned(path, "策略文件", "init-config", ".toml")
    except OutputPathError as exc:
        raise UsageProblem(str(exc)) from None
    if target.path.exists() and not force:
        raise UsageProblem(f"{target.path} 已存在，没有覆盖；如需覆盖请加 --force。")
    try:
        target.path.parent.mkdir(parents=True, exist_ok=True)
        target.path.write_text(default_policy_text(discover()), encoding="utf-8")
    except OSError as exc:
        _echo(write_failure(exc, target.path, target.label), err=True)
        sys.exit(ExitCode.TOOL_FAILED)
    _echo(f"已写出策略文件：{target.path}")


def _store_path(db: str | None) -> Path:
    from .review.store import default_store_path
    return Path(db) if db else default_store_path()


def _who(given: str | None, reports) -> str:
    """Who concluded: --by, else whoever last saved the report in Excel/WPS, else the login name."""
    if given and given.strip():
        return given.strip()
    for report in reports:
        if report.modified_by:
            return report.modified_by
    import getpass
    try:
        return getpass.getuser()
    except (OSError, KeyError, ImportError):
        return ""


def _expand_patterns(reports):
    """Arguments as given; a pattern such as reports\\*.xlsx is expanded here, since the Windows
    console passes it on as written.  Office's lock files (~$名称.xlsx) are left out."""
    import glob
    for report in reports:
        if Path(report).exists() or not any(ch in report for ch in "*?["):
            yield report
            continue
        matches = sorted(m for m in glob.glob(report) if not Path(m).name.startswith(("~$", ".~lock.")))
        if not matches:
            raise UsageProblem(f"没有与 {report} 相符的文件，没有导入任何内容。")
        yield from matches


_DB_HELP = "整改记录库文件（默认 reports/voucher-check.db，或环境变量 VOUCHER_CHECK_DB 指定的文件）。"


@main.group(cls=ChineseGroup, invoke_without_command=True, epilog=_own_exit_codes((0, "已显示帮助"), _USAGE)
            + "\n\n各子命令的退出码见其帮助（如 review import -h）。")
@click.pass_context
def review(ctx: click.Context):
    """核实结论：把填写好的检查报告导入整改记录库。"""
    if ctx.invoked_subcommand is None:
        click.echo(ctx.get_help())


_IMPORT_EXIT_CODES = _own_exit_codes((0, "导入完成"), (2, "有无法对应的行（已列出原因；其余照常导入）"),
                                     (4, "报告或整改记录库无法使用，没有导入任何内容"))


@review.command(name="import", epilog=_IMPORT_EXIT_CODES)
@click.argument("reports", nargs=-1, required=True, metavar="报告.xlsx...")
@click.option("--db", metavar="记录库.db", help=_DB_HELP)
@click.option("--by", "concluded_by", metavar="姓名", help="核实人姓名（默认为最后保存报告的人，或当前登录用户）。")
def review_import(reports, db, concluded_by):
    """读取报告“问题清单”中填写的核实结论、整改措施、责任人（以及整改时限、整改情况），存入整改记录库。

    按每行的识别码对应问题，因此在 Excel、WPS 或 LibreOffice 中排序、筛选或插入行都不影响导入。空白单元格不会清除库中已有的内容；同一报告导入两次，第二次不做任何修改。"""
    from .output_paths import lock_files
    from .review.importer import import_reports
    from .review.store import StoreError, open_store
    from .review.workbook import NotOurReport, read_report
    contents = []
    for report in _expand_patterns(reports):
        try:
            contents.append(read_report(report))
        except NotOurReport as exc:
            raise UsageProblem(f"{exc} 没有导入任何内容。") from None
        if lock_files(Path(report)):
            contents[-1].notes.append(f"{Path(report).name} 正在 Excel 或 WPS 中打开：导入的是它最后一次保存的内容。")
    path = _store_path(db)
    try:
        with open_store(path) as store:
            summary = import_reports(store, contents, _who(concluded_by, contents))
    except StoreError as exc:
        raise UsageProblem(str(exc)) from None
    for note in summary.notes:
        _echo(f"提示：{note}")
    _echo(f"导入结论 {summary.taken} 条，与记录库相同未变 {summary.unchanged} 条，未填写 {summary.blank} 条，"
          f"无法对应 {len(summary.unmatched)} 行。")
    for row in summary.unmatched[:50]:
        _echo(f"  {row.where()}：{row.reason}")
    if len(summary.unmatched) > 50:
        _echo(f"  ……另有 {len(summary.unmatched) - 50} 行")
    _echo(f"整改记录库：{path}")
    sys.exit(ExitCode.INPUT_UNREADABLE if summary.unmatched else ExitCode.NOTHING_FOUND)


DEFAULT_PROGRESS = Path("reports") / "整改进展.xlsx"


@main.command(epilog=_own_exit_codes((0, "已写出"), (3, "工作簿无法写出"), (4, "整改记录库无法使用或路径有误")))
@click.option("--db", metavar="记录库.db", help=_DB_HELP)
@click.option("-o", "--output", "output_path", metavar="整改进展.xlsx",
              help="整改进展工作簿的文件名（默认 reports/整改进展.xlsx）。")
def progress(db, output_path):
    """写出整改进展工作簿：各单位历次检查的问题数、属实、不属实、已整改、未整改、整改后仍存在（附图表），以及整改台账。"""
    import datetime as dt
    from .review.progress import write_progress
    from .review.store import StoreError, open_store
    try:
        target = planned(output_path or str(DEFAULT_PROGRESS), "整改进展工作簿", "-o", ".xlsx")
    except OutputPathError as exc:
        raise UsageProblem(str(exc)) from None
    path = _store_path(db)
    printed_at = "生成于 " + dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    try:
        with open_store(path, create=False) as store:
            target.path.parent.mkdir(parents=True, exist_ok=True)
            lines, entries = write_progress(store, target.path, printed_at)
    except StoreError as exc:
        raise UsageProblem(str(exc)) from None
    except OSError as exc:
        _echo(write_failure(exc, target.path, target.label), err=True)
        sys.exit(ExitCode.TOOL_FAILED)
    if target.note:
        _echo(target.note)
    _echo(f"整改进展 {lines} 行，整改台账 {entries} 条：{target.path}")


@main.command(epilog=_own_exit_codes((0, "页面服务已停止（按 Ctrl+C）"), (4, "命令用法、策略文件或整改记录库有误，服务没有启动")))
@click.option("--port", type=WholeNumber(0), default=8765, metavar="N",
              help="端口号（默认 8765）；被占用时自动换一个空闲端口（写 0 总是自动选择）。")
@click.option("--no-browser", is_flag=True, help="不自动打开浏览器（自己在浏览器中打开显示的地址）。")
@click.option("--config", metavar="策略.toml", help="默认使用的策略文件（页面上也可另选）。")
@click.option("--db", metavar="记录库.db", help="保存核实结论的整改记录库，与 review import 共用（默认 reports/voucher-check.db，"
              "或环境变量 VOUCHER_CHECK_DB 指定的文件）。")
@click.option("--max-upload-mb", type=WholeNumber(1), default=200, metavar="MB",
              help="一次上传的文件总大小上限（MB，默认 200）。")
@click.option("--max-files", type=WholeNumber(1), default=500, metavar="N",
              help="一次上传的文件个数上限（默认 500）。")
@click.option("--host", default="127.0.0.1", metavar="地址",
              help="监听的地址（默认 127.0.0.1，只接受本机访问）；改成其他地址会让局域网中的电脑也能打开，请谨慎。")
def serve(port, no_browser, config, db, max_upload_mb, max_files, host):
    """在本机启动检查页面，在浏览器中上传账簿、查看问题、填写核实结论、下载报告。

    页面只在本机（127.0.0.1）打开，拒绝来自其他网站的请求；上传的文件放在只有本用户可读的临时文件夹，停止时删除。按 Ctrl+C 或关闭窗口停止。"""
    if config:
        _load(config)
    from .web.server import ServeError, serve as run_server
    try:
        run_server(open_browser=not no_browser, echo=_echo, host=host, port=port, db=db, policy_path=config,
                   max_upload_mb=max_upload_mb, max_files=max_files)
    except ServeError as exc:
        raise UsageProblem(str(exc)) from None


def console() -> None:
    """The installed `voucher-check` command and `python -m voucher_checker`.  After a scan the process
    holds the whole ledger; letting the interpreter free it object by object takes a quarter of
    a second per million lines for nothing, so the process ends as soon as its output is flushed
    (every file it wrote is closed by then)."""
    _make_console_safe()
    try:
        main()
    except SystemExit as done:
        code = done.code
        if code is not None and not isinstance(code, int):
            print(code, file=sys.stderr)
            code = ExitCode.TOOL_FAILED
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):
                pass
        os._exit(code or 0)


if __name__ == "__main__":
    console()
