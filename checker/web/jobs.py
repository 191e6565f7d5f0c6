"""Scans run for the page: one at a time on a background thread, with progress the page polls,
and the result turned into what the page shows (数据问题, summary, findings, voucher lines)."""
from __future__ import annotations

import dataclasses
import secrets
import shutil
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..fields import BOOK_LABELS, SEVERITY_LABELS, field_label
from ..money import format_yuan
from ..report.findings import SHEET_VOUCHER, UNIT_VOUCHER
from .conclusions import finding_identities

JOB_ID_BYTES = 12
SHOWN_PROBLEMS = 1000    # 数据问题 rows sent to the page; the report's sheet lists them all
KEPT_SCANS = 5            # scans whose results stay in memory; an older one's page says to upload again


@dataclass
class Job:
    id: str
    folder: Path                      # the uploaded files, inside the server's temporary folder
    policy_path: str | None
    policy_name: str                  # as the user knows it (the uploaded file's name), "" for defaults
    notes: list[dict] = field(default_factory=list)    # uploaded files not read, and why
    state: str = "queued"             # queued | reading | checking | done | failed
    files_total: int = 0
    files_read: int = 0
    message: str = ""                 # the failure, in Chinese
    result: object = None             # ScanResult
    findings: pd.DataFrame | None = None    # result.findings with the page's columns
    future: object = None             # the scan's concurrent.futures.Future
    inputs: list[str] = field(default_factory=list)     # what was uploaded, as the store's run names it
    overlay: object = None            # voucher_checker.review.rescan.ReviewOverlay of this scan
    lock: threading.Lock = field(default_factory=threading.Lock)

    def status(self) -> dict:
        with self.lock:
            return {"id": self.id, "state": self.state, "files_total": self.files_total,
                    "files_read": self.files_read, "message": self.message}


def new_job_id() -> str:
    return secrets.token_hex(JOB_ID_BYTES)


def is_job_id(text: str) -> bool:
    return len(text) == 2 * JOB_ID_BYTES and all(c in "0123456789abcdef" for c in text)


class Runner:
    """Runs the scans of the page's jobs, one after another on one background thread (a scan
    already reads on every core)."""

    def __init__(self, jobs: int | None = None, record=None):
        self.jobs = jobs
        self.record = record          # records a finished scan in the review store: result -> overlay
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="web-scan")
        self.known: dict[str, Job] = {}
        self.lock = threading.Lock()

    def submit(self, job: Job) -> None:
        with self.lock:
            self.known[job.id] = job
            forgotten = list(self.known)[:-KEPT_SCANS]
            for old in forgotten:
                self.pool.submit(self._forget, self.known.pop(old))
        job.future = self.pool.submit(self._run, job)

    @staticmethod
    def _forget(job: Job) -> None:
        """Run on the scan thread, after the job's own scan: its memory and uploaded files go."""
        with job.lock:
            job.result = job.findings = job.overlay = None
            job.state, job.message = "failed", f"这次检查的结果已清除（页面只保留最近 {KEPT_SCANS} 次检查），请重新上传。"
        shutil.rmtree(job.folder, ignore_errors=True)

    def get(self, job_id: str) -> Job | None:
        with self.lock:
            return self.known.get(job_id)

    def close(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)

    def _run(self, job: Job) -> None:
        from ..crash import report_failure
        from ..policy import PolicyError, load_policy
        from ..review.store import StoreError
        from ..scan import scan

        def on_files(count: int) -> None:
            with job.lock:
                job.files_total, job.state = count, "reading"

        def progress(step: int) -> None:
            with job.lock:
                job.files_read = min(job.files_total, job.files_read + step)
                if job.files_read >= job.files_total:
                    job.state = "checking"
        try:
            policy = load_policy(job.policy_path)
            result = scan([str(job.folder)], policy, jobs=self.jobs, progress=progress, on_files=on_files)
            result = dataclasses.replace(result, inputs=list(job.inputs) or result.inputs)
            findings = page_findings(result)
            overlay = self.record(result) if self.record is not None else None
        except (PolicyError, StoreError) as exc:
            with job.lock:
                job.state, job.message = "failed", str(exc)
            return
        except Exception as exc:  # noqa: BLE001 - the page shows one sentence; the log has the details
            with job.lock:
                job.state, job.message = "failed", report_failure(exc)
            return
        with job.lock:
            job.result, job.findings, job.overlay, job.state = result, findings, overlay, "done"


