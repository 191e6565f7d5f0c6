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
