"""The reader on each layout of ../shared/domain/ledger-formats.md, built in the test itself."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pyarrow as pa
import pytest

from voucher_checker.policy import Policy, load_policy
from voucher_checker.batch import InputFile, collect_inputs, read_inputs
from tests.conftest import write_xls, write_xlsx

HEADER = ["日期", "凭证号", "摘要", "科目编码", "科目名称", "借方金额", "贷方金额", "制单人", "审核人"]


def read_one(path, policy=None):
    return read_inputs([InputFile(str(path), path.name)], policy or Policy())


def lines_of(result):
    return result.ledger.reset_index(drop=True)


# ---------------------------------------------------------------------------- layouts

def test_title_rows_first_line_only_fields_and_subtotals(xlsx):
    path = xlsx("建设社区行政账2021.xlsx", {"3月": [
        ["建设社区居民委员会序时账"],
        ["会计年度：2021年", None, None, "单位：元"],
        HEADER,
        [dt.datetime(2021, 3, 6), "记-0006", "提取备用金", "1001", "库存现金", 2500, None, "张三", "李四"],
        [None, None, "提取备用金", "1002", "银行存款", None, 2500, None, None],
        [None, None, "本日合计", None, None, 2500, 2500],
        [None, None, "本月合计", None, None, 2500, 2500],
        [None, None, "本年累计", None, None, 9500, 9500],
    ]}, merges={"3月": ["A1:I1"]})
    result = read_one(path)
    lines = lines_of(result)
    assert list(lines["row"]) == [4, 5]
    assert set(lines["voucher_key"]) == {"建设社区|admin|2021-03|记|6"}
    assert list(lines["reviewer"]) == ["李四", "李四"], "voucher fields are filled down to every line"
    assert list(lines["date"]) == [pd.Timestamp("2021-03-06")] * 2
    assert list(lines["account_class"]) == ["cash", "bank"]
    sheet = result.sheets[0]
    assert sheet.header_rows == (3,)
    assert sheet.skipped == {"合计/累计/结转行": 3}
    assert sheet.lines + sum(sheet.skipped.values()) == sheet.data_rows
    assert sorted(result.dropped["row"]) == [6, 7, 8]


def test_two_row_header_with_merged_amount(xlsx):
    path = xlsx("ledger.xlsx", {"Sheet1": [
        ["建设社区序时账"],
        ["日期", "凭证号", "摘要", "科目", "金额", None, "制单"],
        [None, None, None, None, "借方", "贷方", None],
        ["2021-09-10", "记-18", "支付疫情防控物资", "管理费用-疫情防控", "3,000.00", "", "张三"],
        ["", "", "支付疫情防控物资", "库存现金", "", "3,000.00", ""],
    ]}, merges={"Sheet1": ["E2:F2"]})
    result = read_one(path)
    assert result.sheets[0].header_rows == (2, 3)
    lines = lines_of(result)
    assert list(lines["debit_fen"]) == [300000, 0]
    assert list(lines["credit_fen"]) == [0, 300000]
    assert list(lines["period"]) == ["2021-09", "2021-09"]


def test_one_sheet_per_month_with_month_day_only_dates(xlsx):
    rows = lambda month, day: [["建设社区 2021年 序时账"], ["月", "日", "凭证号", "摘要", "科目", "借方", "贷方"],
                               [month, day, "1", "办公费", "管理费用-办公费", 100, None],
                               [None, None, None, "办公费", "银行存款", None, 100]]
    path = xlsx("monthly.xlsx", {"1月": rows(1, 5), "2月": rows(2, 7)})
    lines = lines_of(read_one(path))
    assert list(lines["period"]) == ["2021-01", "2021-01", "2021-02", "2021-02"]
    assert lines["voucher_key"].nunique() == 2, "voucher numbers restart monthly"
    assert list(lines["date"].dt.day) == [5, 5, 7, 7]


def test_separate_year_month_day_columns(xlsx):
    path = xlsx("ymd.xlsx", {"总账": [
        ["年", "月", "日", "凭证字", "凭证号", "摘要", "科目", "借方", "贷方"],
        [2020, 12, 5, "记", 27, "订阅2021年《湖南工人报》", "管理费用-报刊费", 156, None],
        [None, None, None, None, None, "订阅2021年《湖南工人报》", "银行存款", None, 156],
    ]})
    lines = lines_of(read_one(path))
    assert list(lines["date"]) == [pd.Timestamp("2020-12-05")] * 2
    assert list(lines["voucher"]) == ["记-27", "记-27"]


@pytest.mark.parametrize("cell, fen", [
    ("2,500.00", 250000), ("¥2,500", 250000), ("(300.00)", -30000), ("-300", -30000), ("1,234.56元", 123456),
    (2500.1, 250010), ("0.1", 10), ("２，５００．００", 250000), ("（３００）", -30000),
])
def test_text_amounts_are_exact(xlsx, cell, fen):
    path = xlsx("amounts.xlsx", {"s": [["日期", "凭证号", "摘要", "科目", "借方", "贷方"],
                                       ["2021-03-01", "记-1", "x", "管理费用", cell, None]]})
    lines = lines_of(read_one(path))
    assert int(lines.loc[0, "debit_fen"] - lines.loc[0, "credit_fen"]) == fen
    assert bool(lines.loc[0, "is_reversal"]) == (fen < 0)


@pytest.mark.parametrize("cell", [44261, 44261.0, dt.datetime(2021, 3, 6), "2021-03-06", "2021/3/6", "2021.3.6",
                                  "2021年3月6日", "20210306", 20210306])
def test_date_forms(xlsx, cell):
    path = xlsx("dates.xlsx", {"s": [["日期", "凭证号", "摘要", "科目", "借方", "贷方"],
                                     [cell, "记-1", "x", "管理费用", 1, None]]})
    lines = lines_of(read_one(path))
    assert lines.loc[0, "date"] == pd.Timestamp("2021-03-06")


def test_serial_number_typed_as_text_reads_like_the_number(xlsx):
    # The reader sees every cell as text (a number cell 44261 arrives as "44261"), so a serial
    # typed as text means the same date as the number; other five-digit text stays an error.
    path = xlsx("serial.xlsx", {"s": [["日期", "凭证号", "摘要", "科目", "借方", "贷方"],
                                      ["44261", "记-1", "x", "管理费用", 1, None],
                                      ["12345", "记-2", "x", "管理费用", 1, None]]})
    result = read_one(path)
    assert list(result.ledger["date"]) == [pd.Timestamp("2021-03-06")]
    assert "日期无法识别" in result.errors[0].message and result.errors[0].row == 3


def test_code_and_name_in_one_cell_and_four_digit_or_village_chart(xlsx):
    path = xlsx("chart.xlsx", {"s": [["日期", "凭证号", "摘要", "会计科目", "借方", "贷方"],
                                     ["2021-03-01", "记-1", "x", "5301 管理费用-办公费", 10, None],
                                     ["", "", "x", "101 现金", None, 10],
                                     ["2021-03-02", "记-2", "y", "102银行存款", 5, None],
                                     ["", "", "y", "541/管理费用/办公费", None, 5]]})
    lines = lines_of(read_one(path))
    assert list(lines["account_code"]) == ["5301", "101", "102", "541"]
    assert list(lines["account_name"]) == ["管理费用-办公费", "现金", "银行存款", "管理费用/办公费"]
    assert list(lines["account_class"]) == ["expense", "cash", "bank", "expense"]


def test_amount_with_direction_column(xlsx):
    path = xlsx("dir.xlsx", {"s": [["日期", "凭证号", "摘要", "科目", "方向", "金额"],
                                   ["2021-03-06", "记-6", "提现", "库存现金", "借", "2,500.00"],
                                   ["", "", "提现", "银行存款", "贷", "2,500.00"]]})
    lines = lines_of(read_one(path))
    assert list(lines["debit_fen"]) == [250000, 0]
    assert list(lines["credit_fen"]) == [0, 250000]


def test_xls_files(tmp_path):
    path = write_xls(tmp_path / "建设社区2020.xls", {"12月": [
        ["建设社区行政账"], ["日期", "凭证号", "摘要", "科目", "借方", "贷方"],
        [dt.datetime(2020, 12, 5), "记-27", "湖南工人报", "管理费用-报刊费", 156.0, None],
        [None, None, "湖南工人报", "银行存款", None, 156.0]]})
    result = read_one(path)
    lines = lines_of(result)
    assert list(lines["debit_fen"]) == [15600, 0]
    assert lines.loc[0, "date"] == pd.Timestamp("2020-12-05")
    assert result.sheets[0].entity == "建设社区"


@pytest.mark.parametrize("encoding", ["gbk", "utf-8-sig", "utf-8"])
def test_csv_in_gbk_and_utf8(tmp_path, encoding):
    path = tmp_path / "建设社区工会账.csv"
    path.write_bytes("日期,凭证号,摘要,科目,借方,贷方\n2021/3/6,6,购买慰问品,职工活动支出,\"1,200.00\",\n,,购买慰问品,银行存款,,\"1,200.00\"\n"
                     .encode(encoding))
    result = read_one(path)
    lines = lines_of(result)
    assert list(lines["debit_fen"]) == [120000, 0]
    assert set(lines["book"]) == {"union"}
    assert set(lines["voucher"]) == {"6"}


def test_voucher_words_have_their_own_sequences(xlsx):
    path = xlsx("words.xlsx", {"9月": [["日期", "凭证字号", "摘要", "科目", "借方", "贷方"],
                                      ["2021-09-10", "现付-18", "a", "管理费用", 1, None], ["", "", "a", "库存现金", None, 1],
                                      ["2021-09-11", "银付18", "b", "管理费用", 2, None], ["", "", "b", "银行存款", None, 2],
                                      ["2021-09-12", "记字第18号", "c", "管理费用", 3, None], ["", "", "c", "银行存款", None, 3]]})
    lines = lines_of(read_one(path))
    vouchers = lines.drop_duplicates("voucher_key")
    # Shown as written; numbered by word and number.
    assert list(vouchers["voucher"]) == ["现付-18", "银付18", "记字第18号"]
    assert list(zip(vouchers["voucher_word"], vouchers["voucher_no"])) == [("现付", 18), ("银付", 18), ("记", 18)]


def test_repeated_header_rows_and_blank_rows_are_accounted_for(xlsx):
    path = xlsx("repeat.xlsx", {"s": [HEADER,
                                      ["2021-03-01", "记-1", "a", "", "管理费用", 1, None, "张", "李"],
                                      ["", "", "a", "", "银行存款", None, 1, "", ""],
                                      [],
                                      HEADER,
                                      ["2021-03-02", "记-2", "b", "", "管理费用", 1, None, "张", "李"],
                                      ["", "", "b", "", "银行存款", None, 1, "", ""]]})
    result = read_one(path)
    sheet = result.sheets[0]
    assert sheet.lines == 4
    assert sheet.skipped == {"重复的表头行": 1}
    assert sheet.data_rows == 5, "blank rows are not data rows"


def test_red_reversal_moves_to_the_other_side(xlsx):
    path = xlsx("red.xlsx", {"s": [["日期", "凭证号", "摘要", "科目", "借方", "贷方"],
                                   ["2021-03-09", "记-9", "冲销记-6", "库存现金", -2500, None],
                                   ["", "", "冲销记-6", "银行存款", None, -2500]]})
    lines = lines_of(read_one(path))
    assert list(lines["debit_fen"]) == [0, 250000]
    assert list(lines["credit_fen"]) == [250000, 0]
    assert lines["is_reversal"].all()


def test_amounts_in_wan_yuan(xlsx):
    path = xlsx("wan.xlsx", {"s": [["某村序时账  单位：万元"], ["日期", "凭证号", "摘要", "科目", "借方", "贷方"],
                                   ["2021-03-09", "记-1", "工程款", "在建工程", 1.85, None]]})
    assert lines_of(read_one(path)).loc[0, "debit_fen"] == 1850000


# ---------------------------------------------------------------------------- books and entities

def test_book_and_entity_from_names(tmp_path):
    write_xlsx(tmp_path / "建设社区" / "工会账2021.xlsx", {"s": [["日期", "凭证号", "摘要", "科目", "借方", "贷方"],
                                                          ["2021-03-01", "1", "a", "职工活动支出", 1, None]]})
    write_xlsx(tmp_path / "建设社区" / "居委会账2021.xlsx", {"s": [["日期", "凭证号", "摘要", "科目", "借方", "贷方"],
                                                           ["2021-03-01", "1", "a", "管理费用", 1, None]]})
    items, errors = collect_inputs([tmp_path])
    assert not errors
    assert [i.display for i in items] == ["建设社区/居委会账2021.xlsx", "建设社区/工会账2021.xlsx"]
    result = read_inputs(items, Policy())
    books = {s.file: (s.entity, s.book) for s in result.sheets}
    assert books == {"建设社区/居委会账2021.xlsx": ("建设社区", "admin"), "建设社区/工会账2021.xlsx": ("建设社区", "union")}


def test_policy_sources_set_entity_and_book(tmp_path, xlsx):
    path = xlsx("账簿.xlsx", {"s": [["日期", "凭证号", "摘要", "科目", "借方", "贷方"],
                                   ["2021-03-01", "1", "a", "管理费用", 1, None]]})
    config = tmp_path / "p.toml"
    config.write_text('[[reading.sources]]\npattern = "账簿*"\nentity = "和平村"\nbook = "party"\n', encoding="utf-8")
    result = read_one(path, load_policy(config))
    assert (result.sheets[0].entity, result.sheets[0].book) == ("和平村", "party")


def test_extra_header_synonyms_from_policy(tmp_path, xlsx):
    path = xlsx("odd.xlsx", {"s": [["业务日期", "单据号", "业务说明", "科目", "借方", "贷方"],
                                   ["2021-03-01", "1", "a", "管理费用", 1, None]]})
    config = tmp_path / "p.toml"
    config.write_text('[reading]\nheader_synonyms = { voucher = ["单据号"], summary = ["业务说明"] }\n', encoding="utf-8")
    result = read_one(path, load_policy(config))
    assert result.sheets[0].columns["voucher"].startswith("B")
    assert lines_of(result).loc[0, "summary"] == "a"


# ---------------------------------------------------------------------------- bad input

def test_unreadable_file_does_not_stop_the_batch(tmp_path, xlsx):
    good = xlsx("good.xlsx", {"s": [["日期", "凭证号", "摘要", "科目", "借方", "贷方"],
                                    ["2021-03-01", "1", "a", "管理费用", 1, None]]})
    bad = tmp_path / "broken.xlsx"
    bad.write_bytes(b"this is not a workbook")
    empty = tmp_path / "empty.xlsx"
    empty.write_bytes(b"")
    result = read_inputs([InputFile(str(bad), "broken.xlsx"), InputFile(str(empty), "empty.xlsx"),
                          InputFile(str(good), "good.xlsx")], Policy())
    assert len(result.ledger) == 1
    messages = {e.file: e.message for e in result.errors}
    assert "不是 Excel 工作簿" in messages["broken.xlsx"]
    assert "空的" in messages["empty.xlsx"]
    assert all(e.kind == "error" and e.row is None for e in result.errors)


def test_sheet_without_header_is_reported(xlsx):
    path = xlsx("mixed.xlsx", {"说明": [["本账簿由某某软件导出"], ["请勿修改"]],
                               "账": [["日期", "凭证号", "摘要", "科目", "借方", "贷方"],
                                      ["2021-03-01", "1", "a", "管理费用", 1, None]]})
    result = read_one(path)
    assert len(result.ledger) == 1
    note = [e for e in result.errors if e.sheet == "说明"]
    assert note and "找不到表头" in note[0].message and note[0].kind == "warning"


def test_file_with_no_readable_sheet_is_an_error(xlsx):
    path = xlsx("notes.xlsx", {"说明": [["本账簿由某某软件导出"], ["请勿修改"]]})
    result = read_one(path)
    assert [e.kind for e in result.errors] == ["error"]


def test_required_field_missing_names_it(xlsx):
    path = xlsx("nov.xlsx", {"s": [["日期", "摘要", "科目", "借方", "贷方"], ["2021-03-01", "a", "管理费用", 1, None]]})
    result = read_one(path)
    assert len(result.ledger) == 0
    assert "凭证号" in result.errors[0].message and result.errors[0].row == 1


def test_unparseable_date_and_amount_name_row_and_column(xlsx):
    path = xlsx("bad.xlsx", {"s": [["日期", "凭证号", "摘要", "科目", "借方", "贷方"],
                                   ["2021-13-45", "记-1", "a", "管理费用", 1, None],
                                   ["2021-03-02", "记-2", "b", "管理费用", "一千元", None],
                                   ["2021-03-03", "记-3", "c", "管理费用", 5, None]]})
    result = read_one(path)
    errors = {(e.row, e.column[0]): e.message for e in result.errors}
    assert "日期无法识别" in errors[(2, "A")] and "2021-13-45" in errors[(2, "A")]
    assert "借方金额无法识别" in errors[(3, "E")]
    assert list(result.ledger["row"]) == [4]
    sheet = result.sheets[0]
    assert sheet.lines + sum(sheet.skipped.values()) == sheet.data_rows
    assert set(result.dropped["row"]) == {2, 3}


def test_hidden_sheets_are_skipped_and_reported(xlsx):
    rows = [["日期", "凭证号", "摘要", "科目", "借方", "贷方"], ["2021-03-01", "1", "a", "管理费用", 1, None]]
    path = xlsx("hidden.xlsx", {"可见": rows, "隐藏": rows}, hidden=("隐藏",))
    result = read_one(path)
    assert set(result.ledger["sheet"]) == {"可见"}
    assert [s.status for s in result.sheets] == ["read", "hidden"]
    assert any("隐藏" in e.message and e.kind == "warning" for e in result.errors)


def test_lines_before_any_voucher_number_are_errors(xlsx):
    path = xlsx("nonum.xlsx", {"s": [["日期", "凭证号", "摘要", "科目", "借方", "贷方"],
                                     ["2021-03-01", "", "a", "管理费用", 1, None],
                                     ["2021-03-01", "记-1", "b", "管理费用", 1, None]]})
    result = read_one(path)
    assert list(result.ledger["row"]) == [3]
    assert any(e.row == 2 and "凭证号" in e.message for e in result.errors)


def test_every_line_keeps_its_origin(xlsx):
    path = xlsx("origin.xlsx", {"5月": [["标题"], [], HEADER,
                                       ["2021-05-01", "记-1", "a", "", "管理费用", 1, None, "", ""]]})
    lines = lines_of(read_one(path))
    assert (lines.loc[0, "file"], lines.loc[0, "sheet"], lines.loc[0, "row"]) == ("origin.xlsx", "5月", 4)


def test_parallel_and_serial_reading_agree(tmp_path):
    for i in range(3):
        write_xlsx(tmp_path / f"社区{i}" / "账.xlsx", {"s": [["日期", "凭证号", "摘要", "科目", "借方", "贷方"],
                                                        ["2021-03-01", "1", "a", "管理费用", i + 1, None]]})
    items, _ = collect_inputs([tmp_path])
    serial = read_inputs(items, Policy(), jobs=1).ledger
    parallel = read_inputs(items, Policy(), jobs=2).ledger
    pd.testing.assert_frame_equal(serial, parallel)


def test_text_columns_of_many_files_are_one_contiguous_array(tmp_path):
    # Kept as a chunk per file, every kernel the rules run over a column would pay per chunk.
    for i in range(4):
        write_xlsx(tmp_path / f"社区{i}" / "账.xlsx", {"s": [["日期", "凭证号", "摘要", "科目", "借方", "贷方"],
                                                        ["2021-03-01", "1", f"摘要{i}", "管理费用", i + 1, None]]})
    items, _ = collect_inputs([tmp_path])
    for jobs in (1, 2):
        ledger = read_inputs(items, Policy(), jobs=jobs).ledger
        assert len(ledger) == 4
        for column in ("file", "summary", "voucher_key"):
            arrow = pa.array(ledger[column].array)
            assert getattr(arrow, "num_chunks", 1) == 1, (column, jobs)
        assert ledger["summary"].tolist() == ["摘要0", "摘要1", "摘要2", "摘要3"]


# ---------------------------------------------------------------------------- cells as text, positions

def test_data_that_starts_below_and_right_of_a1_keeps_excel_rows_and_columns(tmp_path):
    # The reader drops nothing before the first filled cell: rows and column letters stay Excel's.
    import openpyxl
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "3月"
    for r, row in enumerate([HEADER[:7], ["2021-03-06", "记-6", "提取备用金", "1001", "库存现金", "一千", None],
                             ["2021-03-07", "记-7", "办公费", "5301", "管理费用", 30, None]], start=3):
        for c, value in enumerate(row, start=3):
            sheet.cell(row=r, column=c, value=value)
    path = tmp_path / "offset.xlsx"
    workbook.save(path)
    result = read_one(path)
    assert list(result.ledger["row"]) == [5]
    error = result.errors[0]
    assert (error.row, error.column) == (4, "H（借方金额）")
    assert result.sheets[0].header_rows == (3,)


def test_numbers_dates_and_text_cells_read_alike(xlsx):
    # A number cell arrives as the text Excel would show ("2500", "1234.56"); a date cell as
    # "2021-03-06 00:00:00": the parsers give the same lines as for typed text.
    path = xlsx("types.xlsx", {"s": [["日期", "凭证号", "摘要", "科目", "借方", "贷方", "附件数"],
                                     [dt.datetime(2021, 3, 6, 13, 5), 6, "a", 1001.0, 1234.56, None, 2.0],
                                     ["2021-03-06", "6", "a", "1002", None, "1,234.56", "2张"]]})
    lines = lines_of(read_one(path))
    assert list(lines["date"]) == [pd.Timestamp("2021-03-06")] * 2
    assert list(lines["voucher"]) == ["6", "6"]
    assert list(lines["account_code"]) == ["1001", "1002"]
    assert list(lines["debit_fen"] + lines["credit_fen"]) == [123456, 123456]
    assert list(lines["attachments"]) == [2, 2]


def test_amounts_in_wan_yuan_keep_four_decimals(xlsx):
    path = xlsx("wan.xlsx", {"s": [["建设社区行政账（单位：万元）"], ["日期", "凭证号", "摘要", "科目", "借方", "贷方"],
                                   ["2021-03-06", "记-1", "x", "管理费用", 2.5678, None],
                                   ["", "", "x", "银行存款", None, "2.5678"]]})
    lines = lines_of(read_one(path))
    assert list(lines["debit_fen"]) == [2567800, 0]
    assert list(lines["credit_fen"]) == [0, 2567800]


def test_a_chart_sheet_is_passed_over(tmp_path):
    import openpyxl
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "s"
    for row in [["日期", "凭证号", "摘要", "科目", "借方", "贷方"], ["2021-03-01", "1", "a", "管理费用", 1, None]]:
        sheet.append(row)
    workbook.create_chartsheet("图表")
    path = tmp_path / "chart.xlsx"
    workbook.save(path)
    result = read_one(path)
    assert len(result.ledger) == 1
    assert not [e for e in result.errors if e.kind == "error"]


def test_opener_reads_ahead_and_gives_the_same_lines(tmp_path):
    from voucher_checker.sources import Opener
    for i in range(3):
        write_xlsx(tmp_path / f"社区{i}" / "账.xlsx", {"s": [["日期", "凭证号", "摘要", "科目", "借方", "贷方"],
                                                        ["2021-03-01", "1", "a", "管理费用", i + 1, None]]})
    (tmp_path / "社区9").mkdir()
    (tmp_path / "社区9" / "坏.xlsx").write_bytes(b"PK\x03\x04" + b"\0" * 100)
    items, _ = collect_inputs([tmp_path])
    plain = read_inputs(items, Policy(), jobs=1)
    for jobs in (1, 2, 4):
        ahead = read_inputs(items, Policy(), jobs=jobs, opener=Opener(items, Policy().reading, jobs))
        pd.testing.assert_frame_equal(plain.ledger, ahead.ledger)
        assert [e.message for e in plain.errors] == [e.message for e in ahead.errors]
        assert any("损坏" in e.message for e in ahead.errors)


def test_voucher_ids_number_vouchers_across_files_in_order_of_appearance(tmp_path):
    from voucher_checker.schema import voucher_ids
    rows = lambda amount: {"3月": [["日期", "凭证号", "摘要", "科目", "借方", "贷方"],
                                   ["2021-03-01", "1", "a", "管理费用", amount, None],
                                   ["2021-03-02", "2", "b", "管理费用", amount, None]]}
    write_xlsx(tmp_path / "a" / "建设社区行政账.xlsx", rows(1))
    write_xlsx(tmp_path / "b" / "和平社区行政账.xlsx", rows(2))           # other vouchers: ids follow on
    write_xlsx(tmp_path / "c" / "建设社区行政账.xlsx", rows(3))           # the same book-month again: shared ids
    items, _ = collect_inputs([tmp_path])
    ledger = read_inputs(items, Policy(), jobs=2).ledger
    assert list(ledger["voucher_id"]) == list(voucher_ids(ledger["voucher_key"])) == [0, 1, 2, 3, 0, 1]


def test_lines_keep_scan_order_when_layouts_alternate(tmp_path):
    # Sheets of one layout are read together across files; the ledger still lists files, sheets
    # and rows in scan order, and voucher ids in order of first appearance.
    from voucher_checker.schema import voucher_ids
    one = lambda n: [["日期", "凭证号", "摘要", "科目", "借方", "贷方"], ["2021-03-01", str(n), "a", "管理费用", n, None]]
    two = lambda n: [["凭证号", "日期", "摘要", "会计科目", "借方金额", "贷方金额", "制单人"],
                     [str(n), "2021-04-01", "b", "管理费用", n, None, "张三"]]
    write_xlsx(tmp_path / "1" / "甲社区行政账.xlsx", {"s": one(1)})
    write_xlsx(tmp_path / "2" / "乙社区行政账.xlsx", {"s": two(2)})
    write_xlsx(tmp_path / "3" / "丙社区行政账.xlsx", {"s": one(3)})
    write_xlsx(tmp_path / "4" / "丁社区行政账.xlsx", {"a": one(4), "b": two(5), "c": one(6)})   # interleaved in a file
    items, _ = collect_inputs([tmp_path])
    for jobs in (1, 2):
        ledger = read_inputs(items, Policy(), jobs=jobs).ledger
        assert list(ledger["debit_fen"] // 100) == [1, 2, 3, 4, 5, 6]
        assert list(ledger["sheet"]) == ["s", "s", "s", "a", "b", "c"]
        assert list(ledger["line_id"]) == list(range(6))
        assert list(ledger["voucher_id"]) == list(voucher_ids(ledger["voucher_key"])) == list(range(6))


def test_files_with_the_same_name_in_two_folders_keep_their_own_errors(tmp_path):
    header = ["日期", "凭证号", "摘要", "科目", "借方", "贷方"]
    write_xlsx(tmp_path / "甲" / "行政账.xlsx", {"s": [header, ["2021-13-01", "1", "a", "管理费用", 1, None]]})
    write_xlsx(tmp_path / "乙" / "行政账.xlsx", {"s": [header, ["2021-03-01", "1", "a", "管理费用", 1, None]]})
    items, _ = collect_inputs([tmp_path / "甲", tmp_path / "乙"])
    assert [item.display for item in items] == ["行政账.xlsx", "行政账.xlsx"]
    for jobs in (1, 2):
        result = read_inputs(items, Policy(), jobs=jobs)
        assert [e.message[:6] for e in result.errors] == ["日期无法识别"], "no second error for an unread file"
        assert len(result.ledger) == 1


def _journal_rows(vouchers: int) -> list[list]:
    """A long one-sheet journal as exports print it: voucher number, date and people only on a
    voucher's first line, the date only when the day changes, daily subtotals, the header
    repeated at every page break, one voucher continued much further down, a bad amount."""
    rows = [["建设社区居民委员会序时账"], HEADER]
    day = None
    for number in range(1, vouchers + 1):
        date = dt.datetime(2021, 1 + number * 12 // (vouchers + 1), 1 + number % 27)
        first = [date if date != day else None, f"记-{number}", f"摘要{number}", "5301", "管理费用",
                 100 + number, None, "张三" if number % 5 else None, "李四"]
        day = date
        rows.append(first)
        for extra in range(number % 3):
            rows.append([None, None, f"摘要{number}", "1002", "银行存款", None, 100 + number if not extra else 0])
        if number % 7 == 0:
            rows.append([None, None, "本日合计", None, None, 700, 700])
        if number % 11 == 0:
            rows.append(HEADER)
        if number == 9:
            rows.append([None, None, "金额写错", "1002", "银行存款", None, "12,3x"])
    rows.append([dt.datetime(2021, 12, 30), "记-3", "补记", "1002", "银行存款", None, 5])
    rows.append([None, None, "本月合计", None, None, 1, 1])
    return rows


def test_a_long_sheet_read_in_pieces_gives_what_it_gives_whole(xlsx, monkeypatch):
    import voucher_checker.batch as read_module
    path = xlsx("建设社区行政账2021.xlsx", {"序时账": _journal_rows(120), "说明": [["本账簿仅供测试"]]})
    items = [InputFile(str(path), path.name)]
    whole = read_inputs(items, Policy(), jobs=1)
    monkeypatch.setattr(read_module, "PIECE_ROWS", 9)
    cut = []
    original = read_module.split_sheet
    monkeypatch.setattr(read_module, "split_sheet", lambda *a: cut.append(original(*a)) or cut[-1])
    pieces = read_inputs(items, Policy(), jobs=2)
    assert len(cut[0]) > 10
    pd.testing.assert_frame_equal(whole.ledger, pieces.ledger)
    assert [vars(s) for s in whole.sheets] == [vars(s) for s in pieces.sheets]
    assert [(e.row, e.column, e.message) for e in whole.errors] == [(e.row, e.column, e.message) for e in pieces.errors]
    pd.testing.assert_frame_equal(whole.dropped, pieces.dropped)
    assert any(e.column.startswith("G") for e in pieces.errors)       # the bad amount, named once
    assert whole.sheets[0].skipped and whole.sheets[0].lines > 200


def test_pieces_start_on_a_voucher_first_line_with_its_date(xlsx):
    from voucher_checker.read import SheetReader, _matcher, split_sheet
    from voucher_checker.sources import open_sheets
    path = xlsx("账.xlsx", {"序时账": _journal_rows(60)})
    raw = open_sheets(str(path))[0]
    sheet = SheetReader(InputFile(str(path), "账.xlsx"), raw, Policy(), _matcher(Policy())).prepare()
    pieces = split_sheet(sheet, 8, Policy())
    assert len(pieces) > 5
    assert pieces[0].rows[0] == 2 and pieces[-1].rows[1] == raw.height
    assert all(a.rows[1] == b.rows[0] for a, b in zip(pieces, pieces[1:]))
    for piece in pieces[1:]:
        first = [column[piece.rows[0]].as_py() for column in raw.columns]
        assert first[0] and first[1].startswith("记-"), first       # dated, numbered: a voucher's first line
    assert len({id(piece.info) for piece in pieces} | {id(sheet.info)}) == len(pieces) + 1
    assert split_sheet(sheet, 10_000, Policy()) == [sheet]


@pytest.mark.parametrize("ahead_rows", [1, 10_000])
def test_opener_opens_each_file_once_within_its_row_budget(tmp_path, monkeypatch, ahead_rows):
    """What the opener opens ahead depends on the budget, never on which thread finishes first:
    one workbook per thread at least, more only while the rows held stay under the budget.  The
    test waits for the opening ahead to stop (no fixed sleep), checking under the opener's lock."""
    import threading
    import voucher_checker.sources as sources
    for i in range(6):
        write_xlsx(tmp_path / f"社区{i}.xlsx", {"s": [["日期", "凭证号", "摘要", "科目", "借方", "贷方"]] +
                                                   [["2021-03-01", str(n), f"a{i}", "管理费用", n, None] for n in range(1, 30)]})
    items, _ = collect_inputs([tmp_path])
    opened, lock, original = [], threading.Lock(), sources.open_sheets
    settled = threading.Condition()

    def counting(path, reading=None):
        with lock:
            opened.append(path)
        return original(path, reading)

    def idle(opener):
        with opener._lock:
            return opener._running == 0
    monkeypatch.setattr(sources, "open_sheets", counting)
    monkeypatch.setattr("voucher_checker.read.open_sheets", counting)
    monkeypatch.setattr(sources.Opener, "AHEAD_ROWS", ahead_rows)
    notify = sources.Opener._opened

    def opened_and_notify(self, future):
        notify(self, future)
        with settled:
            settled.notify_all()
    monkeypatch.setattr(sources.Opener, "_opened", opened_and_notify)
    opener = sources.Opener(items, Policy().reading, 2)
    with settled:       # the bound is only met when the opener never stops: a defect, not a slow machine
        assert settled.wait_for(lambda: idle(opener), timeout=600), "the opening ahead never stopped"
    assert len(opened) == (2 if ahead_rows == 1 else 6)
    result = read_inputs(items, Policy(), jobs=2, opener=opener)
    assert sorted(opened) == sorted(item.path for item in items)
    assert len(result.ledger) == 6 * 29


