"""The Flask application behind the page: uploads, scans, findings, conclusions and the report.

Every request passes ``guard.refusal`` first (Host and Origin); uploads are limited in size and
number (``Settings``) and land in the server's private temporary folder, from which alone files
are written and served.
"""
from __future__ import annotations

import shutil
import threading
from dataclasses import dataclass, field
from pathlib import Path

from flask import Flask, abort, jsonify, request, send_file
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from ..report.common import REVIEW_CHOICES
from . import guard
from .conclusions import ConclusionError, ConclusionStore
from .jobs import (Job, Runner, filter_choices, finding_json, is_job_id, new_job_id, problems, review_status, select,
                   summary, voucher_lines)

STATIC = Path(__file__).parent / "static"
LEDGER_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods", ".csv")
POLICY_SUFFIXES = (".toml",)
DEFAULT_MAX_UPLOAD_MB = 200
DEFAULT_MAX_FILES = 500
MAX_POLICY_BYTES = 1024 * 1024
PAGE_SIZE = 200
REPORT_NAME = "凭证检查报告.xlsx"
PROGRESS_NAME = "整改进展.xlsx"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class Settings:
    root: Path                              # the private temporary folder (uploads, reports)
    store: ConclusionStore
    policy_path: str | None = None          # serve --config
    max_upload_bytes: int = DEFAULT_MAX_UPLOAD_MB * 1024 * 1024
    max_files: int = DEFAULT_MAX_FILES
    jobs: int | None = None                 # reading threads of a scan
    hosts: frozenset[str] = field(default_factory=frozenset)   # set once the port is known


def size_text(size: int) -> str:
    if size < 1024 * 1024:
        return f"{max(1, round(size / 1024))} KB"
    return f"{size / 1024 / 1024:.1f}".removesuffix(".0") + " MB"


def _error(message: str, status: int = 400):
    response = jsonify({"error": message})
    response.status_code = status
    return response


