"""The page in a real headless Chromium (Debian's `chromium`, driven by Playwright for Python
through ``executable_path``; Playwright's own browser builds are never downloaded): upload the
sample ledgers, wait for the results, filter, record a conclusion, reload and see it kept,
download the report and find the conclusion in it; a foreign Origin and a rebound host name are
refused; an oversized upload is refused with a clear message.

Every wait is for a condition on the page, with bounds only a defect reaches."""
from __future__ import annotations

import http.server
import os
import shutil
import threading
from pathlib import Path

import openpyxl
import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = sorted((ROOT / "sample_ledgers").rglob("*.xlsx"))
SCREENSHOT = ROOT / "reports" / "web-page.png"
BOUND_MS = int(os.environ.get("VOUCHER_CHECK_E2E_BOUND_MS", 600_000))     # a wait that ends only on a defect
CHROMIUM_NAMES = ("chromium", "chromium-browser")


def _chromium() -> str | None:
    given = os.environ.get("VOUCHER_CHECK_CHROMIUM")
    if given:
        return given
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


CHROMIUM = _chromium()
try:
    from playwright.sync_api import expect, sync_playwright
    expect.set_options(timeout=BOUND_MS)       # its own default is five seconds
except ImportError:          # pragma: no cover - shown as the skip reason
    sync_playwright = None


@pytest.fixture(scope="module")
def sample_count():
    """How many findings a scan of the sample ledgers gives, as the command line would find them."""
    from voucher_checker.policy import load_policy
    from voucher_checker.scan import scan
    return len(scan([str(ROOT / "sample_ledgers")], load_policy(None)).findings)

pytestmark = [
    pytest.mark.skipif(sync_playwright is None, reason="Playwright for Python is not installed "
                                                       "(pip install -e '.[test]'): web page end-to-end tests skipped"),
    pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (Debian: apt-get install chromium): "
                                                "web page end-to-end tests skipped"),
]


def _serving(base, **options):
    from voucher_checker.web.server import start
    running = start(port=0, db=base / "store.db", temp_base=base, jobs=1, **options)
    thread = threading.Thread(target=running.server.run, daemon=True)
    thread.start()
    return running, thread


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    running, thread = _serving(tmp_path_factory.mktemp("web"))
    yield running
    running.stop()
    thread.join(timeout=60)


@pytest.fixture(scope="module")
def small_server(tmp_path_factory):
    """A server whose upload limit is 1 MB."""
    running, thread = _serving(tmp_path_factory.mktemp("web-small"), max_upload_mb=1)
    yield running
    running.stop()
    thread.join(timeout=60)


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        # The rebinding test names a foreign host that Chromium resolves to this machine.
        launched = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                              args=["--host-resolver-rules=MAP rebound.example 127.0.0.1"])
        yield launched
        launched.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1366, "height": 768}, accept_downloads=True, locale="zh-CN")
    context.set_default_timeout(BOUND_MS)
    opened = context.new_page()
    yield opened
    context.close()


def open_page(page, server):
    page.goto(server.url)
    page.wait_for_selector("body[data-ready='1']")


def upload_samples(page, count):
    page.set_input_files("#pick-files", [str(p) for p in SAMPLES])
    expect(page.locator("#picked")).to_contain_text(f"已选 {len(SAMPLES)} 个账簿文件")
    page.click("#start")
    page.wait_for_selector("#results:not([hidden])")
    expect(page.locator("#count")).to_contain_text(f"共 {count} 条问题")


