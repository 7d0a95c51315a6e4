// quorumlab timeline: draws the history embedded in <script id="data"> on a canvas.
// Only the visible window is drawn (rows and time range), so 100 000 operations stay fast.
//
// Data (see src/view/timeline/data.rs): times are in units of `unit` ns; columns `c`, `t0`, `et`,
// `at`, `mt` are delta-encoded. Ops: p lane, f function (string id), k key id (-1 none), o outcome
// (0 ok, 1 fail, 2 info), c call position, r ret - call (-1 open), t0 invoke time, t1 duration
// (-1 open), val result, ai/av invocation arguments that differ, ts (delta from the previous
// op's, null none), n node, ei/es errors (op, string).
// Nemesis: nc position, nt time, nx text; bands: [start, end|-1, t0, t1|-1, label, family].
// Anomalies an: {c checker, k kind, key, x explanation, o op ids, e history indices}.
// Replicas: rl [key, node] lanes, nl node rows; applies at/al/av2/ats/ac/ao; marks
// mt/ml/mk/mn/mp/md/mo (ml >= 0 replica lane, -1 - i node row i).
(function () {
  "use strict";
  var T0 = performance.now();
  var errors = [];
  var st = document.getElementById("selftest");
  window.addEventListener("error", function (e) {
    errors.push(String(e.message || e));
    report();
  });
  function report() {
    st.setAttribute("data-errors", String(errors.length));
    st.setAttribute("data-error-text", errors.join(" | ").slice(0, 500));
  }
  report();

  var D = JSON.parse(document.getElementById("data").textContent);
  var TP = performance.now();
  var S = D.strs;
  function undelta(a) {
    var out = new Float64Array(a.length), s = 0;
    for (var i = 0; i < a.length; i++) { s += a[i]; out[i] = s; }
    return out;
  }
  var N = D.p.length;
  var call = undelta(D.c);
  var timed = D.timed;
  var t0 = timed ? undelta(D.t0) : null;
  // The time of every history event (index order <-> time): from the ops and nemesis events.
  var et = null;
  if (timed) {
    et = new Float64Array(D.nev);
    for (var i = 0; i < N; i++) {
      et[call[i]] = t0[i];
      if (D.r[i] >= 0 && D.t1[i] >= 0) et[call[i] + D.r[i]] = t0[i] + D.t1[i];
    }
    for (var i = 0; i < D.nc.length; i++) et[D.nc[i]] = D.nt[i];
  }
  var tsOf = new Float64Array(N), tsPrev = 0;
  for (var i = 0; i < N; i++) {
    if (D.ts[i] === null) tsOf[i] = -1; else { tsPrev += D.ts[i]; tsOf[i] = tsPrev; }
  }
  var errOf = {};
  for (var i = 0; i < D.ei.length; i++) errOf[D.ei[i]] = S[D.es[i]];
  var at = undelta(D.at), mt = undelta(D.mt);
  var nlanes = D.procs.length;
  var tEnd = 0;
  if (timed) {
    for (var i = 0; i < et.length; i++) if (et[i] > tEnd) tEnd = et[i];
    if (at.length) tEnd = Math.max(tEnd, at[at.length - 1]);
    if (mt.length) tEnd = Math.max(tEnd, mt[mt.length - 1]);
    tEnd = Math.max(tEnd, 1);
  }
  var argOf = {};
  for (var i = 0; i < D.ai.length; i++) argOf[D.ai[i]] = D.av[i];

  // Per process lane: op ids in call order; open ops (never completed) apart.
  var laneOps = [], laneOpen = [], laneInfo = [], laneKeys = [];
  for (var l = 0; l < nlanes; l++) { laneOps.push([]); laneOpen.push([]); laneInfo.push([]); laneKeys.push({}); }
  for (var i = 0; i < N; i++) {
    laneKeys[D.p[i]][D.k[i]] = 1;
    if (D.o[i] === 2 && D.r[i] >= 0) laneInfo[D.p[i]].push(i); // a tail to the end
    // Completed ops of one process never overlap, so their ends are sorted: binary search works.
    if (D.r[i] < 0) laneOpen[D.p[i]].push(i); else laneOps[D.p[i]].push(i);
  }
  // Anomalies: which ops each concerns.
  var anomalous = new Uint8Array(N);
  D.an.forEach(function (a) { a.o.forEach(function (o) { anomalous[o] = 1; }); });
  var highlighted = new Uint8Array(N), selected = -1;

  // Replica lanes: applies and marks per lane, in time order.
  var nr = D.rl.length, nn = D.nl.length;
  var laneApplies = [], laneMarks = [], rowMarks = [];
  for (var i = 0; i < nr; i++) { laneApplies.push([]); laneMarks.push([]); }
  for (var i = 0; i < nn; i++) rowMarks.push([]);
  for (var i = 0; i < D.al.length; i++) laneApplies[D.al[i]].push(i);
  for (var i = 0; i < D.ml.length; i++) {
    if (D.ml[i] >= 0) laneMarks[D.ml[i]].push(i); else rowMarks[-1 - D.ml[i]].push(i);
  }

  // ---- state ----
  var mode = timed ? "time" : "index";
  var keyFilter = -1;
  var x0s = new Float64Array(N), x1s = new Float64Array(N);
  var domEnd = 1, view = { x0: 0, x1: 1 }, scrollY = 0;
  var rows = [];
  var ROW = 16, GUT = 96, AXIS = 22, TRACK = 13, tracks = [], ntracks = 0;

  function posOfTime(t) { // first history position at or after time t
    var lo = 0, hi = et.length;
    while (lo < hi) { var m = (lo + hi) >> 1; if (et[m] < t) lo = m + 1; else hi = m; }
    return lo;
  }
  function xOfTime(t) { return mode === "time" ? t : posOfTime(t); }
  function computeX() {
    domEnd = mode === "time" ? tEnd : Math.max(D.nev, 1);
    for (var i = 0; i < N; i++) {
      if (mode === "time") {
        x0s[i] = t0[i];
        x1s[i] = D.t1[i] >= 0 ? t0[i] + D.t1[i] : domEnd;
      } else {
        x0s[i] = call[i];
        x1s[i] = D.r[i] >= 0 ? call[i] + D.r[i] : domEnd;
      }
    }
    // Fault bands on tracks (greedy: first track free at the band's start).
    var ends = [];
    tracks = D.bands.map(function (b) {
      var s = mode === "time" ? b[2] : b[0];
      var e = b[1] < 0 ? domEnd : (mode === "time" ? b[3] : b[1]);
      var k = 0;
      while (k < ends.length && ends[k] > s) k++;
      ends[k] = e;
      return { s: s, e: e, k: k, label: S[b[4]], fam: S[b[5]] };
    });
    ntracks = Math.max(ends.length, 1);
  }

  function buildRows() {
    // With a key chosen: its replicas first, then only the processes that touched it.
    var rep = [], rl = [];
    for (var i = 0; i < nr; i++) if (keyFilter < 0 || D.rl[i][0] === keyFilter) rl.push(i);
    if (rl.length) {
      rep.push({ h: "replicas" + (keyFilter < 0 ? " (all keys)" : " of key " + D.keys[keyFilter]) });
      rl.forEach(function (i) { rep.push({ r: i }); });
    }
    // The selected anomaly's processes first, so they sit right under the replicas of its key.
    var procs = [], first = {};
    if (selected >= 0) D.an[selected].o.forEach(function (o) { first[D.p[o]] = 1; });
    for (var l = 0; l < nlanes; l++) if (first[l]) procs.push({ p: l });
    for (var l = 0; l < nlanes; l++) if (!first[l] && (keyFilter < 0 || laneKeys[l][keyFilter])) procs.push({ p: l });
    procs.unshift({ h: "processes (" + procs.length + (keyFilter < 0 ? ")" : " of " + nlanes + " touched key " + D.keys[keyFilter] + ")") + (selected >= 0 ? ", the anomaly's first" : "") });
    rows = keyFilter < 0 ? procs.concat(rep) : rep.concat(procs);
    if (nn) {
      rows.push({ h: "nodes" });
      for (var i = 0; i < nn; i++) rows.push({ n: i });
    }
  }

  // ---- canvas ----
  var cv = document.getElementById("cv"), ctx = cv.getContext("2d");
  var W = 0, H = 0, dpr = 1;
  function resize() {
    var r = cv.parentNode.getBoundingClientRect();
    dpr = window.devicePixelRatio || 1;
    W = Math.max(200, Math.floor(r.width));
    H = Math.max(150, Math.floor(r.height));
    cv.width = W * dpr; cv.height = H * dpr;
    cv.style.width = W + "px"; cv.style.height = H + "px";
  }
  function top() { return AXIS + ntracks * TRACK; }
  function px(x) { return GUT + (x - view.x0) / (view.x1 - view.x0) * (W - GUT); }
  function xAt(p) { return view.x0 + (p - GUT) / (W - GUT) * (view.x1 - view.x0); }
  function firstVisible(ids, xs1, x) { // first index whose end >= x (ends non-decreasing)
    var lo = 0, hi = ids.length;
    while (lo < hi) { var m = (lo + hi) >> 1; if (xs1(ids[m]) < x) lo = m + 1; else hi = m; }
    return lo;
  }
  var COL = ["#6db6fe", "#feb5da", "#ffaa26"];
  var FAM = { partition: "rgba(220,40,40,", crash: "rgba(60,60,60,", pause: "rgba(130,60,200,",
    loss: "rgba(240,140,0,", "reply-loss": "rgba(240,110,0,", latency: "rgba(200,170,0,",
    slow: "rgba(180,150,0,", "slow-disk": "rgba(140,100,40,", "clock-skew": "rgba(0,140,160,",
    nemesis: "rgba(220,40,40," };
  function famColor(f, a) { return (FAM[f] || "rgba(120,120,120,") + a + ")"; }
  var CAUSE = { write: "#222", "read-repair": "#1a9850", hint: "#984ea3",
    "anti-entropy": "#008b8b", purge: "#999", apply: "#222" };
  function hue(s) {
    var h = 0;
    for (var i = 0; i < s.length; i++) h = (h * 31 + s.charCodeAt(i)) >>> 0;
    return (h * 137.508) % 360;
  }
  function valText(v) { return v === null ? "∅" : v === false ? "gone" : typeof v === "string" ? v : JSON.stringify(v); }
  var drawnHighlighted = 0;

  function draw() {
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, W, H);
    ctx.font = "11px sans-serif";
    ctx.textBaseline = "middle";
    var y0 = top();
    var first = Math.max(0, Math.floor(scrollY / ROW));
    var last = Math.min(rows.length, Math.ceil((scrollY + H - y0) / ROW));
    // Fault bands, behind everything.
    tracks.forEach(function (b) {
      if (b.e < view.x0 || b.s > view.x1) return;
      var a = Math.max(GUT, px(b.s)), z = Math.min(W, Math.max(px(b.e), a + 1));
      ctx.fillStyle = famColor(b.fam, 0.09);
      ctx.fillRect(a, y0, z - a, H - y0);
      ctx.fillStyle = famColor(b.fam, 0.55);
      ctx.fillRect(a, AXIS + b.k * TRACK + 1, z - a, TRACK - 2);
      ctx.save();
      ctx.beginPath(); ctx.rect(a, AXIS + b.k * TRACK, z - a, TRACK); ctx.clip();
      ctx.fillStyle = "#fff";
      ctx.fillText(b.label, a + 2, AXIS + b.k * TRACK + TRACK / 2);
      ctx.restore();
    });
    drawnHighlighted = 0;
    ctx.save();
    ctx.beginPath(); ctx.rect(0, y0, W, H - y0); ctx.clip();
    for (var ri = first; ri < last; ri++) {
      var row = rows[ri], y = y0 + ri * ROW - scrollY;
      if (ri % 2 === 1) { ctx.fillStyle = "rgba(0,0,0,0.025)"; ctx.fillRect(GUT, y, W - GUT, ROW); }
      if (row.h !== undefined) {
        ctx.fillStyle = "#eef"; ctx.fillRect(0, y, W, ROW);
        ctx.fillStyle = "#334"; ctx.fillText(row.h, 4, y + ROW / 2);
        continue;
      }
      if (row.p !== undefined) drawProcess(row.p, y);
      else if (row.r !== undefined) drawReplica(row.r, y);
      else drawNodeRow(row.n, y);
    }
    ctx.restore();
    drawAxis();
    // Gutter labels.
    ctx.save();
    ctx.beginPath(); ctx.rect(0, y0, GUT, H - y0); ctx.clip();
    for (var ri = first; ri < last; ri++) {
      var row = rows[ri], y = y0 + ri * ROW - scrollY, t = null;
      if (row.p !== undefined) t = "process " + D.procs[row.p];
      else if (row.r !== undefined) t = "key " + D.keys[D.rl[row.r][0]] + " @ " + S[D.rl[row.r][1]];
      else if (row.n !== undefined) t = S[D.nl[row.n]];
      if (t !== null) { ctx.fillStyle = "#222"; ctx.fillText(t, 4, y + ROW / 2); }
    }
    ctx.restore();
    ctx.strokeStyle = "#ccc"; ctx.beginPath(); ctx.moveTo(GUT + 0.5, 0); ctx.lineTo(GUT + 0.5, H); ctx.stroke();
  }

  function drawProcess(l, y) {
    var ids = laneOps[l];
    var k = firstVisible(ids, function (i) { return x1s[i]; }, view.x0);
    var runs = [null, null, null, null]; // merged rects per colour (4: other keys, faded)
    function flush(c) {
      var r = runs[c]; if (!r) return;
      ctx.fillStyle = c === 3 ? "#e4e4e4" : COL[c];
      ctx.fillRect(r[0], y + 2, Math.max(1, r[1] - r[0]), ROW - 4);
      runs[c] = null;
    }
    var labels = [], marked = [];
    function one(i) {
      var a = Math.max(GUT - 2, px(x0s[i])), z = Math.min(W + 2, px(x1s[i]));
      var c = keyFilter >= 0 && D.k[i] !== keyFilter ? 3 : D.o[i];
      var r = runs[c];
      if (r && a <= r[1] + 1) r[1] = Math.max(r[1], z);
      else { flush(c); runs[c] = [a, z]; }
      if (z - a > 36 && c !== 3) labels.push([i, a, z]);
      if (anomalous[i] || highlighted[i]) marked.push([i, a, z]);
    }
    for (; k < ids.length && x0s[ids[k]] <= view.x1; k++) one(ids[k]);
    for (var c = 0; c < 4; c++) flush(c);
    laneInfo[l].forEach(function (i) { // info: may take effect at any later time
      if (x1s[i] > view.x1) return;
      var a = Math.max(GUT, px(x1s[i])), z = Math.min(W, px(domEnd));
      ctx.fillStyle = keyFilter >= 0 && D.k[i] !== keyFilter ? "#eee" : "rgba(255,170,38,0.45)";
      ctx.fillRect(a, y + ROW / 2 - 2, Math.max(0, z - a), 4);
    });
    laneOpen[l].forEach(function (i) {
      if (x0s[i] <= view.x1) { one(i); for (var c = 0; c < 4; c++) flush(c); }
    });
    ctx.fillStyle = "#123";
    labels.forEach(function (t) {
      var i = t[0], s = S[D.f[i]].charAt(0) + " " + valText(D.val[i]);
      if (D.k[i] >= 0) s = s + " k" + D.keys[D.k[i]];
      ctx.save(); ctx.beginPath(); ctx.rect(t[1], y, t[2] - t[1], ROW); ctx.clip();
      ctx.fillText(s, t[1] + 3, y + ROW / 2); ctx.restore();
    });
    marked.forEach(function (t) {
      var i = t[0];
      ctx.lineWidth = highlighted[i] ? 3 : 1.5;
      ctx.strokeStyle = highlighted[i] ? "#e00000" : "#a00";
      ctx.strokeRect(t[1], y + 1, Math.max(2, t[2] - t[1]), ROW - 2);
      if (highlighted[i]) drawnHighlighted++;
    });
    ctx.lineWidth = 1;
  }

  function drawReplica(lane, y) {
    var ids = laneApplies[lane];
    var end = function (j) { return j + 1 < ids.length ? xOfTime(at[ids[j + 1]]) : domEnd; };
    var lo = 0, hi = ids.length; // last apply starting at or before view.x0
    while (lo < hi) { var m = (lo + hi) >> 1; if (xOfTime(at[ids[m]]) <= view.x0) lo = m + 1; else hi = m; }
    for (var j = Math.max(0, lo - 1); j < ids.length; j++) {
      var i = ids[j], s = xOfTime(at[i]);
      if (s > view.x1) break;
      var a = Math.max(GUT, px(s)), z = Math.min(W, px(end(j)));
      var v = D.av2[i];
      ctx.fillStyle = v === false ? "#fff" : v === null ? "#c8c8c8" : "hsl(" + hue(JSON.stringify(v)) + ",60%,78%)";
      ctx.fillRect(a, y + 2, Math.max(1, z - a), ROW - 4);
      if (z - a > 28) {
        ctx.save(); ctx.beginPath(); ctx.rect(a, y, z - a, ROW); ctx.clip();
        ctx.fillStyle = "#222"; ctx.fillText(valText(v), a + 5, y + ROW / 2); ctx.restore();
      }
      if (px(s) >= GUT) { // the change, coloured by its cause
        ctx.fillStyle = CAUSE[S[D.ac[i]]] || "#222";
        ctx.beginPath(); ctx.moveTo(a, y + 1); ctx.lineTo(a + 4, y + 1); ctx.lineTo(a, y + 7); ctx.fill();
        ctx.fillRect(a, y + 1, 1, ROW - 2);
      }
    }
    drawMarks(laneMarks[lane], y);
  }

  function drawNodeRow(r, y) { drawMarks(rowMarks[r], y); }

  var MARK = { "repair-sent": ["#1a9850", "v"], "repair-acked": ["#1a9850", "o"],
    "repair-timeout": ["#d00", "x"], "hint-stored": ["#984ea3", "s"], "hint-replayed": ["#984ea3", "S"],
    "hint-expired": ["#d00", "s"], "ae-exchange": ["#008b8b", "d"], "log-replay": ["#000", "|"] };
  function drawMarks(ids, y) {
    var lo = 0, hi = ids.length;
    while (lo < hi) { var m = (lo + hi) >> 1; if (xOfTime(mt[ids[m]]) < view.x0) lo = m + 1; else hi = m; }
    var lastPx = -10, lastKind = -1;
    for (var j = lo; j < ids.length; j++) {
      var i = ids[j], x = xOfTime(mt[i]);
      if (x > view.x1) break;
      var p = px(x), kind = D.mk[i];
      if (p - lastPx < 2 && kind === lastKind) continue;
      lastPx = p; lastKind = kind;
      var m = MARK[S[kind]] || ["#555", "o"], cy = y + ROW / 2;
      ctx.fillStyle = m[0]; ctx.strokeStyle = m[0];
      ctx.beginPath();
      if (m[1] === "v") { ctx.moveTo(p - 3, y + 9); ctx.lineTo(p + 3, y + 9); ctx.lineTo(p, y + 14); ctx.fill(); }
      else if (m[1] === "o") { ctx.arc(p, y + 12, 2, 0, 7); ctx.fill(); }
      else if (m[1] === "x") { ctx.moveTo(p - 3, cy - 3); ctx.lineTo(p + 3, cy + 3); ctx.moveTo(p + 3, cy - 3); ctx.lineTo(p - 3, cy + 3); ctx.stroke(); }
      else if (m[1] === "s") { ctx.strokeRect(p - 2.5, cy - 2.5, 5, 5); }
      else if (m[1] === "S") { ctx.fillRect(p - 2.5, cy - 2.5, 5, 5); }
      else if (m[1] === "d") { ctx.moveTo(p, cy - 4); ctx.lineTo(p + 4, cy); ctx.lineTo(p, cy + 4); ctx.lineTo(p - 4, cy); ctx.fill(); }
      else { ctx.fillRect(p - 1, y + 1, 2, ROW - 2); }
    }
  }

  function fmtX(x, step) {
    if (mode === "index") return "#" + Math.round(x);
    var s = x * D.unit / 1e9, st = step * D.unit / 1e9;
    var dec = Math.max(0, Math.min(9, Math.ceil(-Math.log10(st) + 1e-9)));
    return s.toFixed(dec) + " s";
  }
  function drawAxis() {
    ctx.fillStyle = "#fff"; ctx.fillRect(0, 0, W, AXIS);
    ctx.fillStyle = "#fafafa"; ctx.fillRect(0, AXIS, GUT, ntracks * TRACK);
    ctx.fillStyle = "#555"; ctx.fillText("faults", 4, AXIS + TRACK / 2);
    var span = view.x1 - view.x0, raw = span / Math.max(1, (W - GUT) / 110);
    var p10 = Math.pow(10, Math.floor(Math.log10(raw))), step = p10;
    [1, 2, 5, 10].some(function (m) { step = m * p10; return step >= raw; });
    if (mode === "index") step = Math.max(1, Math.round(step));
    ctx.strokeStyle = "#bbb"; ctx.fillStyle = "#333";
    for (var x = Math.ceil(view.x0 / step) * step; x <= view.x1; x += step) {
      var p = px(x);
      ctx.beginPath(); ctx.moveTo(p + 0.5, AXIS - 6); ctx.lineTo(p + 0.5, AXIS); ctx.stroke();
      ctx.fillText(fmtX(x, step), p + 3, 8);
    }
    ctx.fillStyle = "#333"; ctx.fillText(mode === "time" ? "simulated time" : "history index", 4, 8);
    // Nemesis events without a band (unknown functions) still get a tick.
    ctx.fillStyle = "#a00";
    for (var i = 0; i < D.nc.length; i++) {
      var x = mode === "time" ? D.nt[i] : D.nc[i];
      if (x >= view.x0 && x <= view.x1) ctx.fillRect(px(x), AXIS - 4, 1, 4);
    }
  }

  // ---- view changes ----
  function clampView() {
    var span = Math.max(view.x1 - view.x0, mode === "index" ? 4 : 1e-9 * domEnd + 1e-9);
    span = Math.min(span, domEnd * 1.02 + 1);
    var c = (view.x0 + view.x1) / 2;
    view.x0 = c - span / 2; view.x1 = c + span / 2;
    var lo = -domEnd * 0.01, hi = domEnd * 1.01;
    if (view.x0 < lo) { view.x1 += lo - view.x0; view.x0 = lo; }
    if (view.x1 > hi) { view.x0 -= view.x1 - hi; view.x1 = hi; }
    var maxY = Math.max(0, rows.length * ROW - (H - top()));
    scrollY = Math.max(0, Math.min(scrollY, maxY));
  }
  var pending = false;
  function redraw() {
    if (pending) return;
    pending = true;
    requestAnimationFrame(function () { pending = false; clampView(); draw(); });
  }
  function fit() { view.x0 = -domEnd * 0.005; view.x1 = domEnd * 1.005; }
  function zoom(f, p) {
    var x = xAt(p === undefined ? (GUT + W) / 2 : p);
    view.x0 = x - (x - view.x0) * f; view.x1 = x + (view.x1 - x) * f;
    redraw();
  }
  function setMode(m) {
    if (m === mode || (m === "time" && !timed)) return;
    // Keep the same part of the history in view.
    var a = toMode(view.x0, m), b = toMode(view.x1, m);
    mode = m; computeX();
    view.x0 = a; view.x1 = Math.max(b, a + 4);
    document.getElementById("mode-time").className = mode === "time" ? "on" : "";
    document.getElementById("mode-index").className = mode === "index" ? "on" : "";
    clampView(); draw();
  }
  function toMode(x, m) {
    if (m === "index") return posOfTime(x);
    var i = Math.max(0, Math.min(et.length - 1, Math.round(x)));
    return et.length ? et[i] : 0;
  }
  function setKey(k) {
    keyFilter = k;
    document.getElementById("key").value = String(k);
    buildRows(); clampView(); draw();
  }
  function selectAnomaly(n) {
    var a = D.an[n];
    if (!a) return;
    selected = n;
    highlighted = new Uint8Array(N);
    a.o.forEach(function (o) { highlighted[o] = 1; });
    var items = document.querySelectorAll("#anomalies li");
    for (var i = 0; i < items.length; i++) items[i].className = i === n ? "sel" : "";
    if (a.key >= 0) setKey(a.key); else { buildRows(); }
    var lo = Infinity, hi = -Infinity, laneMin = Infinity;
    a.o.forEach(function (o) {
      lo = Math.min(lo, x0s[o]);
      hi = Math.max(hi, D.r[o] >= 0 ? x1s[o] : x0s[o]);
      laneMin = Math.min(laneMin, D.p[o]);
    });
    if (lo === Infinity) { // no operation: the events' positions
      a.e.forEach(function (e) {
        var x = mode === "index" ? e : (et && e < et.length ? et[e] : 0);
        lo = Math.min(lo, x); hi = Math.max(hi, x);
      });
    }
    if (lo !== Infinity) {
      var w = Math.max(hi - lo, domEnd * 0.002, mode === "index" ? 20 : 0);
      view.x0 = lo - w * 0.75; view.x1 = hi + w * 0.75;
    }
    if (laneMin !== Infinity) {
      var ri = 0;
      while (ri < rows.length && rows[ri].p !== laneMin) ri++;
      scrollY = (ri + 2) * ROW < H - top() ? 0 : ri * ROW - (H - top()) / 3;
    }
    clampView(); draw();
  }

  // ---- hover ----
  var tip = document.getElementById("tip");
  function fmtT(x) { return timed ? (x * D.unit / 1e9).toFixed(6).replace(/0{3}$/, "") + " s" : "-"; }
  function idx(pos) { return D.idx ? D.idx[pos] : pos; }
  function describeOp(i) {
    var out = ["ok", "fail", "info"][D.o[i]];
    var lines = [S[D.f[i]] + (D.k[i] >= 0 ? " key " + D.keys[D.k[i]] : "") + " → " + JSON.stringify(D.val[i]) + "  [" + out + "]"];
    if (argOf[i] !== undefined) lines.push("argument " + JSON.stringify(argOf[i]));
    lines.push("process " + D.procs[D.p[i]] + ", history #" + idx(call[i]) + (D.r[i] >= 0 ? " → #" + idx(call[i] + D.r[i]) : " (never completed)"));
    if (timed) lines.push("invoked " + fmtT(t0[i]) + (D.t1[i] >= 0 ? ", completed " + fmtT(t0[i] + D.t1[i]) + " (" + (D.t1[i] * D.unit / 1e6).toFixed(3) + " ms)" : ", never completed"));
    if (D.o[i] === 2) lines.push("indeterminate: may take effect at any later time");
    if (tsOf[i] >= 0) lines.push("ts " + tsOf[i]);
    if (D.n[i] >= 0) lines.push("coordinator " + S[D.n[i]]);
    if (errOf[i] !== undefined) lines.push("error: " + errOf[i]);
    D.an.forEach(function (a, n) { if (a.o.indexOf(i) >= 0) lines.push("anomaly " + n + ": " + a.k + " (" + a.c + ")"); });
    return lines.join("\n");
  }
  function hit(mx, my) {
    var y0 = top();
    if (mx < GUT) return null;
    var x = xAt(mx), tol = (view.x1 - view.x0) / (W - GUT) * 3;
    if (my < y0) {
      var k = Math.floor((my - AXIS) / TRACK), found = null;
      if (k >= 0) tracks.forEach(function (b) { if (b.k === k && b.s <= x && b.e >= x) found = b; });
      return found ? found.label + "\n" + fmtX(found.s, 1e-6) + " … " + fmtX(found.e, 1e-6) : null;
    }
    var row = rows[Math.floor((my - y0 + scrollY) / ROW)];
    if (!row || row.h !== undefined) return null;
    if (row.p !== undefined) {
      var ids = laneOps[row.p];
      var k = firstVisible(ids, function (i) { return x1s[i]; }, x - tol);
      for (; k < ids.length && x0s[ids[k]] <= x + tol; k++) return describeOp(ids[k]);
      var open = laneOpen[row.p].concat(laneInfo[row.p]).filter(function (i) { return x0s[i] <= x; });
      return open.length ? describeOp(open[0]) : null;
    }
    var lines = [], marks = row.r !== undefined ? laneMarks[row.r] : rowMarks[row.n];
    if (row.r !== undefined) {
      var ids = laneApplies[row.r], cur = -1;
      for (var j = 0; j < ids.length && xOfTime(at[ids[j]]) <= x; j++) cur = ids[j];
      var lane = D.rl[row.r];
      if (cur >= 0) {
        lines.push("key " + D.keys[lane[0]] + " on " + S[lane[1]] + ": " + valText(D.av2[cur]) + (D.ats[cur] >= 0 ? " @ts " + D.ats[cur] : ""));
        lines.push("since " + fmtT(at[cur]) + " by " + S[D.ac[cur]] + (D.ao[cur] >= 0 ? " (op history #" + idx(call[D.ao[cur]]) + ")" : ""));
      }
    }
    marks.forEach(function (i) {
      if (Math.abs(xOfTime(mt[i]) - x) <= tol && lines.length < 12)
        lines.push(S[D.mk[i]] + " by " + S[D.mn[i]] + (D.mp[i] >= 0 ? " → " + S[D.mp[i]] : "") + " at " + fmtT(mt[i]) + (D.md[i] >= 0 ? " " + S[D.md[i]] : ""));
    });
    return lines.length ? lines.join("\n") : null;
  }
  function hover(e) {
    var r = cv.getBoundingClientRect(), t = hit(e.clientX - r.left, e.clientY - r.top);
    if (!t) { tip.style.display = "none"; return; }
    tip.textContent = t;
    tip.style.display = "block";
    tip.style.left = Math.min(e.clientX + 14, window.innerWidth - 380) + "px";
    tip.style.top = Math.min(e.clientY + 14, window.innerHeight - 140) + "px";
  }

  // ---- wiring ----
  var drag = null;
  cv.addEventListener("mousedown", function (e) { drag = { x: e.clientX, y: e.clientY, v0: view.x0, v1: view.x1, s: scrollY }; });
  window.addEventListener("mouseup", function () { drag = null; });
  window.addEventListener("mousemove", function (e) {
    if (!drag) { if (e.target === cv) hover(e); else tip.style.display = "none"; return; }
    var dx = (e.clientX - drag.x) / (W - GUT) * (drag.v1 - drag.v0);
    view.x0 = drag.v0 - dx; view.x1 = drag.v1 - dx; scrollY = drag.s - (e.clientY - drag.y);
    redraw();
  });
  cv.addEventListener("wheel", function (e) {
    e.preventDefault();
    var r = cv.getBoundingClientRect();
    if (e.ctrlKey || e.altKey || e.metaKey) zoom(Math.pow(1.0015, e.deltaY), e.clientX - r.left);
    else if (e.shiftKey || Math.abs(e.deltaX) > Math.abs(e.deltaY)) {
      var d = (e.shiftKey ? e.deltaY : e.deltaX) / (W - GUT) * (view.x1 - view.x0);
      view.x0 += d; view.x1 += d; redraw();
    } else { scrollY += e.deltaY; redraw(); }
  }, { passive: false });
  cv.addEventListener("dblclick", function (e) { zoom(e.shiftKey ? 2 : 0.5, e.clientX - cv.getBoundingClientRect().left); });
  document.getElementById("zin").onclick = function () { zoom(0.5); };
  document.getElementById("zout").onclick = function () { zoom(2); };
  document.getElementById("zfit").onclick = function () { fit(); redraw(); };
  document.getElementById("mode-time").onclick = function () { setMode("time"); };
  document.getElementById("mode-index").onclick = function () { setMode("index"); };
  var sel = document.getElementById("key");
  D.keys.forEach(function (k, i) {
    var o = document.createElement("option"); o.value = String(i); o.textContent = "key " + k; sel.appendChild(o);
  });
  sel.onchange = function () { setKey(Number(sel.value)); };
  window.addEventListener("resize", function () { resize(); redraw(); });
  window.addEventListener("keydown", function (e) {
    if (e.target.tagName === "SELECT") return;
    if (e.key === "+" || e.key === "=") zoom(0.5);
    else if (e.key === "-") zoom(2);
    else if (e.key === "ArrowLeft" || e.key === "ArrowRight") {
      var d = (view.x1 - view.x0) * (e.key === "ArrowLeft" ? -0.2 : 0.2); view.x0 += d; view.x1 += d; redraw();
    } else if (e.key === "ArrowUp" || e.key === "ArrowDown") { scrollY += e.key === "ArrowUp" ? -ROW * 4 : ROW * 4; redraw(); }
  });
  // Anomaly list.
  var list = document.getElementById("anomalies");
  D.an.forEach(function (a, n) {
    var li = document.createElement("li"), link = document.createElement("a");
    link.href = "#anomaly=" + n;
    link.id = "anomaly-link-" + n;
    link.textContent = a.c + " · " + a.k + (a.key >= 0 ? " · key " + D.keys[a.key] : "");
    link.onclick = function (e) { e.preventDefault(); history.replaceState(null, "", "#anomaly=" + n); selectAnomaly(n); };
    li.appendChild(link);
    li.appendChild(document.createTextNode(" — " + a.x + " (history #" + a.e.join(", #") + ")"));
    list.appendChild(li);
  });
  document.getElementById("an-count").textContent = D.an.length ? D.an.length + " anomal" + (D.an.length === 1 ? "y" : "ies") : "no anomalies";
  if (!D.an.length) document.getElementById("an-box").className = "none";
  document.getElementById("summary").textContent = (D.verdict ? "verdict " + D.verdict + " · " : "") + N + " operations · " + nlanes + " processes · " + D.keys.length + " keys · " + D.bands.length + " faults" + (D.note ? " · " + D.note : "");
  document.getElementById("mode-time").disabled = !timed;
  document.getElementById("mode-time").className = mode === "time" ? "on" : "";
  document.getElementById("mode-index").className = mode === "index" ? "on" : "";

  function fromHash() {
    var h = location.hash, m;
    if ((m = /anomaly=(\d+)/.exec(h))) selectAnomaly(Number(m[1]));
    if ((m = /mode=(time|index)/.exec(h))) setMode(m[1]);
  }
  window.addEventListener("hashchange", fromHash);

  // ---- first draw ----
  resize(); computeX(); buildRows(); fit(); clampView();
  var TS = performance.now();
  draw();
  var loadMs = performance.now();
  st.setAttribute("data-lanes", String(nlanes));
  st.setAttribute("data-ops", String(N));
  st.setAttribute("data-anomalies", String(D.an.length));
  st.setAttribute("data-bands", String(D.bands.length));
  st.setAttribute("data-replica-lanes", String(nr));
  st.setAttribute("data-load-ms", loadMs.toFixed(1));
  st.setAttribute("data-script-ms", (loadMs - T0).toFixed(1));
  st.setAttribute("data-phases", "html " + T0.toFixed(0) + ", json " + (TP - T0).toFixed(0) + ", index " + (TS - TP).toFixed(0) + ", draw " + (loadMs - TS).toFixed(0) + " ms");
  fromHash();

  // ---- self-test (URL fragment #selftest or #selftest-anomaly=N) ----
  var m = /selftest(?:-anomaly=(\d+))?/.exec(location.hash);
  if (m) {
    try {
      if (m[1] !== undefined) {
        var n = Number(m[1]), link = document.getElementById("anomaly-link-" + n);
        if (link) link.click();
        st.setAttribute("data-selected", String(selected));
        st.setAttribute("data-highlighted", String(highlighted.reduce(function (s, v) { return s + v; }, 0)));
        st.setAttribute("data-visible", String(drawnHighlighted));
        st.setAttribute("data-key-filter", keyFilter >= 0 ? String(D.keys[keyFilter]) : "");
        st.setAttribute("data-rows", String(rows.length));
        st.setAttribute("data-scroll", scrollY + " of " + rows.length * ROW + " in " + (H - top()));
        // Hover over the first highlighted operation: its details name its history index.
        var o = D.an[n] ? D.an[n].o[0] : undefined;
        if (o !== undefined) {
          var ri = 0;
          while (ri < rows.length && rows[ri].p !== D.p[o]) ri++;
          var t = hit(px((x0s[o] + Math.min(x1s[o], view.x1)) / 2), top() + ri * ROW - scrollY + ROW / 2);
          st.setAttribute("data-hover", t ? t.split("\n").slice(0, 3).join(" / ") : "");
        }
      }
      var before = view.x0;
      var m0 = mode;
      if (timed) { setMode(m0 === "time" ? "index" : "time"); setMode(m0); }
      st.setAttribute("data-mode-roundtrip", timed && Math.abs(view.x0 - before) > (view.x1 - view.x0) ? "moved" : "ok");
      setKey(D.keys.length ? 0 : -1); setKey(-1);
      zoom(0.5); zoom(2); fit(); clampView(); draw();
    } catch (e) {
      errors.push(String(e && e.stack || e));
    }
    report();
    st.setAttribute("data-done", "1");
  }
})();
