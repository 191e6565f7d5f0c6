"""The web page's server side, through Flask's test client: who may ask (Host, Origin), how much
may be uploaded, that every file stays inside the private folder, and the scan → findings →
conclusion → report flow."""
from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from voucher_checker.web import guard
from voucher_checker.web.app import Settings, create_app
from voucher_checker.web.conclusions import ConclusionStore

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = sorted((ROOT / "sample_ledgers").rglob("*.xlsx"))
PORT = 8765
OWN = f"http://127.0.0.1:{PORT}"
SCAN_BOUND = 600          # seconds a scan of the samples may take before the test gives up: only a defect


class Client:
    """Flask's test client speaking as the page: its own Host, and its own Origin on changes."""

    def __init__(self, app):
        self.app = app
        self.client = app.test_client()

    def request(self, method, path, host=f"127.0.0.1:{PORT}", origin=OWN, **kwargs):
        headers = dict(kwargs.pop("headers", {}))
        if host is not None:
            headers["Host"] = host
        if origin is not None:
            headers["Origin"] = origin
        return self.client.open(path, method=method, headers=headers, **kwargs)

    def get(self, path, **kwargs):
        kwargs.setdefault("origin", None)
        return self.request("GET", path, **kwargs)

    def post(self, path, **kwargs):
        return self.request("POST", path, **kwargs)

    @property
    def settings(self):
        return self.app.extensions["voucher_checker"]["settings"]

    def job(self, job_id):
        return self.app.extensions["voucher_checker"]["runner"].get(job_id)

    def upload(self, files, **kwargs):
        data = {"files": [(io.BytesIO(content), name) for name, content in files]}
        return self.post("/api/scans", data=data, content_type="multipart/form-data", **kwargs)

    def scanned(self, files):
        response = self.upload(files)
        assert response.status_code == 202, response.get_json()
        job_id = response.get_json()["id"]
        self.job(job_id).future.result(timeout=SCAN_BOUND)
        assert self.get(f"/api/scans/{job_id}").get_json()["state"] == "done", self.job(job_id).message
        return job_id


def child_env(tmp_path) -> dict:
    """A child process's environment: its temporary folder in the test's, UTF-8 on its pipes
    whatever the console's code page."""
    return {**os.environ, "TMPDIR": str(tmp_path), "TMP": str(tmp_path), "TEMP": str(tmp_path),
            "PYTHONIOENCODING": "utf-8"}


def make_client(tmp_path, **limits) -> Client:
    root = tmp_path / "private"
    root.mkdir()
    settings = Settings(root=root, store=ConclusionStore(tmp_path / "store.db"), jobs=1, **limits)
    settings.hosts = guard.allowed_hosts("127.0.0.1", PORT)
    return Client(create_app(settings))


@pytest.fixture
def client(tmp_path):
    return make_client(tmp_path)


_COUNT = []


def sample_count() -> int:
    """How many findings a scan of the sample ledgers gives, as the command line would find them."""
    if not _COUNT:
        from voucher_checker.policy import load_policy
        from voucher_checker.scan import scan
        _COUNT.append(len(scan([str(ROOT / "sample_ledgers")], load_policy(None)).findings))
    return _COUNT[0]


def sample_files():
    return [(f"建设社区/{path.name}", path.read_bytes()) for path in SAMPLES]


# ---------------------------------------------------------------- Host and Origin

ALLOWED = guard.allowed_hosts("127.0.0.1", PORT)


@pytest.mark.parametrize("host", [f"127.0.0.1:{PORT}", f"localhost:{PORT}", f"LOCALHOST:{PORT}", f"[::1]:{PORT}"])
def test_own_host_names_are_accepted(host):
    assert guard.refusal("GET", host, None, ALLOWED) is None


@pytest.mark.parametrize("host", ["evil.example", f"evil.example:{PORT}", "127.0.0.1", "127.0.0.1:9999",
                                  f"127.0.0.1.evil.example:{PORT}", "", None])
def test_foreign_host_is_refused(host):
    # DNS rebinding: a foreign name resolved to 127.0.0.1 arrives with that name as Host.
    assert "主机名" in guard.refusal("GET", host, None, ALLOWED)


