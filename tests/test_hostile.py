"""Hostile and broken files: each gets one plain error, and the rest of the batch is read."""
from __future__ import annotations

import os
import re
import shutil
import zipfile
from pathlib import Path

import pytest

from voucher_checker.policy import Policy
from voucher_checker.batch import InputFile, read_inputs
from tests.conftest import write_xlsx

ROWS = [["日期", "凭证号", "摘要", "科目", "借方", "贷方"], ["2021-03-01", "记-1", "办公费", "管理费用", 1, None],
        ["", "", "办公费", "银行存款", None, 1]]


def good_workbook(folder: Path) -> Path:
    return write_xlsx(folder / "good.xlsx", {"3月": ROWS})


def rewrite_part(source: Path, target: Path, name: str, transform) -> Path:
    """Copy a workbook, replacing one part's bytes (transform(old) → new)."""
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            dst.writestr(item, transform(data) if item.filename == name else data)
    return target


def scan_beside_good(tmp_path: Path, hostile: Path, policy: Policy | None = None):
    good = good_workbook(tmp_path)
    result = read_inputs([InputFile(str(hostile), hostile.name), InputFile(str(good), good.name)], policy or Policy())
    assert list(result.ledger["file"].unique()) == ["good.xlsx"], "the rest of the batch is still read"
    errors = [e for e in result.errors if e.file == hostile.name]
    assert len(errors) == 1 and errors[0].kind == "error" and errors[0].row is None
    assert "Traceback" not in errors[0].message
    return errors[0].message


def test_decompression_bomb_over_the_default_limit_is_refused_before_reading(tmp_path):
    source = good_workbook(tmp_path / "src")
    bomb = tmp_path / "bomb.xlsx"
    shutil.copy(source, bomb)
    with zipfile.ZipFile(bomb, "a", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        with archive.open("xl/media/padding.bin", "w", force_zip64=True) as part:
            chunk = b"\0" * (8 * 1024 * 1024)
            for _ in range(66):                      # 528 MB of zeros, streamed
                part.write(chunk)
    assert bomb.stat().st_size < 10 * 1024 * 1024
    message = scan_beside_good(tmp_path, bomb)
    assert "超过安全上限 500 MB" in message and "压缩炸弹" in message


def test_highly_compressed_part_is_refused(tmp_path):
    source = good_workbook(tmp_path / "src")
    bomb = tmp_path / "ratio.xlsx"
    shutil.copy(source, bomb)
    with zipfile.ZipFile(bomb, "a", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("xl/media/zeros.bin", b"\0" * (40 * 1024 * 1024))
    assert "压缩比异常" in scan_beside_good(tmp_path, bomb)


def test_limit_is_configurable(tmp_path):
    source = good_workbook(tmp_path / "src")
    policy = Policy()
    policy.reading["max_uncompressed_mb"] = 0.001
    result = read_inputs([InputFile(str(source), "small.xlsx")], policy)
    assert [e.message for e in result.errors if "超过安全上限 0 MB" in e.message]
    assert result.ledger.empty


def test_sheet_claiming_absurd_dimensions_is_refused(tmp_path):
    source = good_workbook(tmp_path / "src")
    hostile = rewrite_part(source, tmp_path / "huge.xlsx", "xl/worksheets/sheet1.xml",
                           lambda xml: re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:XFD1048576"', xml))
    assert "声明的范围超过" in scan_beside_good(tmp_path, hostile)


BILLION_LAUGHS = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
                  + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
                             for i in range(1, 10))
                  + b"]>")


@pytest.mark.parametrize("doctype", [
    BILLION_LAUGHS,
    b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY secret SYSTEM "file:///etc/passwd">]>',
])
def test_xml_entity_tricks_are_refused(tmp_path, doctype):
    source = good_workbook(tmp_path / "src")

    def inject(xml: bytes) -> bytes:
        body = xml.split(b"?>", 1)[1] if xml.startswith(b"<?xml") else xml
        return doctype + body
    hostile = rewrite_part(source, tmp_path / "entities.xlsx", "xl/worksheets/sheet1.xml", inject)
    assert "DOCTYPE/ENTITY" in scan_beside_good(tmp_path, hostile)