def page_findings(result) -> pd.DataFrame:
    """The findings with what the page filters and shows: identity, labels, score and band."""
    findings = result.findings.reset_index(drop=True).copy()
    findings["fid"] = finding_identities(findings).to_numpy()
    findings["entity_label"] = findings["entity"].map(lambda e: e or "（未识别单位）")
    findings["book_label"] = findings["book"].map(lambda b: BOOK_LABELS.get(b, b))
    scores = result.voucher_scores.set_index("voucher_key")["score"] if len(result.voucher_scores) else pd.Series(dtype=float)
    weights = {rule.id: float(rule.weight) for rule in result.rules}
    findings["score"] = findings["voucher_key"].map(scores).fillna(findings["rule"].map(weights)).fillna(0.0)
    return findings


def _text(value) -> str:
    return "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)


def _date(value) -> str:
    return "" if value is None or pd.isna(value) else pd.Timestamp(value).strftime("%Y-%m-%d")


def problems(job: Job) -> list[dict]:
    """数据问题: what could not be read, first errors then warnings, then rules that did not run."""
    result = job.result
    rows = [dict(note, kind="error" if note.get("kind") == "error" else "warning") for note in job.notes]
    folder = str(job.folder)
    for e in sorted(result.errors, key=lambda e: e.kind != "error"):
        rows.append({"kind": "error" if e.kind == "error" else "warning", "file": e.file.replace(folder, "上传的文件"),
                     "sheet": e.sheet, "row": e.row, "column": e.column, "message": e.message})
    titles = {r.id: r.title for r in result.rules}
    for gap in result.rule_gaps:
        rows.append({"kind": "gap", "file": gap.file, "sheet": gap.sheet, "row": None, "column": "",
                     "message": f"规则“{titles.get(gap.rule, gap.rule)}”未在此表运行：缺少"
                                f"{'、'.join(field_label(m) for m in gap.missing)}"})
    if len(rows) > SHOWN_PROBLEMS:
        left = len(rows) - SHOWN_PROBLEMS
        rows = rows[:SHOWN_PROBLEMS] + [{"kind": "warning", "file": "", "sheet": "", "row": None, "column": "",
                                         "message": f"另有 {left:,} 条未在页面列出，见下载的报告“数据问题”表。"}]
    return rows


def summary(job: Job) -> dict:
    """Run facts, the units ranked by risk score and the findings per rule."""
    result, findings = job.result, job.findings
    sheets = [s for s in result.read.sheets if s.status == "read"]
    units = []
    for unit in result.unit_ranking.itertuples():
        first = unit.top[0] if unit.top else None
        units.append({"rank": int(unit.rank), "entity": unit.entity or "（未识别单位）", "score": f"{unit.score:.2f}",
                      "high": int(unit.high), "medium": int(unit.medium), "low": int(unit.low),
                      "amount": format_yuan(int(unit.amount_fen)),
                      "top": (f"{first['voucher']}（{first['period']}，{first['score']:g} 分：{first['made_by']}）"
                              if first else f"单位整体问题 {int(unit.unit_findings)} 项")})
    rules = []
    for rule in result.rules:
        if not rule.enabled:
            continue
        subset = findings[findings["rule"] == rule.id]
        rules.append({"id": rule.id, "title": rule.title, "severity": SEVERITY_LABELS.get(rule.severity, rule.severity),
                      "count": int(len(subset)),
                      "amount": format_yuan(int(subset["amount_fen"].fillna(0).sum()) if len(subset) else 0)})
    return {"files": len({s.file for s in result.read.sheets}), "sheets": len(sheets), "lines": int(len(result.ledger)),
            "dropped": int(sum(sum(s.skipped.values()) for s in result.read.sheets)),
            "findings": int(len(findings)), "policy": job.policy_name or "默认策略",
            "errors": sum(1 for e in result.errors if e.kind == "error") + sum(1 for n in job.notes if n.get("kind") == "error"),
            "units": units, "rules": rules}


FILTERS = {"entity": "entity_label", "book": "book_label", "rule": "rule", "severity": "severity", "period": "period"}