def test_upload_filter_conclude_reload_and_download(page, server, tmp_path, sample_count):
    open_page(page, server)
    upload_samples(page, sample_count)
    # 数据问题 comes before the summary, and the samples have none.
    assert page.locator("#problems-none").is_visible()
    problems_box = page.locator("#problems-title").bounding_box()
    summary_box = page.locator("#summary-title").bounding_box()
    assert problems_box["y"] < summary_box["y"]
    expect(page.locator("#units tbody tr").first).to_contain_text("建设社区")

    page.select_option("#filters select[name=rule]", "petty-cash-over-limit")
    expect(page.locator("#count")).to_contain_text("共 1 条问题")
    row = page.locator("tr.finding").first
    expect(row).to_contain_text("超过备用金限额")
    page.select_option("#filters select[name=severity]", "low")
    expect(page.locator("#count")).to_contain_text("没有符合条件的问题")
    page.select_option("#filters select[name=severity]", "")
    expect(page.locator("#count")).to_contain_text("共 1 条问题")

    # By keyboard: the button opens the voucher and puts the focus on 核实结论.
    row.locator("button").focus()
    page.keyboard.press("Enter")
    detail = page.locator("tr.detail-row:not([hidden])")
    expect(detail.locator(".lines tbody tr.flagged").first).to_be_visible()
    expect(detail.locator(".basis")).to_contain_text("依据")
    assert page.evaluate("document.activeElement.name") == "verdict"
    detail.locator("select[name=verdict]").select_option("属实")
    detail.locator("textarea[name=measures]").fill("退回超限额现金，建立备用金台账")
    detail.locator("input[name=responsible]").fill("张会计")
    detail.locator("textarea[name=note]").fill("网页填写")
    detail.locator("button[type=submit]").click()
    expect(detail.locator(".saved")).to_have_text("已保存")
    expect(row.locator("td.verdict .verdict-text")).to_have_text("属实")

    page.reload()
    page.wait_for_selector("#results:not([hidden])")
    page.select_option("#filters select[name=rule]", "petty-cash-over-limit")
    expect(page.locator("#count")).to_contain_text("共 1 条问题")
    row = page.locator("tr.finding").first
    expect(row.locator("td.verdict .verdict-text")).to_have_text("属实")
    row.locator("button").click()
    detail = page.locator("tr.detail-row:not([hidden])")
    expect(detail.locator("select[name=verdict]")).to_have_value("属实")
    expect(detail.locator("textarea[name=measures]")).to_have_value("退回超限额现金，建立备用金台账")
    expect(detail.locator("input[name=responsible]")).to_have_value("张会计")
    expect(detail.locator(".lines tbody tr.flagged").first).to_be_visible()

    SCREENSHOT.parent.mkdir(exist_ok=True)
    page.select_option("#filters select[name=rule]", "")
    expect(page.locator("#count")).to_contain_text(f"共 {sample_count} 条问题")
    page.locator("tr.finding", has_text="超过备用金限额").locator("button").click()
    expect(page.locator("tr.detail-row:not([hidden]) .lines tbody tr.flagged").first).to_be_visible()
    # Scrolled to the top, table headers not sticky, no focus ring, no caret: the
    # same page gives the same picture, so a test run leaves the checkout as it was.
    page.evaluate("""() => {
        document.activeElement.blur();
        for (const th of document.querySelectorAll(".grid th")) th.style.position = "static";
        window.scrollTo(0, 0);
    }""")
    page.screenshot(path=str(SCREENSHOT), full_page=True, animations="disabled", caret="hide",
                    clip={"x": 0, "y": 0, "width": 1366, "height": 1720})

    with page.expect_download() as downloading:
        page.click("#download")
    target = tmp_path / "report.xlsx"
    downloading.value.save_as(target)
    sheet = openpyxl.load_workbook(target)["问题清单"]
    rows = [[cell.value for cell in r] for r in sheet.iter_rows()]
    header = rows[0]
    concluded = [r for r in rows[1:] if r[header.index("核实结论")] == "属实"]
    assert len(concluded) == 1
    assert "超过备用金限额" in concluded[0][header.index("问题说明及依据")]
    assert concluded[0][header.index("整改措施")] == "退回超限额现金，建立备用金台账"
    assert concluded[0][header.index("责任人")] == "张会计"

    with page.expect_download() as downloading:
        page.click("#download-progress")
    target = tmp_path / "progress.xlsx"
    downloading.value.save_as(target)
    assert "整改台账" in openpyxl.load_workbook(target).sheetnames