def test_encrypted_workbook(tmp_path):
    # Excel saves a password-protected .xlsx as an OLE2 container with an EncryptionInfo stream.
    hostile = tmp_path / "加密.xlsx"
    hostile.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504 + "EncryptionInfo".encode("utf-16-le") + b"\0" * 4096)
    assert "密码" in scan_beside_good(tmp_path, hostile)


@pytest.mark.parametrize("name, content, expected", [
    ("book.xlsb", b"PK\x03\x04 binary workbook", ".xlsb"),
    ("账簿.lnk", b"L\0\0\0\x01\x14\x02\0", "快捷方式"),
    ("renamed.xlsx", "这其实是一个文本文件".encode("utf-8"), "不是 Excel 工作簿"),
    ("empty.xlsx", b"", "空的"),
    ("damaged.xlsx", b"PK\x03\x04" + b"\0" * 100, "损坏"),
])
def test_files_that_are_not_workbooks(tmp_path, name, content, expected):
    hostile = tmp_path / name
    hostile.write_bytes(content)
    assert expected in scan_beside_good(tmp_path, hostile)


def test_file_that_vanishes_during_the_batch(tmp_path):
    assert "移走或删除" in scan_beside_good(tmp_path, tmp_path / "gone.xlsx")


@pytest.mark.skipif(os.name == "nt", reason="chmod does not remove read access on Windows")
def test_file_that_cannot_be_read(tmp_path):
    hostile = good_workbook(tmp_path / "locked")
    hostile.chmod(0)
    try:
        if os.access(hostile, os.R_OK):
            pytest.skip("running as a user (root) whom permissions do not stop")
        assert "权限" in scan_beside_good(tmp_path, hostile)
    finally:
        hostile.chmod(0o644)


def test_guard_does_not_refuse_real_ledgers():
    samples = Path(__file__).resolve().parents[1] / "sample_ledgers"
    from voucher_checker.guard import check_before_open
    for path in samples.rglob("*.xlsx"):
        check_before_open(str(path), Policy().reading)


def test_the_reader_itself_expands_no_entity(tmp_path, monkeypatch):
    # Defence in depth: with the guard switched off, the XML reader (fastexcel/calamine) still
    # expands no DTD entity, so a file the guard missed could not blow up memory this way.
    import voucher_checker.guard
    source = write_xlsx(tmp_path / "src.xlsx", {"3月": [["日期", "凭证号", "摘要"], ["2021-03-01", "记-1", "MARK"]]})
    laughs = (b'<!DOCTYPE x [<!ENTITY a "AAAAAAAAAA"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
              b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>')

    def inject(xml: bytes) -> bytes:
        head, body = xml.split(b"?>", 1) if xml.startswith(b"<?xml") else (b"", xml)
        return (head + b"?>" if head else b"") + laughs + body.replace(b"MARK", b"&c;")

    names = zipfile.ZipFile(source).namelist()
    part = "xl/sharedStrings.xml" if "xl/sharedStrings.xml" in names else "xl/worksheets/sheet1.xml"
    hostile = rewrite_part(source, tmp_path / "laughs.xlsx", part, inject)
    monkeypatch.setattr(voucher_checker.guard, "check_before_open", lambda path, reading: None)
    from voucher_checker.sources import open_sheets
    try:
        sheets = open_sheets(str(hostile))
    except Exception:  # noqa: BLE001 - refusing the file is as good as not expanding
        return
    cells = [value for sheet in sheets for column in sheet.columns for value in column.to_pylist() if value]
    assert not any("AAAAAAAAAA" in value for value in cells)
