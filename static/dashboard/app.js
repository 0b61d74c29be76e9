// The relx dashboard page: one live feed (server-sent events) of the node's status and log,
// for the page of processes on screen. No framework and no build step; every value shown is
// set as text, never parsed as HTML.
const token = document.body.dataset.token;
const allowActions = document.body.dataset.allowActions === "true";
const PAGE = 50;
const view = { offset: 0, filter: "", sort: "", desc: false };
let feed;
let last;

const $ = (id) => document.getElementById(id);
const el = (tag, props = {}, ...children) => {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
};

function connect() {
  feed?.close();
  const q = new URLSearchParams({ token, offset: String(view.offset), limit: String(PAGE) });
  if (view.filter) q.set("filter", view.filter);
  if (view.sort) q.set("sort", view.sort);
  if (view.desc) q.set("desc", "1");
  feed = new EventSource(`api/events?${q}`);
  feed.addEventListener("status", (e) => { setConnection(true); renderStatus(JSON.parse(e.data)); });
  feed.addEventListener("log", (e) => renderLog(JSON.parse(e.data)));
  feed.addEventListener("down", (e) => setConnection(false, JSON.parse(e.data).message));
  feed.addEventListener("failure", (e) => setConnection(true, null, JSON.parse(e.data).message));
  feed.onerror = () => setConnection(false, "the dashboard itself does not answer (was `relx dashboard` stopped?)");
}

function setConnection(up, why, failure) {
  const pill = $("connection");
  pill.textContent = up ? "live" : "daemon down";
  pill.className = `pill ${up ? "live" : "down"}`;
  const banner = $("banner");
  const text = up ? failure && `the daemon answered with an error: ${failure}` : `The daemon is not answering: ${why}. This page reconnects by itself when it is back.`;
  banner.hidden = !text;
  banner.textContent = text || "";
}

function renderStatus(s) {
  last = s;
  document.title = `${s.name} ${s.vsn} · relx`;
  $("release").textContent = s.name;
  $("vsn").textContent = s.vsn;
  $("permanent").textContent = s.permanent ?? "none";
  $("uptime").textContent = duration(s.daemon.uptimeMs);
  $("daemon-pid").textContent = `pid ${s.daemon.pid}`;
  renderReleases(s);
  renderUpgrades(s.upgrades);
  renderProcesses(s);
}

function renderReleases(s) {
  document.querySelectorAll(".actions-col").forEach((th) => (th.hidden = !allowActions));
  const rows = s.releases.map((r) => {
    const tr = el("tr", {}, el("td", { textContent: r.vsn }), el("td", { textContent: r.state, className: `state-${r.state}` }));
    if (allowActions) tr.append(el("td", { className: "actions" }, ...actionButtons(s.vsn, r.vsn)));
    return tr;
  });
  $("releases").tBodies[0].replaceChildren(...rows);
}

function actionButtons(current, vsn) {
  if (vsn === current) return [];
  const op = compareVsn(vsn, current) > 0 ? "upgrade" : "downgrade";
  const button = (label, dryRun) => el("button", { type: "button", textContent: label, onclick: () => act(op, vsn, dryRun) });
  return [button("dry run", true), button(op, false)];
}

async function act(op, vsn, dryRun) {
  const what = `${dryRun ? "Dry run of " : ""}${op} ${last?.vsn ?? "?"} → ${vsn}`;
  $("confirm-text").textContent = dryRun ? `${what}? Nothing is changed.` : `${what}? Every changed process is suspended, changed and resumed.`;
  const dialog = $("confirm");
  dialog.returnValue = "";
  dialog.showModal();
  await new Promise((resolve) => dialog.addEventListener("close", resolve, { once: true }));
  if (dialog.returnValue !== "ok") return;
  const box = $("action-result");
  box.hidden = false;
  box.replaceChildren(el("h3", { textContent: `${what}: running…` }));
  let result;
  try {
    const res = await fetch(`api/${op}`, { method: "POST", headers: { "x-relx-token": token, "content-type": "application/json" }, body: JSON.stringify({ vsn, dryRun }) });
    result = await res.json();
  } catch (err) {
    result = { ok: false, error: { code: "RELX_NO_DAEMON", message: String(err) } };
  }
  box.replaceChildren(el("h3", { textContent: `${what}: ${headline(result)}`, className: result.ok ? "good" : "bad" }), el("pre", { textContent: JSON.stringify(result, null, 2) }));
}

function headline(r) {
  if (r.ok === false && !r.dryRun) return `failed: ${r.error?.code}: ${r.error?.message}${r.rolledBack ? " (rolled back)" : ""}`;
  const changed = `${r.changed.length} changed, ${r.started.length} started, ${r.stopped.length} stopped`;
  if (r.dryRun) return `${r.ok ? "every codeChange succeeds" : "it would fail"} (${changed}; nothing was changed)`;
  return `done in ${r.durationMs} ms, paused ${r.pauseMs} ms (${changed})`;
}