def test_a_page_on_another_origin_is_refused(page, server):
    class Foreign(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server's name
            body = b"<!DOCTYPE html><title>other</title><p>other site</p>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    foreign = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Foreign)
    threading.Thread(target=foreign.serve_forever, daemon=True).start()
    try:
        # localhost and 127.0.0.1 are different origins: the page at localhost:OTHER is foreign.
        page.goto(f"http://localhost:{foreign.server_address[1]}/")
        uploads = server.folder.path / "uploads"
        before = sorted(uploads.iterdir())
        api = server.url + "api/scans"
        # What a foreign site would do: post a form to the page's address (no-cors: no preflight).
        with page.expect_response(api) as answered:
            page.evaluate("""url => {
                const form = new FormData();
                form.append("files", new Blob(["日期,凭证号\\n"]), "x.csv");
                return fetch(url, {method: "POST", mode: "no-cors", body: form}).catch(() => null);
            }""", api)
        # The page at the other origin cannot read the answer (no CORS header); the status is 403.
        assert answered.value.status == 403
        assert sorted(uploads.iterdir()) == before
    finally:
        foreign.shutdown()
        foreign.server_close()


def test_a_rebound_host_name_is_refused(page, server):
    port = server.url.rstrip("/").rsplit(":", 1)[1]
    response = page.goto(f"http://rebound.example:{port}/")
    assert response.status == 403
    assert "主机名" in page.content()


def test_an_oversized_upload_is_refused_with_a_clear_message(page, small_server, tmp_path):
    big = tmp_path / "大账簿.csv"
    big.write_bytes(b"0" * (1024 * 1024 + 200_000))
    open_page(page, small_server)
    page.set_input_files("#pick-files", str(big))
    page.click("#start")
    message = page.locator("#upload-error")
    expect(message).to_be_visible()
    expect(message).to_contain_text("上传被拒绝")
    expect(message).to_contain_text("1 MB")
    assert page.locator("#results").is_hidden()
    # The server refuses it too when the page's own check is bypassed.
    answer = page.evaluate("""async () => {
        const form = new FormData();
        form.append("files", new Blob([new Uint8Array(1300000)]), "大账簿.csv");
        const response = await fetch("/api/scans", {method: "POST", body: form});
        return {status: response.status, body: await response.json()};
    }""")
    assert answer["status"] == 413
    assert "超过一次上传的上限 1 MB" in answer["body"]["error"]


def test_files_dropped_on_the_page_are_chosen_and_scanned(page, server):
    open_page(page, server)
    csv = "日期,凭证号,摘要,科目,借方,贷方\n2021-01-05,1,现金支付工程款,管理费用,5000,\n2021-01-05,1,现金支付工程款,库存现金,,5000\n"
    page.evaluate("""text => {
        const transfer = new DataTransfer();
        transfer.items.add(new File([text], "和平村2021.csv", {type: "text/csv"}));
        transfer.items.add(new File(["x"], "说明.pdf"));
        for (const type of ["dragover", "drop"]) {
            document.getElementById("drop").dispatchEvent(new DragEvent(type, {dataTransfer: transfer, bubbles: true, cancelable: true}));
        }
    }""", csv)
    expect(page.locator("#picked")).to_contain_text("已选 1 个账簿文件")
    expect(page.locator("#picked")).to_contain_text("说明.pdf")
    page.locator("#start").focus()      # started by keyboard
    page.keyboard.press("Enter")
    page.wait_for_selector("#results:not([hidden])")
    expect(page.locator("#facts")).to_contain_text("读取 1 个文件")
    expect(page.locator("#findings tbody tr.finding").first).to_contain_text("和平村")
