// rtmon fleet page: fills the table from /json/fleet, which the viewer
// computes once per refresh for every browser; sorting and filtering
// happen here. Names go in with textContent only (never as markup).
"use strict";
(function () {
  const body = document.body;
  const every = Math.max(1, Number(body.dataset.interval || 2)) * 1000;
  const table = document.getElementById("fleet-table");
  const tbody = table.querySelector("tbody");
  const status = document.getElementById("fleet-status");
  const totals = document.getElementById("fleet-totals");
  const filter = document.getElementById("fleet-filter");
  const staleOnly = document.getElementById("fleet-stale-only");
  const count = document.getElementById("fleet-count");
  let data = null;
  let sortKey = "host", sortType = "text", sortDir = 1;
  let updates = 0;

  const units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
  function bytes(v, suffix) {
    if (v === null || v === undefined) return "–";
    let i = 0;
    while (Math.abs(v) >= 1024 && i < units.length - 1) { v /= 1024; i++; }
    return (i ? v.toFixed(1) : String(Math.round(v))) + " " + units[i] + (suffix || "");
  }
  function num(v) { return v === null || v === undefined ? "–" : String(Math.round(v)); }
  function age(v) {
    if (v < 0) return "never";
    if (v < 120) return Math.round(v) + " s";
    if (v < 7200) return Math.round(v / 60) + " min";
    return Math.round(v / 3600) + " h";
  }

  function cell(tr, text) {
    const td = document.createElement("td");
    td.textContent = text;
    tr.appendChild(td);
    return td;
  }

  function card(label, value) {
    const d = document.createElement("div");
    d.className = "card";
    const s = document.createElement("div");
    s.className = "sub";
    s.textContent = label;
    const b = document.createElement("div");
    b.className = "big";
    b.textContent = value;
    d.append(s, b);
    return d;
  }

  function compare(a, b) {
    let x = a[sortKey], y = b[sortKey];
    if (sortType === "num") {
      x = x === null || x === undefined ? -Infinity : x;
      y = y === null || y === undefined ? -Infinity : y;
      if (x !== y) return (x < y ? -1 : 1) * sortDir;
    } else {
      x = x || ""; y = y || "";
      const c = x.localeCompare(y);
      if (c) return c * sortDir;
    }
    return (a.host + "\u0000" + (a.instance || "")).localeCompare(b.host + "\u0000" + (b.instance || ""));
  }

  function draw() {
    if (!data) return;
    const q = filter.value.trim().toLowerCase();
    const rows = data.rows.filter(function (r) {
      if (staleOnly.checked && !r.stale) return false;
      return !q || r.host.toLowerCase().includes(q) || (r.instance || "").toLowerCase().includes(q);
    });
    rows.sort(compare);
    const frag = document.createDocumentFragment();
    for (const r of rows) {
      const tr = document.createElement("tr");
      tr.dataset.host = r.host;
      if (r.stale) tr.className = "stale";
      const td = document.createElement("td");
      const a = document.createElement("a");
      a.href = "/host/" + encodeURIComponent(r.host);
      a.textContent = r.host;
      td.appendChild(a);
      tr.appendChild(td);
      cell(tr, r.instance || "");
      cell(tr, bytes(r.up_rate, "/s"));
      cell(tr, bytes(r.down_rate, "/s"));
      cell(tr, num(r.items));
      cell(tr, num(r.active));
      cell(tr, num(r.messages));
      const pc = cell(tr, r.problems ? String(r.problems) : "");
      if (r.problem) { pc.title = r.problem; pc.className = "problem"; }
      cell(tr, bytes(r.disk_free_bytes));
      cell(tr, age(r.age_seconds) + (r.stale ? " (stale)" : ""));
      frag.appendChild(tr);
    }
    tbody.replaceChildren(frag);
    count.textContent = rows.length + " of " + data.rows.length + " rows";
    const t = data.totals;
    totals.replaceChildren(
      card("hosts (stale)", t.hosts + " (" + t.hosts_stale + ")"),
      card("rTorrent instances", String(t.instances)),
      card("▲ up", bytes(t.up_rate, "/s")),
      card("▼ down", bytes(t.down_rate, "/s")),
      card("items", num(t.items)),
      card("active", num(t.active)),
      card("with message", num(t.messages)),
      card("problems", String(t.problems || 0)),
      card("disk free", bytes(t.disk_free_bytes)));
  }

  function showStatus(state, text) {
    status.dataset.state = state;
    status.dataset.updates = String(updates);
    status.textContent = text;
  }

  async function poll() {
    try {
      const r = await fetch("/json/fleet", { cache: "no-store", credentials: "same-origin" });
      if (!r.ok) throw new Error("HTTP " + r.status);
      data = await r.json();
      updates++;
      let text = "updated " + new Date(data.time * 1000).toLocaleTimeString() + " · " + data.source;
      let state = "live";
      if (data.error) { text += " · " + data.error; state = "polling"; }
      if (data.rrdcached && !data.rrdcached.ok) {
        text += " · rrdcached unreachable: graphs end where it last wrote (" + data.rrdcached.last_error + ")";
        state = "polling";
      }
      if (data.hosts_omitted) text += " · " + data.hosts_omitted + " hosts not listed (limit)";
      if (data.names_refused) text += " · " + data.names_refused + " names refused";
      showStatus(state, text);
      draw();
    } catch (e) {
      showStatus("offline", "cannot read /json/fleet: " + e.message);
    }
    setTimeout(poll, every);
  }

  for (const th of table.querySelectorAll("th")) {
    th.addEventListener("click", function () {
      if (sortKey === th.dataset.key) sortDir = -sortDir;
      else { sortKey = th.dataset.key; sortType = th.dataset.type; sortDir = sortType === "num" ? -1 : 1; }
      for (const o of table.querySelectorAll("th")) o.removeAttribute("aria-sort");
      th.setAttribute("aria-sort", sortDir > 0 ? "ascending" : "descending");
      draw();
    });
  }
  // The view's state lives in the URL too (?q=&sort=&dir=&stale=1), so a
  // sorted, filtered view can be bookmarked and shared.
  const params = new URLSearchParams(location.search);
  filter.value = (params.get("q") || "").slice(0, 128);
  staleOnly.checked = params.get("stale") === "1";
  const th0 = table.querySelector('th[data-key="' + CSS.escape(params.get("sort") || "") + '"]');
  if (th0) {
    sortKey = th0.dataset.key; sortType = th0.dataset.type;
    sortDir = params.get("dir") === "desc" ? -1 : 1;
    th0.setAttribute("aria-sort", sortDir > 0 ? "ascending" : "descending");
  }
  function remember() {
    const p = new URLSearchParams();
    if (filter.value) p.set("q", filter.value);
    if (staleOnly.checked) p.set("stale", "1");
    p.set("sort", sortKey);
    p.set("dir", sortDir > 0 ? "asc" : "desc");
    history.replaceState(null, "", "?" + p.toString());
  }
  filter.addEventListener("input", function () { remember(); draw(); });
  staleOnly.addEventListener("change", function () { remember(); draw(); });
  table.querySelector("thead").addEventListener("click", remember);
  poll();
})();
