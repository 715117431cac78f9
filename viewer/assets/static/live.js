// rtmon live page: renders /json/live, updated by server-sent events
// (/events) with polling as the fallback. Everything is built with DOM
// calls and textContent: names from collectd never become markup.
'use strict';
(function () {
  var NS = 'http://www.w3.org/2000/svg';
  var body = document.body;
  var interval = (parseFloat(body.dataset.interval) || 2) * 1000;
  var statusEl = document.getElementById('status');
  var hostsEl = document.getElementById('hosts');
  var diag = document.getElementById('diagnostics');
  var transport = 'loading';
  var last = null;
  var hist = {};      // sparkline history: key -> [[t, v], ...]
  var seeded = {};    // rTorrent instances whose history came from /api/series
  var HISTORY = 180;

  // Diagnostics the browser test reads: script errors and CSP violations.
  function note(kind, msg) {
    var li = document.createElement('li');
    li.dataset.kind = kind;
    li.textContent = msg;
    diag.appendChild(li);
    body.dataset[kind] = String((parseInt(body.dataset[kind], 10) || 0) + 1);
  }
  window.addEventListener('error', function (e) { note('jsErrors', String(e.message)); });
  document.addEventListener('securitypolicyviolation', function (e) { note('cspViolations', e.violatedDirective + ' ' + e.blockedURI); });

  // Formatting.
  function bytes(n) {
    if (n == null) return '—';
    var u = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'], i = 0;
    while (Math.abs(n) >= 1024 && i < u.length - 1) { n /= 1024; i++; }
    return (i ? n.toFixed(n < 10 ? 2 : n < 100 ? 1 : 0) : String(Math.round(n))) + ' ' + u[i];
  }
  function rate(n) { return n == null ? '—' : bytes(n) + '/s'; }
  function pct(n) { return n == null ? '—' : n.toFixed(1) + ' %'; }
  function num(n, d) { return n == null ? '—' : n.toFixed(d); }
  function count(n) { return n == null ? '—' : String(Math.round(n)); }
  function duration(s) {
    if (s == null) return '—';
    s = Math.floor(s);
    var d = Math.floor(s / 86400), h = Math.floor(s % 86400 / 3600), m = Math.floor(s % 3600 / 60);
    return d ? d + 'd ' + h + 'h' : h ? h + 'h ' + m + 'm' : m + 'm ' + (s % 60) + 's';
  }

  // DOM helpers.
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  }
  // value renders a figure with its raw number in data-value, so tests
  // can compare what is shown with /json/live.
  function value(cls, field, raw, text) {
    var e = el('div', cls, text);
    e.dataset.field = field;
    e.dataset.value = raw == null ? '' : String(raw);
    return e;
  }
  function card(title, cls, err) {
    var c = el('div', 'card' + (cls ? ' ' + cls : ''));
    c.appendChild(el('h3', null, title));
    if (err) {
      c.classList.add('failed');
      c.appendChild(el('div', 'why', err));
    }
    return c;
  }
  function bar(p) {
    var b = el('div', 'bar' + (p != null && p > 90 ? ' hot' : '')), i = el('div');
    i.style.width = (p == null ? 0 : Math.max(0, Math.min(100, p))) + '%';
    b.appendChild(i);
    return b;
  }

  // Sparklines.
  function push(key, t, v) {
    if (v == null || !isFinite(v)) return;
    var a = hist[key] || (hist[key] = []);
    if (a.length && a[a.length - 1][0] >= t) return;
    a.push([t, v]);
    while (a.length > HISTORY) a.shift();
  }
  function spark(key) {
    var svg = document.createElementNS(NS, 'svg');
    svg.setAttribute('viewBox', '0 0 120 30');
    svg.setAttribute('preserveAspectRatio', 'none');
    svg.setAttribute('class', 'spark');
    var a = hist[key] || [];
    if (a.length > 1) {
      var t0 = a[0][0], t1 = a[a.length - 1][0], max = 0;
      a.forEach(function (p) { if (p[1] > max) max = p[1]; });
      max = max || 1;
      var pts = a.map(function (p) {
        return ((p[0] - t0) / ((t1 - t0) || 1) * 120).toFixed(1) + ',' + (29 - p[1] / max * 27).toFixed(1);
      }).join(' ');
      var pl = document.createElementNS(NS, 'polyline');
      pl.setAttribute('points', pts);
      svg.appendChild(pl);
    }
    svg.dataset.points = String(a.length);
    return svg;
  }

  // History from the RRD files, so sparklines do not start empty on load.
  function seed(host, inst) {
    var key = host + '\u0000' + inst;
    if (seeded[key]) return;
    seeded[key] = true;
    var q = '/api/series?host=' + encodeURIComponent(host) + '&graph=' + encodeURIComponent('rtorrent-' + inst + '.traffic') + '&range=1h';
    fetch(q, { credentials: 'same-origin' }).then(function (r) { return r.ok ? r.json() : null; }).then(function (s) {
      if (!s || !s.rows) return;
      ['up', 'down'].forEach(function (dir) {
        var col = -1;
        s.columns.forEach(function (c, i) { if (c.legend === dir) col = i; });
        if (col < 0) return;
        var k = 'rt:' + host + ':' + inst + ':' + dir, old = hist[k] || [], pts = [];
        s.rows.forEach(function (row) {
          if (row[col + 1] != null && (!old.length || row[0] < old[0][0])) pts.push([row[0], row[col + 1]]);
        });
        hist[k] = pts.concat(old).slice(-HISTORY);
      });
      if (last) render(last);
    }).catch(function () { /* history is a nicety; live figures go on */ });
  }

  // versionLine shows rTorrent's and libtorrent's versions (from the
  // plugin's rtorrent_version identifiers) under the uptime.
  function versionLine(c, pre, v) {
    v = v || {};
    var line = el('div', 'sub versions');
    line.appendChild(value('version', pre + 'version.client', v.client || null, 'rTorrent ' + (v.client || '?')));
    line.appendChild(document.createTextNode(' · '));
    line.appendChild(value('version', pre + 'version.library', v.library || null, 'libtorrent ' + (v.library || '?')));
    c.appendChild(line);
  }
  function rtorrentRow(h, r, t) {
    var row = el('div', 'row rtorrent');
    row.dataset.section = 'rtorrent:' + r.name;
    var pre = 'rt:' + h.name + ':' + r.name + ':';
    var errs = r.errors || {};
    var c = card('rTorrent ' + r.name, null, errs.uptime);
    c.appendChild(value('big', pre + 'uptime', r.uptime_seconds, duration(r.uptime_seconds)));
    c.appendChild(el('div', 'sub', 'uptime · data ' + (r.age_seconds == null ? '?' : r.age_seconds.toFixed(0) + ' s') + ' old'));
    versionLine(c, pre, r.versions);
    row.appendChild(c);
    [['up', '▲ upload'], ['down', '▼ download']].forEach(function (d) {
      var x = r[d[0]];
      push(pre + d[0], t, x.rate);
      var cc = card(d[1], d[0], errs.traffic);
      cc.appendChild(value('big', pre + d[0], x.rate, rate(x.rate)));
      var lim = x.limit ? 'limit ' + rate(x.limit) + (x.rate != null ? ' · ' + (100 * x.rate / x.limit).toFixed(0) + ' %' : '') : 'no limit';
      cc.appendChild(el('div', 'sub', lim));
      cc.appendChild(spark(pre + d[0]));
      row.appendChild(cc);
    });
    var v = card('items', 'views wide', errs.items);
    var views = el('div', 'views');
    [['♯', 'total'], ['⚡', 'active'], ['↯', 'messages'], ['✔', 'complete'], ['◑', 'incomplete'],
     ['▲', 'seeding'], ['▼', 'leeching'], ['☀', 'started'], ['■', 'stopped']].forEach(function (g) {
      var n = r.items ? r.items[g[1]] : null;
      var s = el('span');
      s.title = g[1];
      s.appendChild(el('span', 'glyph', g[0]));
      var val = el('span', null, count(n));
      val.dataset.field = pre + 'items.' + g[1];
      val.dataset.value = n == null ? '' : String(n);
      s.appendChild(val);
      views.appendChild(s);
    });
    v.appendChild(views);
    row.appendChild(v);
    var z = card('size', null, errs.sizes);
    z.appendChild(value('big', pre + 'size', r.sizes.total_bytes, bytes(r.sizes.total_bytes)));
    z.appendChild(el('div', 'sub', bytes(r.sizes.left_bytes) + ' left · ' + count(r.sizes.files) + ' files'));
    row.appendChild(z);
    var k = card('sockets');
    k.appendChild(value('big', pre + 'sockets', r.sockets.open, count(r.sockets.open)));
    k.appendChild(el('div', 'sub', 'of ' + count(r.sockets.max) + ' · ' + count(r.peers_connected) + ' peers · ' + count(r.sockets.open_files) + ' files'));
    row.appendChild(k);
    return row;
  }

  function hostRows(h, t) {
    var errs = h.errors || {}, pre = 'host:' + h.name + ':';
    var sys = el('div', 'row system');
    sys.dataset.section = 'system';
    var u = card('uptime', null, errs.uptime);
    u.appendChild(value('big', pre + 'uptime', h.uptime_seconds, duration(h.uptime_seconds)));
    sys.appendChild(u);
    var l = card('load', null, errs.load);
    l.appendChild(value('big', pre + 'load', h.load && h.load.short, h.load ? num(h.load.short, 2) : '—'));
    if (h.load) l.appendChild(el('div', 'sub', num(h.load.mid, 2) + ' · ' + num(h.load.long, 2)));
    sys.appendChild(l);
    push(pre + 'cpu', t, h.cpu_percent);
    var c = card('CPU', null, errs.cpu);
    c.appendChild(value('big', pre + 'cpu', h.cpu_percent, pct(h.cpu_percent)));
    c.appendChild(spark(pre + 'cpu'));
    sys.appendChild(c);
    var m = card('RAM', null, errs.memory);
    m.appendChild(value('big', pre + 'memory', h.memory && h.memory.percent, pct(h.memory && h.memory.percent)));
    if (h.memory) {
      m.appendChild(el('div', 'sub', bytes(h.memory.used_bytes) + ' of ' + bytes(h.memory.total_bytes)));
      m.appendChild(bar(h.memory.percent));
    }
    sys.appendChild(m);
    var s = card('swap', null, errs.swap);
    s.appendChild(value('big', pre + 'swap', h.swap && h.swap.percent, h.swap && h.swap.total_bytes === 0 ? 'none' : pct(h.swap && h.swap.percent)));
    if (h.swap && h.swap.total_bytes > 0) {
      s.appendChild(el('div', 'sub', bytes(h.swap.used_bytes) + ' of ' + bytes(h.swap.total_bytes)));
      s.appendChild(bar(h.swap.percent));
    }
    sys.appendChild(s);

    var io = el('div', 'row io');
    io.dataset.section = 'io';
    if (!h.disks || !h.disks.length) {
      io.appendChild(card('disk', null, errs.disks || 'no disks'));
    }
    (h.disks || []).forEach(function (d) {
      var dc = card('disk', 'disk', d.error);
      dc.appendChild(el('div', 'path', d.path));
      if (!d.error) {
        dc.appendChild(value('big', pre + 'disk:' + d.path, d.percent, pct(d.percent)));
        dc.appendChild(el('div', 'sub', bytes(d.used) + ' of ' + bytes(d.total)));
        dc.appendChild(bar(d.percent));
      }
      io.appendChild(dc);
    });
    var dio = h.disk_io;
    push(pre + 'dread', t, dio && dio.read_bytes_per_second);
    push(pre + 'dwrite', t, dio && dio.write_bytes_per_second);
    var dr = card('disk read · write', null, errs.disk_io);
    dr.appendChild(value('big', pre + 'disk_read', dio && dio.read_bytes_per_second, rate(dio && dio.read_bytes_per_second)));
    dr.appendChild(value('sub', pre + 'disk_write', dio && dio.write_bytes_per_second, 'write ' + rate(dio && dio.write_bytes_per_second)));
    dr.appendChild(spark(pre + 'dread'));
    io.appendChild(dr);
    var n = h.net;
    push(pre + 'rx', t, n && n.rx_bytes_per_second);
    push(pre + 'tx', t, n && n.tx_bytes_per_second);
    var rx = card('network ▼ in', 'down', errs.net);
    rx.appendChild(value('big', pre + 'net_rx', n && n.rx_bytes_per_second, rate(n && n.rx_bytes_per_second)));
    rx.appendChild(spark(pre + 'rx'));
    io.appendChild(rx);
    var tx = card('network ▲ out', 'up', errs.net);
    tx.appendChild(value('big', pre + 'net_tx', n && n.tx_bytes_per_second, rate(n && n.tx_bytes_per_second)));
    tx.appendChild(spark(pre + 'tx'));
    io.appendChild(tx);
    return [sys, io];
  }

  function render(s) {
    last = s;
    var t = s.time;
    var frag = document.createDocumentFragment();
    (s.hosts || []).forEach(function (h) {
      var sec = el('section', 'host');
      sec.dataset.host = h.name;
      var title = el('h2', null, h.name);
      title.appendChild(el('span', 'age', h.local ? 'this host' : ''));
      sec.appendChild(title);
      (h.rtorrent || []).forEach(function (r) {
        sec.appendChild(rtorrentRow(h, r, t));
        seed(h.name, r.name);
      });
      hostRows(h, t).forEach(function (row) { sec.appendChild(row); });
      frag.appendChild(sec);
    });
    hostsEl.replaceChildren(frag);
    if (window.rtmonProblems) window.rtmonProblems(s);
    body.dataset.updated = String(t);
    body.dataset.hosts = String((s.hosts || []).length);
    status();
  }

  function status(extra) {
    var s = last, parts = [];
    if (s) {
      parts.push('source: ' + s.source);
      if (s.age_seconds != null) parts.push('data ' + s.age_seconds.toFixed(1) + ' s old');
    }
    parts.push(transport === 'live' ? 'live (server-sent events)' : transport);
    if (s && s.note) parts.push(s.note);
    if (s && s.error) parts.push(s.error);
    if (extra) parts.push(extra);
    statusEl.textContent = parts.join(' · ');
    statusEl.dataset.state = transport;
    statusEl.classList.toggle('failed', !!(s && s.error));
    statusEl.classList.toggle('stale', !!(s && s.age_seconds != null && s.age_seconds * 1000 > 3 * interval + 2000));
    body.dataset.transport = transport;
  }

  // Transport: SSE first; after repeated errors fall back to polling and
  // try SSE again a minute later.
  var es = null, pollTimer = null, sseErrors = 0;
  // ?transport=poll skips server-sent events (for proxies that buffer
  // them, and for tests).
  var pollOnly = /[?&]transport=poll\b/.test(location.search);
  function getJSON(url) {
    return fetch(url, { cache: 'no-store', credentials: 'same-origin' }).then(function (r) {
      if (!r.ok) throw new Error('HTTP ' + r.status);
      return r.json();
    });
  }
  function poll() {
    getJSON('/json/live').then(function (s) { transport = 'polling'; render(s); })
      .catch(function (e) { transport = 'offline'; status(String(e.message || e)); })
      .then(function () { pollTimer = setTimeout(poll, interval); });
  }
  function startPolling() {
    if (pollTimer) return;
    transport = 'polling';
    poll();
    if (!pollOnly) {
      setTimeout(function () { if (pollTimer) { clearTimeout(pollTimer); pollTimer = null; startSSE(); } }, 60000);
    }
  }
  function startSSE() {
    if (!window.EventSource) { startPolling(); return; }
    sseErrors = 0;
    es = new EventSource('/events');
    es.addEventListener('snapshot', function (ev) {
      sseErrors = 0;
      body.dataset.sseEvents = String((parseInt(body.dataset.sseEvents, 10) || 0) + 1);
      transport = 'live';
      render(JSON.parse(ev.data));
    });
    es.onerror = function () {
      sseErrors++;
      if (es.readyState === EventSource.CLOSED || sseErrors >= 3) {
        es.close();
        es = null;
        startPolling();
      } else {
        transport = 'reconnecting';
        status();
      }
    };
  }

  getJSON('/json/live').then(render).catch(function (e) { status(String(e.message || e)); });
  if (pollOnly) { startPolling(); } else { startSSE(); }
})();
