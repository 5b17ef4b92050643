// ingero dashboard page: polls the JSON API (docs/api.md) every 2 s and
// draws it. No framework and no library: the page must work offline on a
// GPU node, and every value from the recording goes in as text, never as
// markup.
'use strict';

const REFRESH_MS = 2000;
const CHART_H = 170;
const COLORS = ['#58a6ff', '#3fb950', '#d29922', '#f778ba', '#a371f7', '#39c5cf', '#ff7b72', '#e3b341'];

const state = {
  since: sessionStorage.getItem('ingero.since') || '5m',
  paused: false,
  busy: false,
  openChains: new Set(),
  last: {},          // the last JSON text rendered per panel, to skip redraws
  capabilities: null,
};

// ---- token -------------------------------------------------------------
// The token reaches the page in the URL fragment (#token=…), which the
// browser never sends to a server, or from the login form; it is kept in
// sessionStorage (this tab only) and sent as a bearer header.

(function takeTokenFromFragment() {
  const m = /(?:^#|&)token=([^&]*)/.exec(location.hash);
  if (m) {
    sessionStorage.setItem('ingero.token', decodeURIComponent(m[1]));
    history.replaceState(null, '', location.pathname + location.search);
  }
})();

class AuthError extends Error {}

async function api(path, init = {}) {
  const headers = Object.assign({ 'Accept': 'application/json' }, init.headers || {});
  const tok = sessionStorage.getItem('ingero.token');
  if (tok) headers['Authorization'] = 'Bearer ' + tok;
  const res = await fetch('/api/v1/' + path, Object.assign({}, init, { headers, cache: 'no-store' }));
  if (res.status === 401) throw new AuthError('token required');
  let body;
  try { body = await res.json(); } catch (e) { throw new Error(`${path}: HTTP ${res.status}, not JSON`); }
  if (!res.ok) throw new Error(body && body.error ? body.error : `${path}: HTTP ${res.status}`);
  return body;
}

function showLogin(message) {
  $('login').hidden = false;
  $('login-error').textContent = message || '';
  $('login-token').value = '';
  $('login-token').focus();
}

// ---- small helpers -----------------------------------------------------

function $(id) { return document.getElementById(id); }

function el(tag, props, ...kids) {
  const n = document.createElement(tag);
  if (props) {
    for (const [k, v] of Object.entries(props)) {
      if (v === undefined || v === null) continue;
      if (k === 'class') n.className = v;
      else if (k === 'text') n.textContent = v;
      else if (k.startsWith('data-') || k === 'title' || k === 'colspan') n.setAttribute(k, v);
      else n[k] = v;
    }
  }
  for (const kid of kids.flat()) {
    if (kid === null || kid === undefined || kid === false) continue;
    n.append(kid instanceof Node ? kid : document.createTextNode(String(kid)));
  }
  return n;
}

const svgNS = 'http://www.w3.org/2000/svg';
function sv(tag, attrs) {
  const n = document.createElementNS(svgNS, tag);
  for (const [k, v] of Object.entries(attrs || {})) n.setAttribute(k, v);
  return n;
}

// fmtCount groups thousands as the CLI does: 12,847.
function fmtCount(n) {
  return Math.round(n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

// fmtNs matches hist.FormatNs: 850ns, 4.8µs, 38µs, 16.7ms, 142ms, 2.1s.
function fmtNs(ns) {
  if (ns === null || ns === undefined) return '–';
  if (ns < 1000) return Math.round(ns) + 'ns';
  for (const [size, name] of [[1e3, 'µs'], [1e6, 'ms'], [1e9, 's']]) {
    const tenths = Math.floor((ns * 10 + size / 2) / size);
    if (tenths < 1000) return (tenths % 10 ? (tenths / 10).toFixed(1) : String(tenths / 10)) + name;
    const whole = Math.floor((ns + size / 2) / size);
    if (whole < 1000) return whole + name;
  }
  const s = Math.round(ns / 1e9);
  return Math.floor(s / 60) + 'm' + (s % 60) + 's';
}

function fmtRate(r) {
  if (r === 0) return '0';
  if (r >= 100) return fmtCount(r);
  if (r >= 10) return r.toFixed(1);
  return r.toFixed(2);
}

function fmtClock(ns) {
  const d = new Date(ns / 1e6);
  return d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
}

function stampNs(s) { return s ? Date.parse(s) * 1e6 : 0; }

function fmtStamp(s) {
  if (!s) return '';
  const d = new Date(Date.parse(s));
  return d.toLocaleString([], { hour12: false });
}

function ago(ns, toNs) {
  const s = Math.max(0, (toNs - ns) / 1e9);
  if (s < 90) return Math.round(s) + 's ago';
  if (s < 5400) return Math.round(s / 60) + 'm ago';
  if (s < 172800) return Math.round(s / 3600) + 'h ago';
  return Math.round(s / 86400) + 'd ago';
}

function windowSpanS(w) {
  const to = stampNs(w.to);
  const from = w.from ? stampNs(w.from) : to;
  return (to - from) / 1e9;
}

// changed reports whether a panel's data differs from what it shows, so
// an unchanged panel keeps its scroll position and open rows.
function changed(key, data) {
  const s = JSON.stringify(data);
  if (state.last[key] === s) return false;
  state.last[key] = s;
  return true;
}

// ---- charts ------------------------------------------------------------
// lineChart draws series of [x, y] points (x in ns) as an SVG with a time
// axis, a left axis and, for series marked right, a right axis.

function niceTicks(lo, hi, n) {
  if (hi <= lo) hi = lo + 1;
  const raw = (hi - lo) / n;
  const mag = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 2.5, 5, 10].map(m => m * mag).find(s => s >= raw) || raw;
  const out = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(v);
  return out;
}

function lineChart(box, opts) {
  const W = box.clientWidth || 400, H = CHART_H;
  const m = { l: 46, r: opts.right ? 40 : 10, t: 8, b: 18 };
  const svg = sv('svg', { viewBox: `0 0 ${W} ${H}`, preserveAspectRatio: 'none', role: 'img' });
  const series = opts.series.filter(s => s.points.length > 0);
  let points = 0;
  series.forEach(s => { points += s.points.length; });
  svg.setAttribute('data-series', String(series.length));
  svg.setAttribute('data-points', String(points));
  box.replaceChildren(svg);
  const [x0, x1] = [opts.xStart, Math.max(opts.xEnd, opts.xStart + 1)];
  const px = x => m.l + (x - x0) / (x1 - x0) * (W - m.l - m.r);
  if (series.length === 0) {
    const tx = sv('text', { class: 'empty', x: W / 2, y: H / 2, 'text-anchor': 'middle' });
    tx.textContent = opts.empty || 'no data in this window';
    svg.append(tx);
    return;
  }
  svg.append(sv('line', { class: 'axis', x1: m.l, y1: H - m.b, x2: W - m.r, y2: H - m.b }));
  const tspan = (x1 - x0) / 1e9;
  niceTicks(x0 / 1e9, x1 / 1e9, Math.max(2, Math.floor((W - m.l - m.r) / 90))).forEach(t => {
    const x = px(t * 1e9);
    if (x < m.l || x > W - m.r) return;
    const d = new Date(t * 1e3);
    const label = tspan > 86400 * 2 ? d.toLocaleDateString([], { month: 'short', day: 'numeric' })
      : d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: tspan < 600 ? '2-digit' : undefined, hour12: false });
    // Labels at the ends lean inwards rather than off the chart.
    const anchor = x > W - m.r - 28 ? 'end' : x < m.l + 28 ? 'start' : 'middle';
    const tx = sv('text', { x, y: H - 4, 'text-anchor': anchor }); tx.textContent = label; svg.append(tx);
  });
  const axes = { left: series.filter(s => !s.right), right: series.filter(s => s.right) };
  for (const [side, list] of Object.entries(axes)) {
    if (list.length === 0) continue;
    const log = side === 'left' && opts.log;
    let lo = Infinity, hi = -Infinity;
    list.forEach(s => s.points.forEach(([, y]) => { if (!log || y > 0) { lo = Math.min(lo, y); hi = Math.max(hi, y); } }));
    const fmt = (side === 'left' ? opts.yFormat : opts.rightFormat) || (v => String(v));
    let ty, ticks;
    if (log) {
      const a = Math.floor(Math.log10(Math.max(lo, 1e-9))), b = Math.max(a + 1, Math.ceil(Math.log10(Math.max(hi, 1e-9))));
      ty = y => H - m.b - (Math.log10(Math.max(y, Math.pow(10, a))) - a) / (b - a) * (H - m.t - m.b);
      ticks = []; for (let e = a; e <= b; e++) ticks.push(Math.pow(10, e));
    } else {
      // A fixed top (100 for percentages) holds unless a value passes it;
      // otherwise leave a tenth of headroom.
      const fixed = side === 'left' ? opts.yMax : undefined;
      lo = 0; hi = fixed !== undefined ? Math.max(fixed, hi) : Math.max(hi * 1.1, 1e-9);
      ticks = niceTicks(lo, hi, 4);
      // The top tick must be at or above the largest value.
      if (ticks[ticks.length - 1] < hi) ticks.push(ticks[ticks.length - 1] + (ticks[1] - ticks[0]));
      hi = ticks[ticks.length - 1];
      ty = y => H - m.b - (y - lo) / (hi - lo) * (H - m.t - m.b);
    }
    ticks.forEach(t => {
      const y = ty(t);
      if (side === 'left') svg.append(sv('line', { class: 'grid', x1: m.l, y1: y, x2: W - m.r, y2: y }));
      const tx = sv('text', { x: side === 'left' ? m.l - 4 : W - m.r + 4, y: y + 3, 'text-anchor': side === 'left' ? 'end' : 'start' });
      tx.textContent = fmt(t); svg.append(tx);
    });
    list.forEach(s => {
      // A gap in the data (null y) breaks the line rather than bridging it.
      let d = '', pen = false;
      s.points.forEach(([x, y]) => {
        if (y === null || (log && y <= 0)) { pen = false; return; }
        d += (pen ? 'L' : 'M') + px(x).toFixed(1) + ' ' + ty(y).toFixed(1);
        pen = true;
      });
      const path = sv('path', { d, fill: 'none', stroke: s.color, 'stroke-width': 1.6, 'stroke-linejoin': 'round', 'data-name': s.name });
      if (s.dash) path.setAttribute('stroke-dasharray', '4 3');
      svg.append(path);
      if (s.points.length === 1) {
        const [x, y] = s.points[0];
        svg.append(sv('circle', { cx: px(x), cy: ty(y), r: 2.5, fill: s.color }));
      }
    });
  }
  const legend = el('div', { class: 'legend' }, series.map(s => el('span', { title: s.title || s.name },
    el('i', { style: undefined }), s.name)));
  legend.querySelectorAll('i').forEach((i, k) => { i.style.background = series[k].color; });
  box.append(legend);
}

