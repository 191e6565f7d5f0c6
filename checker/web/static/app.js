// The page of `voucher-check serve`: plain JavaScript, no build step.
"use strict";

const state = {settings: null, files: [], skipped: [], scan: null, offset: 0, total: 0, pageSize: 200};
const $ = (id) => document.getElementById(id);

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else node.setAttribute(key, value);
  }
  for (const child of children) node.append(child);
  return node;
}

function sizeText(bytes) {
  if (bytes < 1024 * 1024) return `${Math.max(1, Math.round(bytes / 1024))} KB`;
  return (bytes / 1024 / 1024).toFixed(1).replace(/\.0$/, "") + " MB";
}

async function api(path, options = {}) {
  let response;
  try {
    response = await fetch(path, options);
  } catch (error) {
    throw new Error("无法连接检查服务：请确认 voucher-check serve 的窗口仍然开着。");
  }
  let body = null;
  try { body = await response.json(); } catch (error) { body = null; }
  if (!response.ok) throw new Error((body && body.error) || `请求失败（${response.status}）。`);
  return body;
}

function show(id, text) {
  const node = $(id);
  node.textContent = text || "";
  node.hidden = !text;
}

// ------------------------------------------------------------------ choosing files

function isLedger(name) {
  const lower = name.toLowerCase();
  return state.settings.suffixes.some((suffix) => lower.endsWith(suffix));
}

function choose(entries) {
  // entries: [{file, path}]
  state.files = entries.filter((e) => isLedger(e.path));
  state.skipped = entries.filter((e) => !isLedger(e.path)).map((e) => e.path);
  const size = state.files.reduce((sum, e) => sum + e.file.size, 0);
  let text = state.files.length
    ? `已选 ${state.files.length} 个账簿文件，共 ${sizeText(size)}。`
    : "所选内容中没有账簿文件（.xlsx .xlsm .xls .ods .csv）。";
  if (state.skipped.length) text += ` 另有 ${state.skipped.length} 个不是账簿的文件不上传（如 ${state.skipped.slice(0, 3).join("、")}）。`;
  $("picked").textContent = text;
  $("start").disabled = state.files.length === 0;
  show("upload-error", "");
}

function fromInput(input) {
  choose(Array.from(input.files).map((file) => ({file, path: file.webkitRelativePath || file.name})));
  input.value = "";
}

async function readEntry(entry, prefix, out) {
  if (entry.isFile) {
    const file = await new Promise((resolve, reject) => entry.file(resolve, reject));
    out.push({file, path: prefix + file.name});
  } else if (entry.isDirectory) {
    const reader = entry.createReader();
    for (;;) {
      const batch = await new Promise((resolve, reject) => reader.readEntries(resolve, reject));
      if (!batch.length) break;
      for (const child of batch) await readEntry(child, prefix + entry.name + "/", out);
    }
  }
}

async function onDrop(event) {
  event.preventDefault();
  $("drop").classList.remove("over");
  const items = Array.from(event.dataTransfer.items || []);
  const entries = items.map((item) => item.webkitGetAsEntry && item.webkitGetAsEntry()).filter(Boolean);
  const out = [];
  if (entries.length) {
    for (const entry of entries) await readEntry(entry, "", out);
  } else {
    for (const file of event.dataTransfer.files) out.push({file, path: file.name});
  }
  choose(out);
}

// ------------------------------------------------------------------ policy

async function uploadPolicy(input) {
  const file = input.files[0];
  input.value = "";
  if (!file) return;
  const form = new FormData();
  form.append("policy", file, file.name);
  try {
    const body = await api("/api/policy", {method: "POST", body: form});
    setPolicy(body.policy, false);
    show("policy-error", "");
  } catch (error) {
    show("policy-error", error.message);
  }
}

async function resetPolicy() {
  const body = await api("/api/policy", {method: "DELETE"});
  setPolicy(body.policy, true);
  show("policy-error", "");
}

