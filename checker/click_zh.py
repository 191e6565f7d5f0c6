"""click, speaking Chinese, through its public API only: a help formatter whose usage line says
用法, command and group classes whose help sections say 选项 and 命令 and whose help option says
显示本帮助并退出, parameter types that fail in Chinese, and one ``main`` that shows every
click exception in Chinese, gives usage errors their own exit code and turns an unexpected
failure into one sentence and a log file (``voucher_checker.crash``) instead of a traceback."""
from __future__ import annotations

import difflib
import re
import sys
from pathlib import Path

import click

from .model import ExitCode

HELP_OPTION_HELP = "显示本帮助并退出。"


def display_width(text: str) -> int:
    """Columns a console gives the text: two for a Chinese character."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


CLOSING_MARKS = "，。；：、）》”’！？"


def wrap(text: str, width: int) -> list[str]:
    """Lines of at most ``width`` columns, broken between Chinese characters or at spaces
    (click's own wrapping counts a Chinese character as one column)."""
    lines, line = [], ""
    for token in re.findall(r"[\x21-\x7e]+|\s+|.", " ".join(text.split())):
        if token.isspace():
            token = " "
        # A closing mark never starts a line (it may stick out by one character instead).
        if line and display_width(line + token) > width and token not in CLOSING_MARKS:
            lines.append(line.rstrip())
            line = "" if token == " " else token
        else:
            line += token
    if line.strip():
        lines.append(line.rstrip())
    return lines


class ChineseHelpFormatter(click.HelpFormatter):
    """Chinese headings and usage prefix; text wrapped by display width."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, "用法：" if prefix is None else prefix)

    def write_heading(self, heading: str) -> None:
        self.write(f"{'':>{self.current_indent}}{heading}：\n")

    def _available(self) -> int:
        return max(20, (self.width or 80) - self.current_indent)

    def write_text(self, text: str) -> None:
        indent = " " * self.current_indent
        for number, paragraph in enumerate(re.split(r"\n\s*\n", text)):
            if number:
                self.write("\n")
            if paragraph.startswith("\b"):
                kept = paragraph[1:].strip("\n").splitlines()
                self.write("".join(f"{indent}{line}\n" for line in kept))
            else:
                self.write("".join(f"{indent}{line}\n" for line in wrap(paragraph, self._available())))

    def write_dl(self, rows, col_max: int = 30, col_spacing: int = 2) -> None:
        rows = list(rows)
        first_width = min(max((display_width(first) for first, _ in rows), default=0), col_max)
        indent = " " * self.current_indent
        text_width = max(20, self._available() - first_width - col_spacing)
        for first, second in rows:
            lines = wrap(second, text_width) if second else []
            head = f"{indent}{first}"
            if display_width(first) > first_width:
                self.write(head + "\n")
                head = indent + " " * first_width
            pad = " " * (first_width - display_width(head) + len(indent) + col_spacing) if lines else ""
            self.write(f"{head}{pad}{lines[0] if lines else ''}\n")
            for line in lines[1:]:
                self.write(f"{indent}{' ' * (first_width + col_spacing)}{line}\n")


class ChineseContext(click.Context):
    formatter_class = ChineseHelpFormatter


class _ChineseHelp:
    """Help in Chinese, for commands and groups alike."""
    context_class = ChineseContext

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        option = super().get_help_option(ctx)
        if option is not None:
            option.help = HELP_OPTION_HELP
        return option

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        records = [p.get_help_record(ctx) for p in self.get_params(ctx) if isinstance(p, click.Option)]
        records = [r for r in records if r is not None]
        if records:
            with formatter.section("选项"):
                formatter.write_dl(records)
        if isinstance(self, click.Group):
            self.format_commands(ctx, formatter)


class ChineseCommand(_ChineseHelp, click.Command):
    """A command whose help and errors are in Chinese; extra arguments are refused in Chinese."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("options_metavar", "[选项]")
        settings = dict(kwargs.pop("context_settings", None) or {})
        settings.setdefault("allow_extra_args", True)       # refused below, in Chinese
        super().__init__(*args, context_settings=settings, **kwargs)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        rest = super().parse_args(ctx, args)
        if ctx.args and not ctx.resilient_parsing:
            ctx.fail(f"多余的参数：{' '.join(ctx.args)}")
        return rest


class ChineseGroup(_ChineseHelp, click.Group):
    """The program: its subcommands are ChineseCommands; ``main`` shows errors in Chinese."""
    command_class = ChineseCommand

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("options_metavar", "[选项]")
        kwargs.setdefault("subcommand_metavar", "命令 [参数]...")
        super().__init__(*args, **kwargs)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        commands = [(name, self.get_command(ctx, name)) for name in self.list_commands(ctx)]
        commands = [(name, command) for name, command in commands if command is not None and not command.hidden]
        if commands:
            limit = formatter.width - 6 - max(len(name) for name, _ in commands)
            with formatter.section("命令"):
                formatter.write_dl([(name, command.get_short_help_str(limit)) for name, command in commands])

    def resolve_command(self, ctx: click.Context, args: list[str]):
        name = args[0]
        if self.get_command(ctx, name) is None and not name.startswith("-") and not ctx.resilient_parsing:
            known = self.list_commands(ctx)
            close = difflib.get_close_matches(name, known)
            ctx.fail(f"没有 {name} 这个命令" + (f"，是不是 {'、'.join(close)}？" if close else "；")
                     + f"可用的命令：{'、'.join(known)}")
        return super().resolve_command(ctx, args)

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        """click's own main with standalone_mode=False, and every outcome turned into an exit
        code here: usage errors 4, click's other errors their own code, a failure 3."""
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        from .crash import report_failure
        try:
            returned = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.UsageError as exc:
            show_usage_error(exc)
            sys.exit(ExitCode.USAGE)
        except click.ClickException as exc:
            click.echo(f"错误：{exc.format_message()}", err=True)
            sys.exit(exc.exit_code)
        except (click.Abort, KeyboardInterrupt, EOFError):
            click.echo("\n已中断，检查没有完成。", err=True)
            sys.exit(INTERRUPTED)
        except Exception as exc:  # noqa: BLE001 - no traceback reaches a user: one sentence and a log
            click.echo(report_failure(exc), err=True)
            sys.exit(ExitCode.TOOL_FAILED)
        sys.exit(returned if isinstance(returned, int) else 0)


# Ctrl+C: the shell's own convention (128 + SIGINT), not one of the scan's outcomes.
INTERRUPTED = 130


class UsageProblem(click.ClickException):
    """Something to change in the command before anything is checked (exit 4), shown without
    the usage line: a policy file, an output path, an existing file not to overwrite."""
    exit_code = ExitCode.USAGE


def show_usage_error(exc: click.UsageError) -> None:
    ctx = exc.ctx
    lines = []
    if ctx is not None:
        lines.append(ctx.get_usage())
        lines.append(f"运行 “{ctx.command_path} -h” 查看帮助。")
        lines.append("")
    lines.append(f"错误：{chinese_message(exc)}")
    click.echo("\n".join(lines), err=True)


def _param_name(param: click.Parameter | None, ctx: click.Context | None) -> str:
    if param is None:
        return ""
    if isinstance(param, click.Option):
        return " / ".join(param.opts)
    return param.make_metavar(ctx) if ctx is not None else (param.human_readable_name or "")


def chinese_message(exc: click.UsageError) -> str:
    """The error in Chinese: our own messages are, click's are rebuilt from the exception's
    fields (option name, parameter, possibilities)."""
    if isinstance(exc, click.NoSuchOption):
        close = f"，是不是 {'、'.join(exc.possibilities)}？" if exc.possibilities else "。"
        return f"没有 {exc.option_name} 这个选项{close}"
    if isinstance(exc, click.MissingParameter):
        what = "选项" if isinstance(exc.param, click.Option) else "参数"
        return f"缺少{what} {_param_name(exc.param, exc.ctx)}。"
    if isinstance(exc, click.BadOptionUsage):
        if "does not take a value" in exc.message:
            return f"选项 {exc.option_name} 后面不能写值。"
        return f"选项 {exc.option_name} 后面要写一个值。"
    if isinstance(exc, click.BadParameter):
        name = exc.param_hint if isinstance(exc.param_hint, str) else _param_name(exc.param, exc.ctx)
        named = name and exc.message.startswith(name.split(" / ")[-1])
        return f"{name} 的值有误：{exc.message}" if name and not named else exc.message
    if exc.message.isascii():
        return f"命令行有误（{exc.message}）"
    return exc.message


# ---------------------------------------------------------------- parameter types

class WholeNumber(click.ParamType):
    name = "整数"

    def __init__(self, minimum: int = 1):
        self.minimum = minimum

    def convert(self, value, param, ctx):
        if isinstance(value, int):
            number = value
        else:
            try:
                number = int(str(value).strip())
            except ValueError:
                self.fail(f"“{value}”不是整数，应写一个不小于 {self.minimum} 的整数，如 2", param, ctx)
        if number < self.minimum:
            self.fail(f"{number} 太小，应不小于 {self.minimum}", param, ctx)
        return number


class ExistingFile(click.ParamType):
    """A file that must exist (not a folder)."""
    name = "文件"

    def convert(self, value, param, ctx):
        path = Path(value)
        if path.is_dir():
            self.fail(f"{value} 是一个文件夹，应写一个账簿文件（.xlsx .xls .csv 等）", param, ctx)
        if not path.exists():
            self.fail(f"找不到文件 {value}", param, ctx)
        return str(value)