// ---- panels ------------------------------------------------------------

function renderOverview(o) {
  const st = $('status');
  st.textContent = o.status;
  st.className = 'pill pill-' + o.status;
  const live = $('live');
  live.className = 'live' + (o.live ? ' on' : '');
  live.textContent = o.live ? 'LIVE' : (o.last_event ? 'ended ' + fmtStamp(o.window.to) : 'no events yet');
  const s = o.session;
  const bits = [];
  if (s) {
    bits.push(s.node || s.host);
    if (s.gpu_model) bits.push(s.gpu_model + (s.gpu_driver ? ' · driver ' + s.gpu_driver : '') + (s.cuda_version ? ' · CUDA ' + s.cuda_version : ''));
  }
  bits.push(o.recording.path);
  $('host').textContent = bits.join(' · ');
  $('host').title = `${o.recording.format}, schema v${o.recording.schema_version}, ${fmtCount(o.events)} events in all, ` +
    `${o.sessions} trace session(s); served by ingero ${o.server.version}`;

  const sys = o.system;
  $('kpi-cpu').textContent = sys ? sys.cpu_pct.toFixed(1) + '%' : '–';
  $('kpi-cpu-sub').textContent = sys ? 'load ' + sys.load1.toFixed(2) : (o.system_note || '');
  $('kpi-mem').textContent = sys ? sys.mem_pct.toFixed(1) + '%' : '–';
  $('kpi-mem-sub').textContent = sys ? fmtCount(sys.mem_avail_mb) + ' MiB free' + (sys.swap_used_mb ? ', swap ' + fmtCount(sys.swap_used_mb) + ' MiB' : '') : '';
  const lost = s ? s.kernel_drops + s.user_drops : 0;
  $('kpi-drops').textContent = s ? fmtCount(lost) : '–';
  $('kpi-drops').className = 'k-value' + (lost > 0 ? ' err' : '');
  $('kpi-drops-sub').textContent = s ? `kernel ${fmtCount(s.kernel_drops)} · user ${fmtCount(s.user_drops)}` + (s.sampled_out ? ` · sampled out ${fmtCount(s.sampled_out)}` : '') : 'no trace session recorded';
}

