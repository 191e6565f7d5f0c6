"""Rule modules: one financial problem per module.  The engine discovers every module here
whose name does not start with an underscore (helpers shared by rules live in ``_common.py``).

The contract of ``check(ledger, options) -> pandas.DataFrame``:

- ``ledger`` is the normalised table (columns and meaning in ``checker.fields.LEDGER_COLUMNS``),
  already restricted to the lines of sheets that have every field in the rule's ``REQUIRES``
  and, where the policy overrides options per entity or book, to one such group at a time.
- ``options`` is the rule's ``DEFAULTS`` updated with the policy file.
- It returns one row per finding with these columns:
    ``voucher_key`` (str) the voucher the finding is about (the report shows all its lines);
    ``line_id`` (int) the line that shows the problem (its summary and account are reported);
    ``amount_fen`` (int) the amount at issue, in fen;
    ``message`` (str) one Chinese sentence with the numbers and the limit or rule broken;
    ``severity`` (str, optional) overrides the rule's SEVERITY for that finding.
  An empty result is ``checker.engine.no_findings()``.
- Pure: no I/O, no printing, no global state, no mutation of ``ledger``.
"""