@pytest.mark.parametrize("origin", ["http://evil.example", f"http://evil.example:{PORT}", f"https://127.0.0.1:{PORT}",
                                    "http://127.0.0.1:9999", f"http://127.0.0.1:{PORT}.evil.example"])
def test_foreign_origin_is_refused_even_for_reading(origin):
    assert "其他网页" in guard.refusal("GET", f"127.0.0.1:{PORT}", origin, ALLOWED)
    assert "其他网页" in guard.refusal("POST", f"127.0.0.1:{PORT}", origin, ALLOWED)


@pytest.mark.parametrize("origin", [None, "null"])
def test_a_change_without_the_pages_origin_is_refused(origin):
    # A sandboxed frame or a page opened from a file sends "null".
    assert "修改数据" in guard.refusal("POST", f"127.0.0.1:{PORT}", origin, ALLOWED)
    assert guard.refusal("GET", f"127.0.0.1:{PORT}", origin, ALLOWED) is None


def test_own_origin_may_change(client):
    assert guard.refusal("POST", f"localhost:{PORT}", f"http://localhost:{PORT}", ALLOWED) is None
    assert guard.refusal("DELETE", f"127.0.0.1:{PORT}", OWN, ALLOWED) is None


def test_the_app_refuses_a_foreign_host_and_origin(client):
    page = client.get("/")
    assert page.status_code == 200 and "凭证检查" in page.get_data(as_text=True)
    assert page.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    rebound = client.get("/", host="attacker.example")
    assert rebound.status_code == 403 and "主机名" in rebound.get_json()["error"]
    cross = client.upload(sample_files()[:1], origin="http://attacker.example")
    assert cross.status_code == 403 and "其他网页" in cross.get_json()["error"]
    no_origin = client.upload(sample_files()[:1], origin=None)
    assert no_origin.status_code == 403
    assert not any((client.settings.root / "uploads").iterdir())


# ---------------------------------------------------------------- upload limits

def test_an_oversized_upload_is_refused_with_the_limit(tmp_path):
    client = make_client(tmp_path, max_upload_bytes=50_000)
    response = client.upload([("big.xlsx", b"x" * 60_000)])
    assert response.status_code == 413
    message = response.get_json()["error"]
    assert "上传被拒绝" in message and "共 59 KB" in message and "上限 49 KB" in message and "--max-upload-mb" in message
    assert not any((client.settings.root / "uploads").iterdir())


def test_too_many_files_are_refused(tmp_path):
    client = make_client(tmp_path, max_files=2)
    response = client.upload([(f"{n}.csv", b"a,b\n") for n in range(3)])
    assert response.status_code == 413
    assert "最多上传 2 个文件" in response.get_json()["error"]
    # Far more parts than files allowed: refused by the form parser before any is kept.
    response = client.upload([(f"{n}.csv", b"a,b\n") for n in range(40)])
    assert response.status_code == 413 and "--max-files" in response.get_json()["error"]
    assert not any((client.settings.root / "uploads").iterdir())


def test_files_that_are_not_ledgers_are_named_not_kept(client):
    response = client.upload([("说明.pdf", b"%PDF"), ("a.docx", b"PK")])
    assert response.status_code == 400
    assert "不是账簿文件" in response.get_json()["error"]


# ---------------------------------------------------------------- paths stay inside

@pytest.mark.parametrize("given, kept", [
    ("建设社区/建设社区行政账2021.xlsx", "建设社区/建设社区行政账2021.xlsx"),
    ("../../etc/passwd.csv", "etc/passwd.csv"),
    ("..\\..\\Windows\\win.xlsx", "Windows/win.xlsx"),
    ("/abs/path/a.xlsx", "abs/path/a.xlsx"),
    ("C:\\Users\\x\\a.xlsx", "C_/Users/x/a.xlsx"),
    ("con.xlsx", "_con.xlsx"),
    ("a/./b/../c.csv", "a/b/c.csv"),
    ("bad<name>?.xlsx", "bad_name__.xlsx"),
])
def test_uploaded_names_become_relative_paths(given, kept):
    assert guard.clean_relative_path(given).as_posix() == kept


@pytest.mark.parametrize("given", ["", "..", "/", "./..", "\\"])
def test_a_name_with_nothing_left_is_refused(given):
    with pytest.raises(guard.PathRefused):
        guard.clean_relative_path(given)


