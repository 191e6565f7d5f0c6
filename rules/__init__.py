"""Rule modules: one financial problem per module.  The engine discovers every module here
whose name does not start with an underscore (helpers shared by rules live in ``_common.py``).

Declared at the top of a module: ``ID``, ``TITLE``, ``TITLE_EN``, ``GROUP`` (``notice`` for the
inspection notice's problems, ``journal`` for journal-entry tests, ``records`` for record keeping;
``voucher_checker.registry.GROUPS``), ``SEVERITY``, optionally ``WEIGHT`` (its weight in the risk
score, 0–100; by default from the severity, ``voucher_checker.scoring``), ``BASIS``, ``REQUIRES``
and ``OPTIONS``, one typed declaration per option (``voucher_checker.options``)::

    from voucher_checker.options import AccountClasses, Count, Flag, Severity, Share, Words, Yuan

    OPTIONS = {
        "limit_yuan": Yuan(2000, help="备用金限额（元）……来源：村级财务管理办法……"),
        "opening_cash_yuan": Yuan("", optional=True, help="期初余额（元）；留空 \\"\\" 表示未知。来源：……"),
        "min_quantity": Count(50, help="……来源：本工具约定。"),
        "journal_single_line_share": Share(0.8, help="……来源：本工具约定。"),
        "check_same_person": Flag(True, help="……来源：……"),
        "permitted_keywords": Words(["工资", "薪酬"], help="……来源：……"),
        "payment_classes": AccountClasses(["cash", "bank"], help="……来源：……"),
        "permitted_severity": Severity("low", help="……来源：……"),
    }

The declaration is the one place an option is described: the policy loader refuses a value it
does not take (a text where a number is meant, a string where a list is meant, a negative
amount) with a sentence naming the file, rule and option; ``init-config``, ``rules``, the
report's 规则说明 sheet and the README catalogue show its default, help and type.  Other
types: ``Number(default, help=…, minimum=0, maximum=None, whole=False, unit="")``,
``Choices(default, help=…, choices={name: label})``, ``Text``.  ``help`` is Chinese and says
where the default comes from (来源).

Converting a module written with the older ``DEFAULTS`` / ``OPTIONS_HELP`` dicts, which the
registry refuses, is mechanical: ``"name": value`` in DEFAULTS and ``"name": "text"`` in
OPTIONS_HELP become ``"name": Type(value, help="text")``; ``python scripts/convert_rule_options.py
--write rules/<module>.py`` does it and guesses the type from the name and value (``*_yuan`` →
Yuan, ``*_share`` → Share, ``*_severity`` → Severity, ``*_classes`` → AccountClasses, true/false
→ Flag, a list → Words, a whole number → Count); check the bounds it chose.

The contract of ``check(ledger, options) -> pandas.DataFrame``:

- ``ledger`` is the normalised table (columns and meaning in ``voucher_checker.fields.LEDGER_COLUMNS``),
  already restricted to the lines of sheets that have every field in the rule's ``REQUIRES``
  and, where the policy overrides options per entity or book, to one such group at a time.
- ``options`` maps every name in ``OPTIONS`` to its value: the default, or the policy file's
  value, already checked against the declaration (a ``Yuan`` is a number of 0 or more, a
  ``Words`` a list of non-empty strings …), so ``check`` need not check types again.
- It returns one row per finding with these columns:
    ``voucher_key`` (str) the voucher the finding is about (the report shows all its lines);
    ``line_id`` (int) the line that shows the problem (its summary and account are reported);
    ``amount_fen`` (int) the amount at issue, in fen;
    ``message`` (str) one Chinese sentence with the numbers and the limit or rule broken;
    ``severity`` (str, optional) overrides the rule's SEVERITY for that finding.
  An empty result is ``voucher_checker.engine.no_findings()``.
- Pure: no I/O, no printing, no global state, no mutation of ``ledger``.
"""