def filter_choices(job: Job) -> dict:
    findings = job.findings
    titles = {r.id: r.title for r in job.result.rules}
    return {
        "entity": sorted(findings["entity_label"].unique().tolist()),
        "book": sorted(findings["book_label"].unique().tolist()),
        "rule": [{"value": r, "label": titles.get(r, r)} for r in sorted(findings["rule"].unique().tolist(),
                                                                         key=lambda r: titles.get(r, r))],
        "severity": [{"value": s, "label": SEVERITY_LABELS[s]} for s in ("high", "medium", "low")
                     if (findings["severity"] == s).any()],
        "period": sorted(p for p in findings["period"].unique().tolist() if p),
    }


def select(job: Job, wanted: dict) -> pd.DataFrame:
    findings = job.findings
    mask = pd.Series(True, index=findings.index)
    for name, column in FILTERS.items():
        value = wanted.get(name)
        if value:
            mask &= findings[column].astype(str) == value
    return findings[mask]


def review_status(job: Job, fid: str) -> str:
    """What the store made of the finding in this scan: 新发现, 仍存在, 整改后仍存在 …"""
    carried = job.overlay.present.get(fid) if job.overlay is not None else None
    if carried is None:
        return ""
    return f"{carried.status}（{carried.note}）" if carried.note else carried.status


def _is_unit(row: dict) -> bool:
    return row.get("level") == "unit"


def finding_json(row: dict, conclusion: dict | None, status: str = "") -> dict:
    rows = row.get("rows")
    unit = _is_unit(row)
    # As the report shows a finding about a whole book or sheet: 单位整体 or 整表, no zero amount.
    voucher = (SHEET_VOUCHER if _text(row["sheet"]) else UNIT_VOUCHER) if unit else _text(row["voucher"])
    no_amount = pd.isna(row["amount_fen"]) or (unit and not int(row["amount_fen"]))
    return {"fid": row["fid"], "entity": row["entity_label"], "book": row["book_label"], "period": _text(row["period"]),
            "voucher": voucher, "unit": unit, "date": _date(row["date"]), "summary": _text(row["summary"]),
            "account": _text(row["account"]),
            "amount": "" if no_amount else format_yuan(int(row["amount_fen"])),
            "rule": row["rule"], "title": _text(row["title"]), "severity": row["severity"],
            "severity_label": SEVERITY_LABELS.get(row["severity"], row["severity"]), "message": _text(row["message"]),
            "basis": _text(row["basis"]), "score": float(row["score"]),
            "source": f"{_text(row['file'])} / {_text(row['sheet'])}"
                      + (f" 第{'、'.join(str(int(r)) for r in rows[:8])}{'…' if len(rows) > 8 else ''}行"
                         if rows is not None and len(rows) else ""),
            "status": status,
            "conclusion": conclusion or {"verdict": "", "measures": "", "responsible": "", "note": ""}}


def voucher_lines(job: Job, fid: str) -> list[dict] | None:
    """Every line of the voucher of finding ``fid``, the flagged ones marked; None when unknown."""
    findings = job.findings
    match = findings[findings["fid"] == fid]
    if match.empty:
        return None
    if _is_unit(match.iloc[0].to_dict()):
        return []                    # about a whole book or sheet: no voucher of its own
    key = match["voucher_key"].iloc[0]
    ledger = job.result.ledger
    flagged = set(pd.to_numeric(findings.loc[findings["voucher_key"] == key, "line_id"], errors="coerce")
                  .dropna().astype("int64").tolist())
    lines = ledger[ledger["voucher_key"] == key] if key else ledger.iloc[:0]
    if lines.empty and match["line_id"].notna().any():
        lines = ledger[ledger["line_id"].isin(flagged)]
    out = []
    for line in lines.to_dict("records"):
        account = " ".join(p for p in (_text(line.get("account_code")), _text(line.get("account_name"))) if p)
        out.append({"file": _text(line["file"]), "sheet": _text(line["sheet"]), "row": int(line["row"]),
                    "date": _date(line["date"]), "voucher": _text(line["voucher"]), "summary": _text(line["summary"]),
                    "account": account,
                    "debit": format_yuan(int(line["debit_fen"])) if line["debit_fen"] else "",
                    "credit": format_yuan(int(line["credit_fen"])) if line["credit_fen"] else "",
                    "counterparty": _text(line.get("counterparty")), "preparer": _text(line.get("preparer")),
                    "reviewer": _text(line.get("reviewer")),
                    "attachments": "" if pd.isna(line.get("attachments")) else str(int(line["attachments"])),
                    "flagged": int(line["line_id"]) in flagged})
    return out