def test_inside_refuses_escapes(tmp_path):
    root = tmp_path / "root"
    root.mkdir()
    assert guard.inside(root, "a/b.xlsx") == (root / "a" / "b.xlsx").resolve()
    for escape in ("../x.xlsx", "a/../../x.xlsx", str(tmp_path / "x.xlsx")):
        with pytest.raises(guard.PathRefused):
            guard.inside(root, escape)


@pytest.mark.skipif(os.name == "nt", reason="symbolic links need privileges on Windows")
def test_inside_refuses_a_link_out(tmp_path):
    root = tmp_path / "root"
    root.mkdir()
    (root / "link").symlink_to(tmp_path)
    with pytest.raises(guard.PathRefused):
        guard.inside(root, "link/secret.txt")


def test_an_upload_named_to_escape_lands_inside(client, tmp_path):
    response = client.upload([("../../../escaped.csv", b"a,b\n1,2\n")])
    assert response.status_code == 202
    job = client.job(response.get_json()["id"])
    job.future.result(timeout=SCAN_BOUND)
    assert (job.folder / "escaped.csv").is_file()
    assert not (tmp_path / "escaped.csv").exists() and not (client.settings.root / "escaped.csv").exists()


@pytest.mark.parametrize("path", ["/static/../app.py", "/static/%2e%2e/app.py", "/static/..%2fapp.py",
                                  "/api/scans/..%2f..%2fstore/report", "/api/scans/00/report"])