function renderOps(o) {
  const span = windowSpanS(o.window);
  $('kpi-events').textContent = fmtCount(o.events);
  $('kpi-events-sub').textContent = o.window.from ? 'since ' + fmtStamp(o.window.from) : 'whole recording';
  let gpuCalls = 0;
  o.ops.forEach(op => { if (['cuda', 'driver', 'graph', 'nccl'].includes(op.source)) gpuCalls += op.calls; });
  $('kpi-rate').textContent = span > 0 ? fmtRate(gpuCalls / span) : '–';
  $('kpi-rate-sub').textContent = fmtCount(gpuCalls) + ' calls over ' + fmtSpan(span);

  const recent = {};
  (o.recent || []).forEach(r => { recent[r.source + '/' + r.op] = r; });
  const complete = o.mode === 'percentiles';
  $('ops-note').textContent = o.ops.length === 0 ? '' : complete
    ? `${fmtCount(o.events)} events; percentiles over all of them`
    : `${fmtCount(o.events)} events; counts exact, percentiles (*) over the newest ${fmtCount(o.sample.events)}`;
  if (changed('ops-table', [o.ops, o.recent])) {
    const pc = (op, k) => {
      if (op[k] !== undefined) return fmtNs(op[k]);
      const r = recent[op.source + '/' + op.op];
      return r ? fmtNs(r[k]) + '*' : '–';
    };
    // An entry-only probe (launches without --launch-latency) records no
    // duration: its calls and rate are the measure, never "p50 0ns".
    const timed = op => op.max_ns > 0 || op.calls === 0;
    const lat = (op, text) => timed(op) ? text : '–';
    const rows = o.ops.map(op => el('tr', { 'data-op': op.op, 'data-source': op.source },
      el('td', { class: 'op', text: op.op }), el('td', { class: 'muted', text: op.source }),
      el('td', { class: 'num', 'data-k': 'calls', text: fmtCount(op.calls) }),
      el('td', { class: 'num' + (op.errors ? ' err' : ''), text: fmtCount(op.errors) }),
      el('td', { class: 'num', text: span > 0 ? fmtRate(op.calls / span) : '–' }),
      el('td', { class: 'num', text: lat(op, fmtNs(op.mean_ns)) }),
      el('td', { class: 'num', text: lat(op, pc(op, 'p50_ns')) }), el('td', { class: 'num', text: lat(op, pc(op, 'p95_ns')) }),
      el('td', { class: 'num' + (timed(op) ? '' : ' muted'), 'data-k': 'p99', title: timed(op) ? '' : 'latency not recorded: entry-only probe (trace --launch-latency times launches)',
        text: timed(op) ? pc(op, 'p99_ns') : 'not recorded' }),
      el('td', { class: 'num', text: lat(op, fmtNs(op.max_ns)) }), el('td', { class: 'num', text: lat(op, fmtNs(op.total_ns)) }),
      el('td', { class: 'num', text: timed(op) ? (op.wall_share * 100).toFixed(1) + '%' : '–' })));
    $('ops').replaceChildren(o.ops.length === 0 ? el('div', { class: 'needs', text: 'no events in this window' }) :
      el('div', { class: 'scroll' }, el('table', null,
        el('thead', null, el('tr', null, ['op', 'source'].map(h => el('th', { text: h })),
          ['calls', 'errors', 'calls/s', 'mean', 'p50', 'p95', 'p99', 'max', 'total', 'wall'].map(h => el('th', { class: 'num', text: h })))),
        el('tbody', null, rows))));
  }
  drawOpCharts(o);
}