function renderUpgrades(upgrades) {
  $("upgrades-empty").hidden = upgrades.length > 0;
  const rows = [...upgrades].reverse().map((u) => el("tr", {},
    el("td", { textContent: `${u.from} → ${u.to}` }),
    el("td", { textContent: new Date(u.at).toLocaleString(), title: u.at }),
    el("td", { textContent: u.ok ? "ok" : `failed: ${u.error?.code ?? ""}`, className: u.ok ? "good" : "bad", title: u.error?.message ?? "" }),
    el("td", { textContent: u.pauseMs === undefined ? "–" : `${u.pauseMs} ms`, className: "num" }),
  ));
  $("upgrades").tBodies[0].replaceChildren(...rows);
  renderChart(upgrades);
}

// One bar per upgrade (oldest left), its height the pause; failed ones in red.
function renderChart(upgrades) {
  const svg = $("pause-chart");
  const ns = "http://www.w3.org/2000/svg";
  const max = Math.max(1, ...upgrades.map((u) => u.pauseMs ?? 0));
  const w = 300 / 20;
  const parts = [svgEl(ns, "line", { x1: 0, y1: 79.5, x2: 300, y2: 79.5 }), svgText(ns, 2, 9, `max ${max} ms`)];
  upgrades.forEach((u, i) => {
    const h = Math.max(2, ((u.pauseMs ?? 0) / max) * 64);
    const bar = svgEl(ns, "rect", { x: i * w + 2, y: 80 - h, width: w - 4, height: h, class: u.ok ? "ok" : "failed" });
    bar.append(svgEl(ns, "title", {}, `${u.from} → ${u.to}: ${u.pauseMs ?? "–"} ms`));
    parts.push(bar);
  });
  svg.replaceChildren(...parts);
}

function svgEl(ns, tag, attrs, text) {
  const node = document.createElementNS(ns, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
}

function svgText(ns, x, y, text) {
  return svgEl(ns, "text", { x, y }, text);
}

function renderProcesses(s) {
  const c = s.counts;
  $("process-count").textContent = `${s.count.toLocaleString()} · ${c.running.toLocaleString()} running, ${c.suspended} suspended, ${c.down} down`;
  const rows = s.processes.map((p) => el("tr", { title: p.error ? `${p.error.code}: ${p.error.message}` : "" },
    el("td", { textContent: p.name, className: "name" }),
    el("td", { textContent: p.server }),
    el("td", { textContent: p.vsn ?? "–" }),
    el("td", { textContent: p.status, className: `status-${p.status}` }),
    el("td", { textContent: String(p.queue), className: "num" }),
    el("td", { textContent: String(p.restarts), className: "num" }),
    el("td", { textContent: p.handled.toLocaleString(), className: "num" }),
  ));
  $("processes").tBodies[0].replaceChildren(...rows);
  const pages = Math.max(1, Math.ceil(s.count / PAGE));
  const page = Math.floor(view.offset / PAGE) + 1;
  $("page-info").textContent = s.count === 0 ? "no processes match" : `page ${page.toLocaleString()} of ${pages.toLocaleString()} (${(view.offset + 1).toLocaleString()}–${(view.offset + s.processes.length).toLocaleString()})`;
  $("prev").disabled = view.offset === 0;
  $("next").disabled = view.offset + PAGE >= s.count;
  document.querySelectorAll("th[data-sort]").forEach((th) => {
    th.classList.toggle("sorted", th.dataset.sort === view.sort);
    th.classList.toggle("desc", th.dataset.sort === view.sort && view.desc);
  });
}

function renderLog(tail) {
  const pre = $("log");
  const atBottom = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 4;
  pre.textContent = tail.lines.length === 0 ? `(${tail.file} is empty or missing)` : tail.lines.join("\n");
  if (atBottom) pre.scrollTop = pre.scrollHeight;
}

function duration(ms) {
  const s = Math.floor(ms / 1000);
  const d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600), m = Math.floor((s % 3600) / 60);
  if (d > 0) return `${d}d ${h}h`;
  if (h > 0) return `${h}h ${m}m`;
  return m > 0 ? `${m}m ${s % 60}s` : `${s}s`;
}

function compareVsn(a, b) {
  const pa = a.split(/[.+-]/).map(Number), pb = b.split(/[.+-]/).map(Number);
  for (let i = 0; i < 3; i++) if ((pa[i] || 0) !== (pb[i] || 0)) return (pa[i] || 0) - (pb[i] || 0);
  return 0;
}

$("prev").onclick = () => { view.offset = Math.max(0, view.offset - PAGE); connect(); };
$("next").onclick = () => { view.offset += PAGE; connect(); };
let filterTimer;
$("filter").addEventListener("input", (e) => {
  clearTimeout(filterTimer);
  filterTimer = setTimeout(() => { view.filter = e.target.value.trim(); view.offset = 0; connect(); }, 250);
});
document.querySelectorAll("th[data-sort]").forEach((th) => {
  th.onclick = () => {
    if (view.sort === th.dataset.sort) view.desc = !view.desc;
    else { view.sort = th.dataset.sort; view.desc = false; }
    view.offset = 0;
    connect();
  };
});
connect();
