"""Shorthand for the two-line vouchers most cases are made of."""
from __future__ import annotations


def entry(voucher, date, summary, debit_account, credit_account, amount, first_line=None, **voucher_fields):
    """借 debit_account / 贷 credit_account for ``amount`` yuan; ``voucher_fields`` (preparer,
    reviewer, attachments …) go on both lines as the reader fills them down; ``first_line``
    fields (quantity) only on the debit line."""
    debit = {"voucher": voucher, "date": date, "summary": summary, "account": debit_account,
             "debit": amount, "credit": "", **voucher_fields, **(first_line or {})}
    credit = {"voucher": voucher, "date": date, "summary": summary, "account": credit_account,
              "debit": "", "credit": amount, **voucher_fields}
    return [debit, credit]


def in_file(file, rows, sheet="Sheet1", first_row=2, **line_fields):
    """``rows`` as the lines of one sheet of ``file``, numbered from ``first_row`` as Excel shows
    them; ``line_fields`` (entity, book …) on every line."""
    return [dict(row, file=file, sheet=sheet, row=first_row + i, **line_fields) for i, row in enumerate(rows)]