function fmtSpan(s) {
  if (s < 120) return Math.round(s) + ' s';
  if (s < 7200) return Math.round(s / 60) + ' min';
  if (s < 172800) return (s / 3600).toFixed(1) + ' h';
  return (s / 86400).toFixed(1) + ' d';
}

function drawOpCharts(o) {
  const se = o.series;
  const to = stampNs(o.window.to);
  const from = o.window.from ? stampNs(o.window.from) : se.start_ns;
  // Buckets may stick out of the window at either end: each point sits
  // in the middle of its bucket's part inside the window, and a rate
  // divides by that part's length.
  const part = i => [Math.max(se.start_ns + i * se.bucket_ns, from), Math.min(se.start_ns + (i + 1) * se.bucket_ns, to)];
  const inside = i => { const [a, b] = part(i); return b > a; };
  const mid = i => { const [a, b] = part(i); return (a + b) / 2; };
  const widthS = i => { const [a, b] = part(i); return (b - a) / 1e9; };
  const points = (vals, f) => vals.map((v, i) => inside(i) ? [mid(i), f(v, i)] : null).filter(Boolean);
  const top = se.ops.slice(0, 6);
  const rate = top.map((s, k) => ({ name: s.op, color: COLORS[k % COLORS.length],
    points: points(s.calls, (c, i) => c / widthS(i)) }));
  const timed = se.ops.filter(s => s.mean_ns.some(v => v > 0)).slice(0, 6);
  const lat = timed.map((s, k) => ({ name: s.op, color: COLORS[(k + 2) % COLORS.length],
    points: points(s.mean_ns, (v, i) => s.calls[i] > 0 ? v : null) }));
  const caps = state.capabilities;
  const gpuMissing = caps && !caps.some(c => (c.id === 'cuda-runtime' || c.id === 'cuda-driver') && c.status === 'available');
  if (gpuMissing) {
    const need = caps.find(c => c.id === 'cuda-runtime');
    greyPanel('panel-rate', 'chart-rate', 'No CUDA calls recorded. Needs ' + need.needs + '.');
    greyPanel('panel-latency', 'chart-latency', 'No CUDA calls recorded. Needs ' + need.needs + '.');
    return;
  }
  lineChart($('chart-rate'), { series: rate, xStart: from, xEnd: to, yFormat: v => fmtRate(v), empty: 'no GPU API calls in this window' });
  lineChart($('chart-latency'), { series: lat, xStart: from, xEnd: to, yFormat: v => fmtNs(v), log: true, empty: 'no timed GPU API calls in this window' });
}