function setPolicy(name, isDefault) {
  $("policy-name").textContent = name;
  $("reset-policy").hidden = isDefault;
}

// ------------------------------------------------------------------ scanning

function progress(percent, text) {
  $("progress-box").hidden = false;
  if (percent === null) $("progress").removeAttribute("value");
  else $("progress").value = percent;
  $("progress-text").textContent = text;
}

function startScan() {
  const limits = state.settings;
  const size = state.files.reduce((sum, e) => sum + e.file.size, 0);
  if (state.files.length > limits.max_files || size > limits.max_upload_bytes) {
    show("upload-error", `上传被拒绝：一次最多上传 ${limits.max_files} 个文件、共 ${sizeText(limits.max_upload_bytes)}，` +
      `所选为 ${state.files.length} 个文件、共 ${sizeText(size)}。请分批上传，或用 voucher-check serve --max-upload-mb / --max-files 调大上限。`);
    return;
  }
  show("upload-error", "");
  $("start").disabled = true;
  const form = new FormData();
  for (const entry of state.files) form.append("files", entry.file, entry.path);
  const request = new XMLHttpRequest();
  request.open("POST", "/api/scans");
  request.upload.onprogress = (event) => {
    if (event.lengthComputable) progress(Math.round(50 * event.loaded / event.total), `正在上传 ${Math.round(100 * event.loaded / event.total)}%`);
  };
  request.onerror = () => { $("start").disabled = false; show("upload-error", "上传失败：无法连接检查服务。"); $("progress-box").hidden = true; };
  request.onload = () => {
    let body = null;
    try { body = JSON.parse(request.responseText); } catch (error) { body = null; }
    if (request.status !== 202) {
      $("start").disabled = false;
      $("progress-box").hidden = true;
      show("upload-error", (body && body.error) || `上传失败（${request.status}）。`);
      return;
    }
    location.hash = "scan=" + body.id;
    follow(body.id);
  };
  progress(0, "正在上传…");
  request.send(form);
}

async function follow(id) {
  state.scan = id;
  $("results").hidden = true;
  for (;;) {
    let status;
    try {
      status = await api(`/api/scans/${id}`);
    } catch (error) {
      show("upload-error", error.message);
      $("progress-box").hidden = true;
      $("start").disabled = state.files.length === 0;
      return;
    }
    if (status.state === "done") break;
    if (status.state === "failed") {
      show("upload-error", status.message);
      $("progress-box").hidden = true;
      $("start").disabled = state.files.length === 0;
      return;
    }
    if (status.state === "reading" && status.files_total) {
      progress(50 + Math.round(40 * status.files_read / status.files_total), `正在读取账簿 ${status.files_read}/${status.files_total}`);
    } else if (status.state === "checking") {
      progress(92, "正在检查规则…");
    } else {
      progress(50, "等待开始…");
    }
    await new Promise((resolve) => setTimeout(resolve, 400));
  }
  progress(100, "检查完成");
  $("start").disabled = state.files.length === 0;
  await showResult(id);
}

// ------------------------------------------------------------------ results

function fill(tbody, rows) {
  tbody.replaceChildren(...rows.map((cells) => el("tr", {}, ...cells.map((c) => el("td", {text: c})))));
}