def _whole_and_pieces(path, piece_rows, monkeypatch):
    import voucher_checker.batch as read_module
    items = [InputFile(str(path), path.name)]
    whole = read_inputs(items, Policy(), jobs=1)
    monkeypatch.setattr(read_module, "PIECE_ROWS", piece_rows)
    return whole, read_inputs(items, Policy(), jobs=2)


def _assert_same_read(whole, pieces):
    pd.testing.assert_frame_equal(whole.ledger, pieces.ledger)
    assert [vars(s) for s in whole.sheets] == [vars(s) for s in pieces.sheets]
    assert [(e.row, e.column, e.message) for e in whole.errors] == [(e.row, e.column, e.message) for e in pieces.errors]
    pd.testing.assert_frame_equal(whole.dropped, pieces.dropped)


def test_no_piece_starts_right_after_a_header_repeated_inside_a_voucher(xlsx, monkeypatch):
    """Number and date on every line, the people and attachments on the first only, and a page
    break (repeated header) inside 记-20: the line after it continues 记-20 and is no cut."""
    header = ["日期", "凭证号", "摘要", "科目名称", "借方金额", "贷方金额", "制单人", "附件数"]
    rows = [header]
    for n in range(1, 41):
        day = dt.datetime(2021, 3, 1 + n % 27)
        rows.append([day, f"记-{n}", f"摘要{n}", "管理费用", 100, None, "张三", 2])
        if n == 20:
            rows.append(header)
        rows.append([day, f"记-{n}", f"摘要{n}", "银行存款", None, 100, None, None])
    whole, pieces = _whole_and_pieces(xlsx("建设社区行政账2021.xlsx", {"序时账": rows}), 10, monkeypatch)
    _assert_same_read(whole, pieces)
    assert (whole.ledger["preparer"] == "张三").all()