function greyPanel(panelID, boxID, text) {
  $(panelID).classList.add('unavailable');
  $(boxID).replaceChildren(el('div', { class: 'needs', text }));
}

function renderSnapshots(s) {
  const from = s.window.from ? stampNs(s.window.from) : (s.snapshots.length ? s.snapshots[0].timestamp_ns : stampNs(s.window.to));
  const to = stampNs(s.window.to);
  const caps = state.capabilities;
  if (caps && caps.some(c => c.id === 'system' && c.status !== 'available')) {
    greyPanel('panel-system', 'chart-system', 'No host snapshots in this recording. Needs ingero trace, which samples /proc once a second.');
    return;
  }
  const nodes = [...new Set(s.snapshots.map(x => x.node))];
  const series = [];
  nodes.forEach((n, k) => {
    const pts = s.snapshots.filter(x => x.node === n);
    const pre = nodes.length > 1 ? n + ' ' : '';
    series.push({ name: pre + 'CPU %', color: COLORS[(3 * k) % COLORS.length], points: pts.map(x => [x.timestamp_ns, x.cpu_pct]) });
    series.push({ name: pre + 'mem %', color: COLORS[(3 * k + 1) % COLORS.length], points: pts.map(x => [x.timestamp_ns, x.mem_pct]) });
    series.push({ name: pre + 'load', color: COLORS[(3 * k + 2) % COLORS.length], right: true, dash: true, points: pts.map(x => [x.timestamp_ns, x.load1]) });
  });
  lineChart($('chart-system'), { series, xStart: from, xEnd: to, yMax: 100, yFormat: v => v + '%', right: true,
    rightFormat: v => (Math.round(v * 100) / 100).toString(), empty: 'no host snapshot in this window' });
}

