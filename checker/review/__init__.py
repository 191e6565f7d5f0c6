"""Reviewers' conclusions read back from the report, and rectification (整改) followed over scans.

``store`` keeps them in an SQLite file; ``workbook`` reads a filled-in report; ``importer``
takes its conclusions into the store (`voucher-check review import`); ``rescan`` compares a new
scan with the store (`scan --db`); ``progress`` writes the 整改进展 workbook
(`voucher-check progress`).
"""