@pytest.mark.parametrize("seed", range(6))
def test_long_sheets_of_each_layout_read_alike_in_pieces(xlsx, monkeypatch, seed):
    """Random journals in three layouts (日期; 凭证字 and 凭证号 apart; 月 and 日 apart), voucher
    fields on every line or the first only, repeated headers, subtotal and carry rows, blank
    rows, a number used twice: read in pieces of 4–12 rows, they give what the whole sheet gives."""
    import random
    rng = random.Random(seed)
    layouts = {
        "date": ["日期", "凭证号", "摘要", "科目名称", "借方金额", "贷方金额", "制单人", "附件数"],
        "word": ["日期", "凭证字", "凭证号", "摘要", "科目名称", "借方金额", "贷方金额", "制单人", "附件数"],
        "md": ["月", "日", "凭证号", "摘要", "科目名称", "借方金额", "贷方金额", "制单人", "附件数"],
    }
    layout = ["date", "word", "md"][seed % 3]
    header = layouts[layout]
    rows, last_day = [header], None
    every_line, dated_each_line = rng.random() < 0.5, rng.random() < 0.5
    for n in range(1, rng.randint(30, 60)):
        day = dt.datetime(2021, 3, 1 + min(26, n // 3))
        number = n if rng.random() > 0.1 else max(1, n - 1)
        for k in range(rng.randint(1, 4)):
            first = k == 0
            dated = first and (dated_each_line or day != last_day) or (every_line and dated_each_line)
            voucher = f"记-{number}" if first or every_line else None
            amounts = (100, None) if k % 2 == 0 else (None, 100)
            people = ("张三" if rng.random() < 0.8 else None, 2 if rng.random() < 0.7 else None) if first else (None, None)
            if layout == "date":
                row = [day if dated else None, voucher, f"s{n}", "管理费用", *amounts, *people]
            elif layout == "word":
                row = [day if dated else None, rng.choice(["记", "现"]) if voucher else None,
                       str(number) if voucher else None, f"s{n}", "管理费用", *amounts, *people]
            else:
                row = [3 if dated else None, day.day if dated else None, voucher, f"s{n}", "管理费用", *amounts, *people]
            rows.append(row)
            if rng.random() < 0.08:
                rows.append(list(header))
            if rng.random() < 0.04:
                carry = [None] * len(header)
                carry[header.index("摘要")] = rng.choice(["本日合计", "过次页", "承前页"])
                if rng.random() < 0.5:
                    carry[header.index("凭证号")] = rng.choice(["过次页", f"记-{number}", None])
                rows.append(carry)
            if rng.random() < 0.03:
                rows.append([None] * len(header))
        last_day = day
    path = xlsx("建设社区行政账2021.xlsx", {"序时账": rows})
    _assert_same_read(*_whole_and_pieces(path, rng.randint(4, 12), monkeypatch))


def test_a_piece_that_fails_is_named_by_its_rows_and_the_rest_of_the_sheet_still_counts(xlsx, monkeypatch):
    import voucher_checker.read as read_module
    path = xlsx("建设社区行政账2021.xlsx", {"序时账": _journal_rows(120)})
    monkeypatch.setattr("voucher_checker.batch.PIECE_ROWS", 9)
    parse = read_module.BatchReader._parse
    calls = []

    def failing_once(self, positions):
        calls.append(1)
        if len(calls) == 2:
            raise ValueError("boom")
        return parse(self, positions)
    monkeypatch.setattr(read_module.BatchReader, "_parse", failing_once)
    result = read_inputs([InputFile(str(path), path.name)], Policy(), jobs=2)
    [failed] = [e for e in result.errors if "boom" in e.message]
    assert "行时出错" in failed.message and "没有参与检查" in failed.message
    assert not [e for e in result.errors if "行数核对不一致" in e.message]
    info = result.sheets[0]
    assert info.status == "read" and 0 < info.lines == len(result.ledger)
    assert info.lines + sum(info.skipped.values()) == info.data_rows