async function showResult(id) {
  const body = await api(`/api/scans/${id}/result`);
  const kinds = {error: "无法读取", warning: "提示", gap: "规则未运行"};
  const problems = body.problems;
  $("problems").hidden = problems.length === 0;
  $("problems-none").hidden = problems.length !== 0;
  fill($("problems").tBodies[0], problems.map((p) => [kinds[p.kind] || p.kind, p.file, p.sheet, p.row ? String(p.row) : "", p.column, p.message]));
  for (const [index, p] of problems.entries()) $("problems").tBodies[0].rows[index].classList.add(p.kind);

  const s = body.summary;
  $("facts").textContent = `读取 ${s.files} 个文件、${s.sheets} 张工作表、${s.lines.toLocaleString("zh-CN")} 行分录；` +
    `剔除合计/空白等行 ${s.dropped.toLocaleString("zh-CN")} 行；数据错误 ${s.errors} 条；发现问题 ${s.findings} 条。策略：${s.policy}。`;
  fill($("units").tBodies[0], s.units.map((u) => [String(u.rank), u.entity, u.score, `${u.high}/${u.medium}/${u.low}`, u.amount, u.top]));
  fill($("rules").tBodies[0], s.rules.map((r) => [r.title, r.severity, String(r.count), r.amount]));
  $("download").href = `/api/scans/${id}/report`;

  const form = $("filters");
  for (const name of ["entity", "book", "rule", "severity", "period"]) {
    const select = form.elements[name];
    select.replaceChildren(el("option", {value: "", text: "全部"}),
      ...body.choices[name].map((c) => typeof c === "string" ? el("option", {value: c, text: c}) : el("option", {value: c.value, text: c.label})));
  }
  $("results").hidden = false;
  state.offset = 0;
  await loadFindings();
  $("results").focus();
}

function filterQuery() {
  const params = new URLSearchParams();
  for (const element of $("filters").elements) {
    if (element.tagName === "SELECT" && element.value) params.set(element.name, element.value);
  }
  params.set("offset", String(state.offset));
  return params.toString();
}

async function loadFindings() {
  const body = await api(`/api/scans/${state.scan}/findings?${filterQuery()}`);
  state.total = body.total;
  state.pageSize = body.page_size;
  const tbody = $("findings").tBodies[0];
  tbody.replaceChildren();
  body.findings.forEach((f, i) => tbody.append(...findingRows(f, body.offset + i + 1)));
  const last = Math.min(body.offset + body.findings.length, body.total);
  $("count").textContent = body.total ? `共 ${body.total} 条问题，显示第 ${body.offset + 1}–${last} 条。` : "没有符合条件的问题。";
  $("page-text").textContent = body.total > body.page_size ? `第 ${Math.floor(body.offset / body.page_size) + 1} 页，共 ${Math.ceil(body.total / body.page_size)} 页` : "";
  $("prev").disabled = body.offset === 0;
  $("next").disabled = last >= body.total;
}

function findingRows(f, number) {
  const verdictText = el("span", {class: "verdict-text", text: f.conclusion.verdict || "未填"});
  const verdict = el("td", {class: "verdict"}, verdictText);
  if (f.status) verdict.append(el("br"), el("small", {class: "status", text: f.status}));
  const toggle = el("button", {type: "button", class: "small", "aria-expanded": "false", text: "查看并核实"});
  const row = el("tr", {class: `finding sev-${f.severity}`, "data-fid": f.fid},
    el("td", {class: "n", text: String(number)}), el("td", {text: f.entity}), el("td", {text: f.book}),
    el("td", {text: f.period}), el("td", {text: f.voucher}), el("td", {text: f.date}),
    el("td", {class: "money", text: f.amount}), el("td", {class: "sev", text: f.severity_label}),
    el("td", {text: f.title}), el("td", {class: "wide"}, el("span", {text: f.message}), el("br"), el("small", {text: "依据：" + f.basis})),
    verdict, el("td", {}, toggle));
  const detailCell = el("td", {colspan: "12"});
  const detailRow = el("tr", {class: "detail-row", hidden: ""}, detailCell);
  toggle.addEventListener("click", () => {
    const open = detailRow.hidden;
    detailRow.hidden = !open;
    toggle.setAttribute("aria-expanded", String(open));
    toggle.textContent = open ? "收起" : "查看并核实";
    if (open && !detailCell.firstChild) buildDetail(detailCell, f, verdictText);
    if (open) detailCell.querySelector("select").focus();
  });
  return [row, detailRow];
}

