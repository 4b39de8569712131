/* wirespeed dashboard: the daemon's live view (served by its HTTP front end).
 *
 * It reads /api/history once, then /api/live (a WebSocket pushing {snapshot,
 * sample} once a second); captures and RFC 2544 runs are read every few seconds.
 * Every number shown is the API's: a counter cell keeps the exact value in
 * data-value (data-port / data-field, and data-tid for TIDs). body.dataset:
 * ready = "1" after the first snapshot, updates = snapshots shown, time_ns = the
 * last one's reading time. Control buttons post to /api/ports/{i}/{action} with
 * the token and owner typed in the header (kept for this tab only).
 */
(function () {
  "use strict";
  var COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e",
                "#9467bd", "#8c564b", "#e377c2", "#17becf"];
  var KEEP = 600;          // samples kept for the charts (10 minutes)
  var hist = {t: [], ports: {}, streams: {}, tids: {}};
  var charts = {};
  var bounds = [];
  var selectedTid = null;  // "port/tid"
  var lastSnap = null;
  var updates = 0;

  function $(id) { return document.getElementById(id); }
  function fmtInt(n) { return n === null || n === undefined ? "-" : n.toLocaleString("en-US"); }
  function fmtRate(n) { return Math.round(n).toLocaleString("en-US"); }
  function mbps(bps) { return (bps / 1e6).toFixed(2); }
  function us(ns) { return ns === null || ns === undefined ? "-" : (ns / 1e3).toFixed(2); }

  function td(row, text, opts) {
    var c = document.createElement("td");
    c.textContent = text;
    opts = opts || {};
    if (opts.num) c.className = "num";
    if (opts.bad) c.className += " bad";
    if (opts.cls) c.className += " " + opts.cls;
    if (opts.field !== undefined) {
      c.dataset.field = opts.field;
      if (opts.value !== undefined && opts.value !== null) c.dataset.value = String(opts.value);
    }
    row.appendChild(c);
    return c;
  }

  function replaceBody(table, rows) {
    var body = $(table).querySelector("tbody");
    var fresh = document.createElement("tbody");
    rows.forEach(function (r) { fresh.appendChild(r); });
    body.parentNode.replaceChild(fresh, body);
  }

  /* ---------------------------------------------------------------- control */
  function control() {
    var token = $("token").value.trim(), owner = $("owner").value.trim();
    return token && owner ? {token: token, owner: owner} : null;
  }

  function act(port, action) {
    var c = control();
    if (!c) { say("control needs the token the daemon printed and an owner"); return; }
    fetch("/api/ports/" + port + "/" + action, {
      method: "POST",
      headers: {"Authorization": "Bearer " + c.token, "Content-Type": "application/json"},
      body: JSON.stringify({owner: c.owner})
    }).then(function (r) {
      return r.json().then(function (body) {
        say(r.ok ? "port " + port + ": " + action + " done (" + body.state + ")"
                 : "port " + port + ": " + body.error);
      });
    }).catch(function (e) { say("port " + port + ": " + e); });
  }

  function say(text) { $("message").textContent = text; }

  function buttons(cell, port) {
    ["reserve", "start", "stop", "clear", "release"].forEach(function (a) {
      var b = document.createElement("button");
      b.type = "button";
      b.textContent = a;
      b.disabled = control() === null;
      b.addEventListener("click", function () { act(port, a); });
      cell.appendChild(b);
    });
  }

  /* ---------------------------------------------------------------- tables */
  function renderPorts(snap) {
    var rows = snap.ports.map(function (p) {
      var c = p.counters, r = document.createElement("tr");
      r.dataset.port = String(p.index);
      td(r, String(p.index), {num: true, field: "index", value: p.index});
      td(r, p.name);
      td(r, p.module + "/" + p.port_in_module);
      td(r, p.mac);
      td(r, (p.speed_bps / 1e9) + "G");
      td(r, p.link_up ? "up" : "down", {cls: p.link_up ? "" : "down", field: "link_up", value: p.link_up});
      td(r, p.state, {field: "state", value: p.state});
      td(r, p.owner || "-", {field: "owner", value: p.owner || ""});
      td(r, fmtRate(c.tx_pps), {num: true, field: "tx_pps", value: c.tx_pps});
      td(r, mbps(c.tx_bps_l1), {num: true, field: "tx_bps_l1", value: c.tx_bps_l1});
      td(r, fmtRate(c.rx_pps), {num: true, field: "rx_pps", value: c.rx_pps});
      td(r, mbps(c.rx_bps_l1), {num: true, field: "rx_bps_l1", value: c.rx_bps_l1});
      ["tx_packets", "rx_packets", "tx_bytes", "rx_bytes"].forEach(function (f) {
        td(r, fmtInt(c[f]), {num: true, field: f, value: c[f]});
      });
      ["tx_errors", "rx_tpld_errors", "rx_dropped_by_tester"].forEach(function (f) {
        td(r, fmtInt(c[f]), {num: true, field: f, value: c[f], bad: c[f] > 0});
      });
      buttons(td(r, ""), p.index);
      return r;
    });
    replaceBody("ports", rows);
  }

  function renderStreams(snap) {
    var rows = [];
    snap.ports.forEach(function (p) {
      p.streams.forEach(function (s) {
        var r = document.createElement("tr");
        r.dataset.port = String(p.index);
        r.dataset.stream = String(s.id);
        td(r, String(p.index), {num: true});
        td(r, String(s.id), {num: true});
        td(r, s.name || "-");
        td(r, s.tid < 0 ? "-" : String(s.tid), {num: true, field: "tid", value: s.tid});
        td(r, s.rate.value + " " + s.rate.unit);
        td(r, fmtRate(s.pps), {num: true, field: "pps", value: s.pps});
        td(r, mbps(s.bps_l1), {num: true, field: "bps_l1", value: s.bps_l1});
        td(r, fmtInt(s.packets), {num: true, field: "packets", value: s.packets});
        td(r, fmtInt(s.bytes), {num: true, field: "bytes", value: s.bytes});
        rows.push(r);
      });
    });
    replaceBody("streams", rows);
  }

  function renderTids(snap) {
    var rows = [];
    snap.ports.forEach(function (p) {
      p.tids.forEach(function (t) {
        var key = p.index + "/" + t.tid, r = document.createElement("tr");
        if (selectedTid === null) selectedTid = key;
        r.dataset.port = String(p.index);
        r.dataset.tid = String(t.tid);
        if (key === selectedTid) r.className = "selected";
        r.addEventListener("click", function () { selectedTid = key; redraw(); });
        td(r, String(p.index), {num: true});
        td(r, String(t.tid), {num: true});
        td(r, fmtInt(t.packets), {num: true, field: "packets", value: t.packets});
        td(r, fmtRate(t.pps), {num: true, field: "pps", value: t.pps});
        ["lost", "misordered", "duplicates", "payload_errors"].forEach(function (f) {
          td(r, fmtInt(t[f]), {num: true, field: f, value: t[f], bad: t[f] > 0});
        });
        td(r, us(t.latency.min_ns), {num: true, field: "latency_min_ns", value: t.latency.min_ns});
        td(r, us(t.latency.avg_ns), {num: true, field: "latency_avg_ns", value: t.latency.avg_ns});
        td(r, us(t.latency.max_ns), {num: true, field: "latency_max_ns", value: t.latency.max_ns});
        td(r, us(t.jitter_ns), {num: true, field: "jitter_ns", value: t.jitter_ns});
        rows.push(r);
      });
    });
    replaceBody("tids", rows);
  }

  /* ---------------------------------------------------------------- charts */
  function push(arr, v) { arr.push(v); if (arr.length > KEEP) arr.shift(); }

  function series(map, key) {
    if (!map[key]) map[key] = {};
    return map[key];
  }

  function column(obj, name, n) {
    if (!obj[name]) {
      obj[name] = [];
      for (var i = 0; i < n; i++) obj[name].push(null);
    }
    return obj[name];
  }

  function addSample(s) {
    var n = hist.t.length, seen = {};
    push(hist.t, s.time_ns / 1e9);
    function put(map, key, values) {
      var o = series(map, key);
      seen[key] = true;
      Object.keys(values).forEach(function (k) { push(column(o, k, n), values[k]); });
    }
    s.ports.forEach(function (p) {
      put(hist.ports, String(p.port), {tx_pps: p.tx_pps, rx_pps: p.rx_pps,
        tx_mbps: p.tx_bps_l1 / 1e6, rx_mbps: p.rx_bps_l1 / 1e6});
    });
    s.streams.forEach(function (st) {
      put(hist.streams, st.port + "/" + st.stream, {pps: st.pps});
    });
    s.tids.forEach(function (t) {
      put(hist.tids, t.port + "/" + t.tid, {
        min: t.latency_min_ns === null ? null : t.latency_min_ns / 1e3,
        avg: t.latency_avg_ns === null ? null : t.latency_avg_ns / 1e3,
        max: t.latency_max_ns === null ? null : t.latency_max_ns / 1e3});
    });
    [hist.ports, hist.streams, hist.tids].forEach(function (map) {
      Object.keys(map).forEach(function (key) {  // a series that was not sampled: a gap
        if (seen[key]) return;
        Object.keys(map[key]).forEach(function (k) { push(map[key][k], null); });
      });
    });
  }

  function chart(id, title, yLabel, labels, data) {
    var el = $(id);
    var opts = {
      title: title, width: Math.max(420, Math.floor(window.innerWidth / 2) - 40),
      height: 240, scales: {x: {time: true}},
      axes: [{}, {label: yLabel, size: 70}],
      series: [{}].concat(labels.map(function (l, i) {
        return {label: l, stroke: COLORS[i % COLORS.length], width: 2, spanGaps: false};
      }))
    };
    var key = labels.join("|");
    var c = charts[id];
    if (c && c.key === key) {
      c.plot.setData(data);
    } else {
      if (c) c.plot.destroy();
      el.textContent = "";
      charts[id] = {key: key, plot: new uPlot(opts, data, el)};
    }
    el.dataset.points = data.slice(1).map(function (s) { return s.length; }).join(",");
  }

  function histogramChart(key) {
    var el = $("chart-histogram");
    var parts = key ? key.split("/") : null;
    var tid = null;
    if (parts && lastSnap) {
      var port = lastSnap.ports[Number(parts[0])];
      if (port) tid = port.tids.filter(function (t) { return String(t.tid) === parts[1]; })[0] || null;
    }
    if (!tid) { if (charts["chart-histogram"]) { charts["chart-histogram"].plot.destroy(); delete charts["chart-histogram"]; } el.textContent = ""; return; }
    var first = -1, last = -1;
    tid.histogram.forEach(function (n, i) { if (n > 0) { if (first < 0) first = i; last = i; } });
    if (first < 0) { first = 0; last = 0; }
    var xs = [], ys = [], labels = [];
    for (var i = first; i <= last; i++) { xs.push(i - first); ys.push(tid.histogram[i]); labels.push(String(bounds[i])); }
    var opts = {
      title: "latency histogram, TID " + tid.tid + " on port " + parts[0] + " (µs, lower bound)",
      width: Math.max(420, Math.floor(window.innerWidth / 2) - 40), height: 240,
      scales: {x: {time: false, distr: 2}},
      axes: [{values: function (u, splits) { return splits.map(function (v) { return labels[v] === undefined ? "" : labels[v]; }); }},
             {label: "frames", size: 70}],
      series: [{}, {label: "frames", stroke: COLORS[0], fill: COLORS[0] + "99",
                    paths: uPlot.paths.bars({size: [0.7, 80]}), points: {show: false}}]
    };
    if (charts["chart-histogram"]) charts["chart-histogram"].plot.destroy();
    el.textContent = "";
    charts["chart-histogram"] = {key: key, plot: new uPlot(opts, [xs, ys], el)};
    el.dataset.points = String(xs.length);
    el.dataset.tid = key;
  }

  function redraw() {
    var ports = Object.keys(hist.ports).sort(function (a, b) { return a - b; });
    var fps = [hist.t.slice()], mb = [hist.t.slice()], fl = [], ml = [];
    ports.forEach(function (p) {
      var o = hist.ports[p];
      fps.push(o.tx_pps.slice()); fps.push(o.rx_pps.slice());
      fl.push("port " + p + " TX"); fl.push("port " + p + " RX");
      mb.push(o.tx_mbps.slice()); mb.push(o.rx_mbps.slice());
      ml.push("port " + p + " TX"); ml.push("port " + p + " RX");
    });
    chart("chart-fps", "frames/s per port", "frames/s", fl, fps);
    chart("chart-mbps", "Mbit/s (L1) per port", "Mbit/s", ml, mb);
    var sk = Object.keys(hist.streams).sort();
    chart("chart-streams", "frames/s per stream (port/stream)", "frames/s", sk,
          [hist.t.slice()].concat(sk.map(function (k) { return hist.streams[k].pps.slice(); })));
    if (selectedTid && hist.tids[selectedTid]) {
      var o = hist.tids[selectedTid];
      chart("chart-latency", "latency of each second, TID " + selectedTid.split("/")[1] +
            " on port " + selectedTid.split("/")[0], "µs", ["min", "avg", "max"],
            [hist.t.slice(), o.min.slice(), o.avg.slice(), o.max.slice()]);
    }
    histogramChart(selectedTid);
  }

  /* ---------------------------------------------------------------- data */
  function show(snap) {
    lastSnap = snap;
    bounds = snap.histogram_bounds_us;
    renderPorts(snap);
    renderStreams(snap);
    renderTids(snap);
    redraw();
    updates++;
    $("updated").textContent = "updated " + new Date(snap.time_ns / 1e6).toLocaleTimeString();
    document.body.dataset.updates = String(updates);
    document.body.dataset.time_ns = String(snap.time_ns);
    document.body.dataset.ready = "1";
  }

  function connect() {
    var proto = location.protocol === "https:" ? "wss://" : "ws://";
    var ws = new WebSocket(proto + location.host + "/api/live");
    ws.onopen = function () { $("conn").textContent = "live"; $("conn").className = "conn up"; };
    ws.onmessage = function (ev) {
      var msg = JSON.parse(ev.data);
      var t = msg.sample.time_ns / 1e9;
      if (hist.t.length === 0 || t > hist.t[hist.t.length - 1]) addSample(msg.sample);
      show(msg.snapshot);
    };
    ws.onclose = function () {
      $("conn").textContent = "reconnecting"; $("conn").className = "conn down";
      setTimeout(connect, 2000);
    };
  }

  function poll() {
    fetch("/api/captures").then(function (r) { return r.json(); }).then(function (list) {
      replaceBody("captures", list.map(function (c) {
        var r = document.createElement("tr"), a = document.createElement("a");
        td(r, String(c.id), {num: true}); td(r, String(c.port), {num: true});
        td(r, c.filter || "all"); td(r, c.active ? "capturing" : "stopped");
        td(r, fmtInt(c.frames), {num: true, field: "frames", value: c.frames});
        td(r, fmtInt(c.bytes), {num: true}); td(r, fmtInt(c.missed), {num: true, bad: c.missed > 0});
        a.href = "/api/captures/" + c.id; a.textContent = c.file; a.download = c.file;
        td(r, "").appendChild(a);
        return r;
      }));
    }).catch(function () {});
    fetch("/api/rfc2544").then(function (r) { return r.json(); }).then(function (list) {
      replaceBody("runs", list.map(function (run) {
        var r = document.createElement("tr"), p = document.createElement("progress");
        td(r, String(run.id), {num: true}); td(r, run.owner); td(r, run.ports.join(", "));
        td(r, run.state + (run.error ? ": " + run.error : ""), {bad: run.state === "failed"});
        p.max = Math.max(1, run.progress.planned); p.value = run.progress.done;
        var cell = td(r, " " + run.progress.done + "/" + run.progress.planned);
        cell.insertBefore(p, cell.firstChild);
        var lt = run.last_trial;
        td(r, lt ? lt.test + " " + lt.frame_size + " B at " + lt.rate_pct.toFixed(3) +
                   " %: " + lt.tx + " sent, " + lt.rx + " received" : "-");
        var rc = td(r, "");
        if (run.state === "done") {
          var a = document.createElement("a");
          a.href = "/api/rfc2544/" + run.id + "/report.html"; a.textContent = "report";
          rc.appendChild(a);
        }
        return r;
      }));
    }).catch(function () {});
  }

  function start() {
    ["token", "owner"].forEach(function (id) {
      $(id).value = sessionStorage.getItem("wirespeed-" + id) || "";
      $(id).addEventListener("input", function () {
        sessionStorage.setItem("wirespeed-" + id, $(id).value);
        $("control-state").textContent = control() ? "control on" : "read-only";
        if (lastSnap) renderPorts(lastSnap);
      });
    });
    $("control-state").textContent = control() ? "control on" : "read-only";
    fetch("/api").then(function (r) { return r.json(); }).then(function (info) {
      $("chassis-name").textContent = info.name;
      $("version").textContent = "v" + info.version;
    }).catch(function () {});
    fetch("/api/history").then(function (r) { return r.json(); }).then(function (samples) {
      samples.forEach(addSample);
      connect();
    }).catch(connect);
    poll();
    setInterval(poll, 3000);
  }

  document.addEventListener("DOMContentLoaded", start);
})();