def create_app(settings: Settings) -> Flask:
    app = Flask(__name__, static_folder=str(STATIC), static_url_path="/static")
    # The form carries the files plus a few fields; more parts than that is refused unread.
    app.config.update(MAX_CONTENT_LENGTH=settings.max_upload_bytes, MAX_FORM_PARTS=settings.max_files + 16,
                      MAX_FORM_MEMORY_SIZE=1024 * 1024, JSON_AS_ASCII=False)
    app.json.ensure_ascii = False
    runner = Runner(settings.jobs, record=settings.store.record_scan)
    state = {"policy_path": settings.policy_path,
             "policy_name": Path(settings.policy_path).name if settings.policy_path else ""}
    state_lock = threading.Lock()
    app.extensions["voucher_checker"] = {"settings": settings, "runner": runner}
    (settings.root / "uploads").mkdir(parents=True, exist_ok=True)
    (settings.root / "reports").mkdir(parents=True, exist_ok=True)
    (settings.root / "policies").mkdir(parents=True, exist_ok=True)

    @app.before_request
    def _guard():
        why = guard.refusal(request.method, request.headers.get("Host"), request.headers.get("Origin"),
                            settings.hosts)
        if why is not None:
            return _error(why, 403)
        return None

    @app.after_request
    def _headers(response):
        response.headers["Content-Security-Policy"] = (
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
            "connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'")
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["Cache-Control"] = "no-store"
        return response

    @app.errorhandler(RequestEntityTooLarge)
    def _too_large(_exc):
        size = request.content_length
        if size and size > settings.max_upload_bytes:
            return _error(f"上传被拒绝：所选文件共 {size_text(size)}，超过一次上传的上限 "
                          f"{size_text(settings.max_upload_bytes)}。请分批上传，或用 voucher-check serve "
                          "--max-upload-mb 调大上限。", 413)
        return _error(f"上传被拒绝：文件太多，一次最多上传 {settings.max_files} 个文件。请分批上传，"
                      "或用 voucher-check serve --max-files 调大上限。", 413)

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        if request.path.startswith("/api/"):
            return _error({404: "找不到请求的内容（可能检查服务已重启，请重新上传）。",
                           405: "不支持这种请求。"}.get(exc.code, f"请求有误（{exc.code}）。"), exc.code or 400)
        return exc

    @app.errorhandler(Exception)
    def _failure(exc: Exception):
        # No traceback reaches the page: one sentence, the details in the log file (crash.py).
        from ..crash import report_failure
        from ..review.store import StoreError
        if isinstance(exc, HTTPException):
            return _http(exc)
        if isinstance(exc, StoreError):
            return _error(str(exc), 503)
        return _error(report_failure(exc), 500)

    def _job(job_id: str) -> Job:
        job = runner.get(job_id) if is_job_id(job_id) else None
        if job is None:
            abort(404)
        return job

    def _done(job_id: str) -> Job:
        job = _job(job_id)
        if job.status()["state"] != "done":
            abort(_error("检查尚未完成。", 409))
        return job

    @app.get("/")
    def index():
        return send_file(STATIC / "index.html", mimetype="text/html")

    @app.get("/api/settings")
    def settings_json():
        with state_lock:
            policy = state["policy_name"]
        return jsonify({"max_upload_bytes": settings.max_upload_bytes, "max_files": settings.max_files,
                        "suffixes": list(LEDGER_SUFFIXES), "verdicts": list(REVIEW_CHOICES),
                        "policy": policy or "默认策略", "policy_is_default": not policy})

    @app.post("/api/policy")
    def upload_policy():
        from ..policy import PolicyError, load_policy
        given = request.files.get("policy")
        if given is None or not given.filename:
            return _error("请选择策略文件（.toml）。")
        try:
            name = guard.clean_relative_path(given.filename).name
        except guard.PathRefused as exc:
            return _error(f"策略文件{exc}。")
        if not name.lower().endswith(POLICY_SUFFIXES):
            return _error(f"策略文件应是 .toml 文件（用 voucher-check init-config 生成），选的是“{name}”。")
        folder = guard.inside(settings.root, Path("policies") / new_job_id())
        folder.mkdir()
        target = guard.inside(folder, name)
        given.save(target)
        if target.stat().st_size > MAX_POLICY_BYTES:
            return _error(f"策略文件“{name}”太大（超过 1 MB），不像是策略文件。")
        try:
            load_policy(target)
        except PolicyError as exc:
            return _error(str(exc).replace(str(target), name))
        with state_lock:
            state["policy_path"], state["policy_name"] = str(target), name
        return jsonify({"policy": name})

    @app.delete("/api/policy")
    def reset_policy():
        with state_lock:
            state["policy_path"] = settings.policy_path
            state["policy_name"] = Path(settings.policy_path).name if settings.policy_path else ""
            name = state["policy_name"]
        return jsonify({"policy": name or "默认策略"})

    @app.post("/api/scans")
    def start_scan():
        given = [f for f in request.files.getlist("files") if f.filename]
        if not given:
            return _error("请先选择账簿文件或文件夹（.xlsx .xls .csv）。")
        if len(given) > settings.max_files:
            return _error(f"上传被拒绝：一次最多上传 {settings.max_files} 个文件，选了 {len(given)} 个。请分批上传，"
                          "或用 voucher-check serve --max-files 调大上限。", 413)
        job_id = new_job_id()
        folder = guard.inside(settings.root, Path("uploads") / job_id)
        folder.mkdir()
        notes, kept = [], []
        for storage in given:
            try:
                relative = guard.clean_relative_path(storage.filename)
                target = guard.inside(folder, relative)
            except guard.PathRefused as exc:
                notes.append({"kind": "error", "file": storage.filename, "sheet": "", "row": None, "column": "",
                              "message": f"未上传：{exc}。"})
                continue
            if not relative.name.lower().endswith(LEDGER_SUFFIXES):
                notes.append({"kind": "warning", "file": str(relative), "sheet": "", "row": None, "column": "",
                              "message": "未检查：不是账簿文件（只检查 .xlsx .xlsm .xls .ods .csv）。"})
                continue
            if target.exists():
                notes.append({"kind": "warning", "file": str(relative), "sheet": "", "row": None, "column": "",
                              "message": "同名文件上传了两次，只检查第一个。"})
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            storage.save(target)
            kept.append(relative)
        if not kept:
            shutil.rmtree(folder, ignore_errors=True)
            return _error("没有可检查的账簿文件：" + "；".join(f"{n['file']}：{n['message']}" for n in notes[:5]))
        with state_lock:
            policy_path, policy_name = state["policy_path"], state["policy_name"]
        job = Job(job_id, folder, policy_path, policy_name, notes)
        job.inputs = sorted({relative.parts[0] for relative in kept})
        runner.submit(job)
        return jsonify(job.status()), 202

    @app.get("/api/scans/<job_id>")
    def scan_status(job_id):
        return jsonify(_job(job_id).status())

    @app.get("/api/scans/<job_id>/result")
    def scan_result(job_id):
        job = _done(job_id)
        return jsonify({"problems": problems(job), "summary": summary(job), "choices": filter_choices(job)})

    @app.get("/api/scans/<job_id>/findings")
    def scan_findings(job_id):
        job = _done(job_id)
        chosen = select(job, request.args)
        try:
            offset = max(0, int(request.args.get("offset", 0)))
        except ValueError:
            offset = 0
        page = chosen.iloc[offset:offset + PAGE_SIZE]
        rows = page.to_dict("records")
        conclusions = settings.store.conclusions([r["fid"] for r in rows])
        return jsonify({"total": int(len(chosen)), "offset": offset, "page_size": PAGE_SIZE,
                        "findings": [finding_json(r, conclusions.get(r["fid"]), review_status(job, r["fid"]))
                                     for r in rows]})

    @app.get("/api/scans/<job_id>/findings/<fid>/lines")
    def finding_lines(job_id, fid):
        lines = voucher_lines(_done(job_id), fid)
        if lines is None:
            abort(404)
        return jsonify({"lines": lines})

    @app.post("/api/scans/<job_id>/findings/<fid>/conclusion")
    def save_conclusion(job_id, fid):
        job = _done(job_id)
        match = job.findings[job.findings["fid"] == fid]
        if match.empty:
            abort(404)
        values = request.get_json(silent=True)
        if not isinstance(values, dict):
            return _error("结论格式有误。")
        try:
            saved = settings.store.save(fid, match.iloc[0].to_dict(), values)
        except ConclusionError as exc:
            return _error(str(exc))
        return jsonify({"conclusion": saved})

    @app.get("/api/scans/<job_id>/report")
    def report(job_id):
        job = _done(job_id)
        folder = guard.inside(settings.root, Path("reports") / job_id)
        folder.mkdir(exist_ok=True)
        target = guard.inside(folder, REPORT_NAME)
        settings.store.write_report(job.result, job.overlay, target)
        return send_file(target, as_attachment=True, download_name=REPORT_NAME, mimetype=XLSX_TYPE)

    @app.get("/api/progress")
    def progress_workbook():
        folder = guard.inside(settings.root, Path("reports") / new_job_id())
        folder.mkdir()
        target = guard.inside(folder, PROGRESS_NAME)
        settings.store.write_progress(target)
        return send_file(target, as_attachment=True, download_name=PROGRESS_NAME, mimetype=XLSX_TYPE)

    return app