function buildDetail(cell, f, verdictCell) {
  const detail = $("detail-template").content.firstElementChild.cloneNode(true);
  detail.querySelector(".sentence").textContent = f.message;
  detail.querySelector(".basis").textContent = "依据：" + f.basis;
  detail.querySelector(".source").textContent = `来源：${f.source}；凭证风险分 ${f.score}`;
  const form = detail.querySelector("form");
  const select = form.elements.verdict;
  for (const choice of state.settings.verdicts) select.append(el("option", {value: choice, text: choice}));
  for (const name of ["verdict", "measures", "responsible", "note"]) form.elements[name].value = f.conclusion[name] || "";
  const saved = form.querySelector(".saved");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const values = {};
    for (const name of ["verdict", "measures", "responsible", "note"]) values[name] = form.elements[name].value;
    saved.textContent = "正在保存…";
    try {
      const body = await api(`/api/scans/${state.scan}/findings/${f.fid}/conclusion`, {
        method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(values)});
      f.conclusion = body.conclusion;
      verdictCell.textContent = body.conclusion.verdict || "未填";
      saved.textContent = "已保存";
    } catch (error) {
      saved.textContent = "保存失败：" + error.message;
    }
  });
  cell.append(detail);
  api(`/api/scans/${state.scan}/findings/${f.fid}/lines`).then((body) => {
    const tbody = detail.querySelector(".lines tbody");
    if (!body.lines.length) {
      tbody.replaceChildren(el("tr", {}, el("td", {colspan: "11", text: f.unit
        ? "这是关于整个账簿或整张工作表的问题，没有单张凭证的分录；见问题说明。" : "没有找到这张凭证的分录。"})));
      return;
    }
    tbody.replaceChildren(...body.lines.map((l) => {
      const row = el("tr", {class: l.flagged ? "flagged" : ""}, ...[String(l.row), l.date, l.voucher, l.summary, l.account, l.debit, l.credit,
        l.counterparty, l.preparer, l.reviewer, l.attachments].map((c, i) => el("td", {class: i === 5 || i === 6 ? "money" : "", text: c})));
      row.title = `${l.file} / ${l.sheet} 第 ${l.row} 行`;
      return row;
    }));
  }).catch((error) => {
    detail.querySelector(".lines tbody").replaceChildren(el("tr", {}, el("td", {colspan: "11", text: error.message})));
  });
}

// ------------------------------------------------------------------ start

async function init() {
  state.settings = await api("/api/settings");
  setPolicy(state.settings.policy, state.settings.policy_is_default);
  $("limits").textContent = `一次最多 ${state.settings.max_files} 个文件、共 ${sizeText(state.settings.max_upload_bytes)}。`;
  $("pick-files").addEventListener("change", (e) => fromInput(e.target));
  $("pick-folder").addEventListener("change", (e) => fromInput(e.target));
  $("pick-policy").addEventListener("change", (e) => uploadPolicy(e.target));
  $("reset-policy").addEventListener("click", resetPolicy);
  $("start").addEventListener("click", startScan);
  const drop = $("drop");
  drop.addEventListener("dragover", (e) => { e.preventDefault(); drop.classList.add("over"); });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", onDrop);
  const filters = $("filters");
  filters.addEventListener("change", () => { state.offset = 0; loadFindings(); });
  filters.addEventListener("reset", () => setTimeout(() => { state.offset = 0; loadFindings(); }));
  filters.addEventListener("submit", (e) => e.preventDefault());
  $("prev").addEventListener("click", () => { state.offset = Math.max(0, state.offset - state.pageSize); loadFindings(); });
  $("next").addEventListener("click", () => { state.offset += state.pageSize; loadFindings(); });
  const match = /scan=([0-9a-f]+)/.exec(location.hash);
  if (match) follow(match[1]);
  document.body.dataset.ready = "1";
}

document.addEventListener("DOMContentLoaded", () => {
  init().catch((error) => show("upload-error", error.message));
});