function renderChains(c) {
  $('kpi-chains').textContent = fmtCount(c.chains.length);
  const bySev = {};
  c.chains.forEach(ch => { bySev[ch.severity] = (bySev[ch.severity] || 0) + 1; });
  $('kpi-chains-sub').textContent = ['HIGH', 'MEDIUM', 'LOW'].filter(s => bySev[s]).map(s => bySev[s] + ' ' + s).join(' · ') || 'none in this window';
  $('chains-note').textContent = c.chains.length ? 'stored by trace while recording; click one for its timeline and fix' : '';
  if (!changed('chains', c.chains)) return;
  const to = stampNs(c.window.to);
  const box = $('chains');
  if (c.chains.length === 0) {
    box.replaceChildren(el('div', { class: 'needs', text: 'No causal chain in this window. Trace stores a chain when a rule fires (docs/rules.md); try a longer range.' }));
    return;
  }
  box.replaceChildren(el('div', { class: 'scroll' }, c.chains.map(ch => {
    const d = el('details', { class: 'chain sev-' + ch.severity, 'data-id': ch.id, open: state.openChains.has(ch.id) },
      el('summary', null, el('span', { class: 'sev', text: ch.severity }), el('span', { class: 'sum', text: ch.summary }),
        el('span', { class: 'when', title: fmtStamp(ch.detected), text: ago(stampNs(ch.detected), to) })),
      el('div', { class: 'body' },
        el('dl', null,
          el('dt', { text: 'root cause' }), el('dd', { class: 'root', text: ch.root_cause }),
          el('dt', { text: 'fix' }), el('dd', { class: 'fix', text: ch.fix }),
          el('dt', { text: 'where' }), el('dd', { text: [ch.pid ? 'PID ' + ch.pid : 'host-wide', ch.op, ch.node, 'rule ' + ch.rule].filter(Boolean).join(' · ') }),
          ch.annotations && ch.annotations.length ? [el('dt', { text: 'labels' }), el('dd', { text: ch.annotations.map(a => Object.entries(a).map(([k, v]) => k + '=' + v).join(' ')).join('; ') })] : null),
        ch.timeline.length ? el('table', { class: 'timeline' }, el('tbody', null, ch.timeline.map(st => el('tr', null,
          el('td', { class: 't', text: fmtClock(stampNs(st.timestamp)) + '.' + String(Math.floor(stampNs(st.timestamp) / 1e6) % 1000).padStart(3, '0') }),
          el('td', null, el('span', { class: 'layer', text: st.layer })), el('td', { text: st.detail }))))) : null,
        Object.keys(ch.evidence).length ? el('div', { class: 'evidence', text: 'evidence: ' + JSON.stringify(ch.evidence) }) : null));
    d.addEventListener('toggle', () => { if (d.open) state.openChains.add(ch.id); else state.openChains.delete(ch.id); });
    return d;
  })));
}

