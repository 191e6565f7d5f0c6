"""Build small workbooks in the tests themselves, in the layouts real exports use."""
from __future__ import annotations

import sys
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, settings

# No test may depend on how fast the machine is: hypothesis' per-example deadline (200 ms by
# default) and its "too slow" health check both fail on a loaded two-core CI machine.
settings.register_profile("no-timing", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("no-timing")

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def write_xlsx(path: Path, sheets: dict[str, list[list]], hidden: tuple[str, ...] = (),
               merges: dict[str, list[str]] | None = None) -> Path:
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(list(row))
        for cell_range in (merges or {}).get(name, []):
            sheet.merge_cells(cell_range)
        if name in hidden:
            sheet.sheet_state = "hidden"
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    return path


def write_xls(path: Path, sheets: dict[str, list[list]]) -> Path:
    import xlwt
    workbook = xlwt.Workbook(encoding="utf-8")
    date_style = xlwt.easyxf(num_format_str="yyyy-mm-dd")
    for name, rows in sheets.items():
        sheet = workbook.add_sheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is None:
                    continue
                if hasattr(value, "year"):
                    sheet.write(r, c, value, date_style)
                else:
                    sheet.write(r, c, value)
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(str(path))
    return path


@pytest.fixture
def xlsx(tmp_path):
    def make(name: str, sheets: dict[str, list[list]], **kwargs) -> Path:
        return write_xlsx(tmp_path / name, sheets, **kwargs)
    return make