def test_nothing_outside_is_served(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert b"create_app" not in response.get_data()


# ---------------------------------------------------------------- the flow

def test_scan_findings_conclusion_and_report(client, tmp_path):
    job_id = client.scanned(sample_files())
    result = client.get(f"/api/scans/{job_id}/result").get_json()
    assert result["summary"]["findings"] == sample_count() and result["summary"]["units"][0]["entity"] == "建设社区"
    assert result["problems"] == []
    assert {c["value"] for c in result["choices"]["rule"]} >= {"petty-cash-over-limit", "cash-payment"}

    every = client.get(f"/api/scans/{job_id}/findings").get_json()
    assert every["total"] == sample_count() and len(every["findings"]) == min(sample_count(), 200)
    petty = client.get(f"/api/scans/{job_id}/findings?rule=petty-cash-over-limit").get_json()
    assert petty["total"] == 1
    finding = petty["findings"][0]
    assert "超过备用金限额" in finding["message"] and finding["basis"]
    union = client.get(f"/api/scans/{job_id}/findings?book=工会账&severity=high").get_json()
    assert union["total"] >= 1 and all(f["book"] == "工会账" and f["severity"] == "high" for f in union["findings"])

    lines = client.get(f"/api/scans/{job_id}/findings/{finding['fid']}/lines").get_json()["lines"]
    assert len(lines) >= 2 and any(line["flagged"] for line in lines)
    assert all(line["voucher"] == finding["voucher"] for line in lines)

    wrong = client.post(f"/api/scans/{job_id}/findings/{finding['fid']}/conclusion", json={"verdict": "也许"})
    assert wrong.status_code == 400 and "属实" in wrong.get_json()["error"]
    saved = client.post(f"/api/scans/{job_id}/findings/{finding['fid']}/conclusion",
                        json={"verdict": "属实", "measures": "退回超限额现金", "responsible": "张会计", "note": "=1+1"})
    assert saved.status_code == 200
    again = client.get(f"/api/scans/{job_id}/findings?rule=petty-cash-over-limit").get_json()["findings"][0]
    assert again["conclusion"] == {"verdict": "属实", "measures": "退回超限额现金", "responsible": "张会计", "note": "=1+1"}

    report = client.get(f"/api/scans/{job_id}/report")
    assert report.status_code == 200 and "attachment" in report.headers["Content-Disposition"]
    path = tmp_path / "downloaded.xlsx"
    path.write_bytes(report.get_data())
    sheet = openpyxl.load_workbook(path)["问题清单"]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    header = rows[0]
    concluded = [r for r in rows[1:] if r[header.index("核实结论")] == "属实"]
    assert len(concluded) == 1
    assert concluded[0][header.index("整改措施")] == "退回超限额现金"
    assert concluded[0][header.index("责任人")] == "张会计"
    assert concluded[0][header.index("备注")] == "=1+1"          # text, never a formula


def test_an_unfinished_or_unknown_scan(client):
    assert client.get("/api/scans/" + "0" * 24).status_code == 404
    assert "找不到" in client.get("/api/scans/" + "0" * 24 + "/result").get_json()["error"]


def test_a_policy_file_is_checked_and_named_by_its_own_name(client, tmp_path):
    def send(name, content):
        return client.post("/api/policy", data={"policy": (io.BytesIO(content.encode("utf-8")), name)},
                           content_type="multipart/form-data")
    bad = send("策略.toml", "[rules.petty-cash-over-limit]\nlimit_yuan = 1,000\n")
    assert bad.status_code == 400
    message = bad.get_json()["error"]
    assert "策略.toml" in message and "第 2 行" in message and str(client.settings.root) not in message
    assert send("策略.txt", "").status_code == 400
    good = send("本地策略.toml", "[rules.petty-cash-over-limit]\nlimit_yuan = 1000\n")
    assert good.get_json()["policy"] == "本地策略.toml"
    assert client.get("/api/settings").get_json()["policy"] == "本地策略.toml"
    job_id = client.scanned(sample_files())
    assert client.get(f"/api/scans/{job_id}/result").get_json()["summary"]["policy"] == "本地策略.toml"
    assert client.request("DELETE", "/api/policy").get_json()["policy"] == "默认策略"


# ---------------------------------------------------------------- the server and its folder

def test_the_private_folder_is_removed_when_the_server_stops(tmp_path):
    from voucher_checker.web.server import start
    running = start(port=0, db=tmp_path / "store.db", temp_base=tmp_path)
    folder = running.folder.path
    assert folder.is_dir() and folder.parent == tmp_path.resolve()
    if os.name != "nt":
        assert folder.stat().st_mode & 0o077 == 0          # only this user may look inside
    assert running.url.startswith("http://127.0.0.1:")
    running.stop()
    assert not folder.exists()


def test_folders_of_dead_servers_are_removed(tmp_path):
    from voucher_checker.web.server import TEMP_PREFIX, remove_stale_folders
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    stale = tmp_path / f"{TEMP_PREFIX}{dead.stdout.strip()}-abc"
    (stale / "uploads").mkdir(parents=True)
    live = tmp_path / f"{TEMP_PREFIX}{os.getppid()}-def"
    live.mkdir()
    (live / "in-use").write_text("")
    remove_stale_folders(tmp_path)
    assert not stale.exists()
    if os.name != "nt":
        assert live.exists()


def test_serve_help_is_chinese():
    from click.testing import CliRunner
    from voucher_checker.cli import main
    result = CliRunner().invoke(main, ["serve", "-h"])
    assert result.exit_code == 0
    assert "--no-browser" in result.output and "127.0.0.1" in result.output and "默认 200" in result.output


def test_serve_on_a_busy_port_says_so(tmp_path):
    import socket
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run([sys.executable, "-m", "voucher_checker", "serve", "--no-browser", "--port", str(port),
                               "--db", str(tmp_path / "s.db")], capture_output=True, text=True, encoding="utf-8",
                              timeout=300, env=child_env(tmp_path))
    assert done.returncode == 4
    assert "端口可能已被占用" in done.stderr


def _rows(path, sheet="问题清单"):
    rows = [[cell.value for cell in row] for row in openpyxl.load_workbook(path)[sheet].iter_rows()]
    return rows[0], rows[1:]


def test_the_page_and_review_import_share_one_store(client, tmp_path):
    from click.testing import CliRunner
    from voucher_checker.cli import main
    from voucher_checker.review.store import open_store

    job_id = client.scanned(sample_files())
    petty = client.get(f"/api/scans/{job_id}/findings?rule=petty-cash-over-limit").get_json()["findings"][0]
    cash = client.get(f"/api/scans/{job_id}/findings?rule=cash-payment").get_json()["findings"][0]
    assert petty["status"] == "新发现"
    client.post(f"/api/scans/{job_id}/findings/{petty['fid']}/conclusion", json={"verdict": "属实", "measures": "退回"})
    with open_store(tmp_path / "store.db") as store:
        case = store.case_of([petty["fid"]])[petty["fid"]]
        assert store.conclusions()[case].verdict == "属实"

    # The reviewer goes on in the downloaded workbook, and imports it.
    report = tmp_path / "填写后.xlsx"
    report.write_bytes(client.get(f"/api/scans/{job_id}/report").get_data())
    workbook = openpyxl.load_workbook(report)
    sheet = workbook["问题清单"]
    header = [cell.value for cell in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        identity = row[header.index("识别码")].value
        if identity == petty["fid"]:
            row[header.index("责任人")].value = "李主任"
        elif identity == cash["fid"]:
            row[header.index("核实结论")].value = "不属实"
            row[header.index("备注")].value = "工资发放，属允许范围"
    workbook.save(report)
    imported = CliRunner().invoke(main, ["review", "import", str(report), "--db", str(tmp_path / "store.db")])
    assert imported.exit_code == 0, imported.output

    seen = client.get(f"/api/scans/{job_id}/findings?rule=petty-cash-over-limit").get_json()["findings"][0]
    assert seen["conclusion"] == {"verdict": "属实", "measures": "退回", "responsible": "李主任", "note": ""}
    seen = client.get(f"/api/scans/{job_id}/findings?rule=cash-payment").get_json()["findings"][0]
    assert seen["conclusion"]["verdict"] == "不属实"

    # The same books scanned again from the page: the store follows the cases.
    again = client.scanned(sample_files())
    petty_again = client.get(f"/api/scans/{again}/findings?rule=petty-cash-over-limit").get_json()["findings"][0]
    assert petty_again["fid"] == petty["fid"] and petty_again["status"] == "仍存在"
    assert petty_again["conclusion"]["responsible"] == "李主任"
    second = tmp_path / "second.xlsx"
    second.write_bytes(client.get(f"/api/scans/{again}/report").get_data())
    header, rows = _rows(second)
    assert not any(r[header.index("识别码")] == cash["fid"] for r in rows)
    false_header, false_rows = _rows(second, "核实不属实")
    assert [r[false_header.index("识别码")] for r in false_rows] == [cash["fid"]]


def test_a_damaged_store_is_refused_before_serving(tmp_path):
    from voucher_checker.web.server import ServeError, start
    damaged = tmp_path / "store.db"
    damaged.write_bytes(b"not a database" * 100)
    with pytest.raises(ServeError, match="整改记录库|不是"):
        start(port=0, db=damaged, temp_base=tmp_path)
    assert damaged.read_bytes() == b"not a database" * 100
    assert not list(tmp_path.glob("voucher-check-web-*"))


def test_only_the_last_scans_are_kept(tmp_path, monkeypatch):
    from voucher_checker.web import jobs
    monkeypatch.setattr(jobs, "KEPT_SCANS", 2)
    client = make_client(tmp_path)
    one = [("a.csv", "日期,凭证号,摘要,科目,借方,贷方\n2021-01-05,1,购办公用品,管理费用,100,\n".encode("utf-8"))]
    ids = [client.scanned(one) for _ in range(3)]
    first = client.job(ids[0])
    assert first is None
    assert client.get(f"/api/scans/{ids[0]}/result").status_code == 404
    assert client.get(f"/api/scans/{ids[2]}/result").status_code == 200
    client.app.extensions["voucher_checker"]["runner"].pool.submit(lambda: None).result(timeout=SCAN_BOUND)
    assert not (client.settings.root / "uploads" / ids[0]).exists()
    assert (client.settings.root / "uploads" / ids[2]).exists()


def test_a_wildcard_host_is_refused(tmp_path):
    from voucher_checker.web.server import ServeError, start
    with pytest.raises(ServeError, match="具体地址"):
        start(host="0.0.0.0", port=0, db=tmp_path / "s.db", temp_base=tmp_path)


@pytest.mark.skipif(os.name == "nt", reason="sends SIGINT, as Ctrl+C does in a console")
def test_serve_runs_until_ctrl_c_and_removes_its_folder(tmp_path):
    import json
    import signal
    import threading
    import urllib.request
    process = subprocess.Popen([sys.executable, "-m", "voucher_checker", "serve", "--no-browser", "--port", "0",
                                "--db", str(tmp_path / "s.db")], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, encoding="utf-8", env=child_env(tmp_path))
    first = []
    reader = threading.Thread(target=lambda: first.append(process.stdout.readline()), daemon=True)
    reader.start()
    reader.join(timeout=SCAN_BOUND)
    try:
        assert first and "检查页面已启动" in first[0], process.stderr.read() if process.poll() is not None else first
        url = first[0].split("：", 1)[1].strip()
        with urllib.request.urlopen(url + "api/settings", timeout=SCAN_BOUND) as answer:
            assert json.load(answer)["max_upload_bytes"] == 200 * 1024 * 1024
        folders = list(tmp_path.glob("voucher-check-web-*"))
        assert len(folders) == 1 and (folders[0] / "uploads").is_dir()
    finally:
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=SCAN_BOUND)
    assert process.returncode == 0, err
    assert "已停止" in out
    assert not list(tmp_path.glob("voucher-check-web-*"))


def test_data_problems_come_with_file_sheet_row_and_what_was_not_uploaded(client):
    broken = "日期,凭证号,摘要,科目,借方,贷方\n2021-13-45,1,购办公用品,管理费用,100,\n2021-01-05,2,购纸,管理费用,abc,\n"
    job_id = client.scanned([("和平村/和平村2021.csv", broken.encode("utf-8")), ("和平村/照片.jpg", b"\xff\xd8"),
                             ("和平村/坏文件.xlsx", b"not a workbook")])
    problems = client.get(f"/api/scans/{job_id}/result").get_json()["problems"]
    by_file = {}
    for p in problems:
        by_file.setdefault(p["file"], []).append(p)
    assert "不是账簿文件" in by_file["和平村/照片.jpg"][0]["message"]
    assert by_file["和平村/坏文件.xlsx"][0]["kind"] == "error"
    rows = [p for p in by_file["和平村/和平村2021.csv"] if p["row"]]
    assert rows and all(p["kind"] in ("error", "warning") for p in rows)
    assert not any(str(client.settings.root) in p["file"] + p["message"] for p in problems)


def test_a_finding_about_a_whole_sheet_is_shown_as_the_report_shows_it(client):
    lines = "".join(f"2021-01-{d:02d},{d},购办公用品,管理费用,100,,王,\n2021-01-{d:02d},{d},购办公用品,银行存款,,100,王,\n"
                    for d in range(1, 12))
    job_id = client.scanned([("和平村/和平村2021.csv", ("日期,凭证号,摘要,科目,借方,贷方,制单人,审核人\n" + lines).encode("utf-8"))])
    findings = client.get(f"/api/scans/{job_id}/findings?rule=missing-approval").get_json()["findings"]
    unit = [f for f in findings if f["unit"]]
    assert unit and unit[0]["voucher"] in ("整表", "单位整体") and unit[0]["amount"] == ""
    assert client.get(f"/api/scans/{job_id}/findings/{unit[0]['fid']}/lines").get_json()["lines"] == []
    saved = client.post(f"/api/scans/{job_id}/findings/{unit[0]['fid']}/conclusion", json={"verdict": "属实"})
    assert saved.status_code == 200


def test_a_deep_long_path_is_shortened_keeping_the_top_folder_and_the_name():
    given = "建设社区/" + "/".join("很长的文件夹名称" * 4 for _ in range(10)) + "/行政账2021.xlsx"
    kept = guard.clean_relative_path(given)
    assert kept.parts[0] == "建设社区" and kept.name == "行政账2021.xlsx"
    assert len(kept.as_posix()) <= guard.MAX_PATH_CHARS


def test_a_failure_while_answering_is_one_sentence_and_a_log(client, monkeypatch, tmp_path):
    job_id = client.scanned(sample_files())

    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")
    monkeypatch.setattr(client.settings.store, "write_report", broken)
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setattr("tempfile.tempdir", None)
    answer = client.get(f"/api/scans/{job_id}/report")
    assert answer.status_code == 500
    message = answer.get_json()["error"]
    assert "程序内部出错" in message and "disk on fire" in message and "Traceback" not in message