function renderProcesses(p) {
  $('proc-note').textContent = p.sample.complete ? '' : `percentiles over the newest ${fmtCount(p.sample.events)} events`;
  if (!changed('processes', [p.processes, p.contention])) return;
  const box = $('processes');
  if (p.processes.length === 0) {
    box.replaceChildren(el('div', { class: 'needs', text: 'No process made CUDA, driver, graph or NCCL calls in this window.' }));
    return;
  }
  const rows = [];
  p.processes.forEach(pr => {
    let calls = 0; pr.ops.forEach(o => { calls += o.calls; });
    rows.push(el('tr', { class: 'proc', 'data-pid': String(pr.pid) }, el('td', { colspan: '7', text: `PID ${pr.pid} (${pr.name}) · ${fmtCount(calls)} calls` })));
    pr.ops.forEach(o => rows.push(el('tr', { 'data-pid': String(pr.pid), 'data-op': o.op },
      el('td', { class: 'op', text: o.op }), el('td', { class: 'num', 'data-k': 'calls', text: fmtCount(o.calls) }),
      el('td', { class: 'num' + (o.errors ? ' err' : ''), text: fmtCount(o.errors) }),
      ...(o.latency_recorded === false
        ? [el('td', { class: 'num muted', colspan: '4', 'data-k': 'rate', text: `${fmtRate(o.per_second)}/s · latency not recorded` })]
        : [el('td', { class: 'num', text: fmtNs(o.p50_ns) }), el('td', { class: 'num', text: fmtNs(o.p95_ns) }),
          el('td', { class: 'num', text: fmtNs(o.p99_ns) }), el('td', { class: 'num', text: fmtNs(o.max_ns) })]))));
  });
  box.replaceChildren(
    p.contention ? el('div', { class: 'err', text: `⚠ Multi-process GPU contention: several processes make CUDA/driver calls in this window` }) : '',
    el('div', { class: 'scroll' }, el('table', null,
      el('thead', null, el('tr', null, el('th', { text: 'op' }), ['calls', 'errors', 'p50', 'p95', 'p99', 'max'].map(h => el('th', { class: 'num', text: h })))),
      el('tbody', null, rows))));
}

function renderGraph(g) {
  if (!changed('graph', g)) return;
  const panel = $('panel-graph');
  if (g.total_events === 0) {
    panel.classList.add('unavailable');
    $('graph').replaceChildren(el('div', { class: 'needs', text: g.note }));
    return;
  }
  panel.classList.remove('unavailable');
  const row = (k, v) => el('tr', null, el('td', { text: k }), el('td', { class: 'num', text: v }));
  $('graph').replaceChildren(el('table', null, el('tbody', null,
    row('captures', fmtCount(g.captures)), row('instantiations', fmtCount(g.instantiations)), row('launches', fmtCount(g.launches)),
    row('launches / s', fmtRate(g.launch_rate_per_s)), row('mean end-capture', fmtNs(g.mean_end_capture_ns)),
    row('mean instantiate', fmtNs(g.mean_instantiate_ns)), row('mean launch', fmtNs(g.mean_launch_ns)))));
}

function renderCapabilities(c) {
  state.capabilities = c.capabilities;
  const missing = c.capabilities.length - c.available;
  $('caps-note').textContent = `${c.available} available, ${missing} greyed out (hover for what they need)`;
  $('caps').replaceChildren(...c.capabilities.map(cap => el('div', {
    class: 'cap ' + cap.status, 'data-cap': cap.id, 'data-status': cap.status,
    title: cap.status === 'available' ? cap.note : 'Needs ' + cap.needs + (cap.note ? '. ' + cap.note : ''),
  }, el('div', { class: 'p', text: cap.panel }), el('div', { class: 'n', text: cap.name }),
    el('div', { class: 's', text: cap.status === 'available' ? '● in this recording' : cap.status === 'no-data' ? 'no data · needs ' + cap.needs : 'needs ' + cap.needs }))));
}

// ---- SQL -----------------------------------------------------------------

async function runSQL(ev) {
  ev.preventDefault();
  const out = $('sql-out');
  out.replaceChildren(el('div', { class: 'muted', text: 'running…' }));
  try {
    const r = await api('query', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ sql: $('sql').value, limit: 200 }) });
    const cell = v => v === null ? 'NULL' : typeof v === 'number'
      ? (Number.isInteger(v) ? fmtCount(v) : v.toLocaleString('en-US', { maximumFractionDigits: Math.abs(v) >= 100 ? 1 : 4 })) : String(v);
    out.replaceChildren(
      el('div', { class: 'muted', text: `${fmtCount(r.rows.length)} row(s)${r.truncated ? ', stopped at ' + fmtCount(r.row_cap) : ''} in ${fmtNs(r.elapsed_ns)}` }),
      el('table', null, el('thead', null, el('tr', null, r.columns.map(c => el('th', { text: c })))),
        el('tbody', null, r.rows.map(row => el('tr', null, row.map(v => el('td', { class: typeof v === 'number' ? 'num' : '', text: cell(v) })))))));
  } catch (e) {
    if (e instanceof AuthError) { showLogin(); return; }
    out.replaceChildren(el('div', { class: 'err', text: e.message }));
  }
}

// ---- refresh loop --------------------------------------------------------

function setError(msg) {
  const b = $('error');
  b.hidden = !msg;
  b.textContent = msg || '';
}

async function refresh() {
  if (state.busy || state.paused || !$('login').hidden) return;
  state.busy = true;
  const q = 'since=' + encodeURIComponent(state.since);
  try {
    if (!state.capabilities) renderCapabilities(await api('capabilities'));
    const [ov, ops, chains, procs, snaps, graph] = await Promise.all([
      api('overview?' + q), api('ops?' + q), api('chains?' + q), api('processes?' + q), api('snapshots?' + q), api('graph-metrics?' + q)]);
    renderOverview(ov);
    renderOps(ops);
    renderChains(chains);
    renderProcesses(procs);
    renderSnapshots(snaps);
    renderGraph(graph);
    setError('');
    $('updated').textContent = 'updated ' + new Date().toLocaleTimeString([], { hour12: false });
    document.body.dataset.ready = String(Number(document.body.dataset.ready || 0) + 1);
  } catch (e) {
    if (e instanceof AuthError) {
      showLogin(sessionStorage.getItem('ingero.token') ? 'That token was refused.' : '');
    } else {
      setError(e.message);
    }
  } finally {
    state.busy = false;
  }
}

function selectRange(since) {
  state.since = since;
  sessionStorage.setItem('ingero.since', since);
  document.querySelectorAll('.range button').forEach(b => b.classList.toggle('on', b.dataset.since === since));
  state.last = {};
  refresh();
}

document.addEventListener('DOMContentLoaded', () => {
  document.querySelectorAll('.range button').forEach(b => b.addEventListener('click', () => selectRange(b.dataset.since)));
  $('pause').addEventListener('click', () => {
    state.paused = !state.paused;
    $('pause').textContent = state.paused ? 'resume' : 'pause';
    if (!state.paused) refresh();
  });
  $('sql-form').addEventListener('submit', runSQL);
  $('login-form').addEventListener('submit', ev => {
    ev.preventDefault();
    sessionStorage.setItem('ingero.token', $('login-token').value.trim());
    $('login').hidden = true;
    refresh();
  });
  let resized;
  window.addEventListener('resize', () => { clearTimeout(resized); resized = setTimeout(() => { state.last = {}; refresh(); }, 200); });
  selectRange(state.since);
  setInterval(refresh, REFRESH_MS);
});
