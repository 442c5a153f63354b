// The dashboard's only script (the CSP allows no inline code): confirmations, live counters and graphs from /stream.
(function () {
  "use strict";
  var body = document.body;

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) event.preventDefault();
  });

  var graphs = [];
  var COLORS = ["#2f6f4f", "#c0392b", "#2c6fb7", "#b7892c", "#7a4fa3", "#3a8f8f", "#8f3a6b"];

  function rateSeries(samples, key) {
    var out = [];
    for (var i = 1; i < samples.length; i++) {
      var dt = (samples[i].t - samples[i - 1].t) / 1000;
      var d = samples[i][key] - samples[i - 1][key];
      out.push(dt > 0 && d >= 0 ? d / dt : null);
    }
    return out;
  }

  function build(el, samples) {
    var kind = el.getAttribute("data-graph");
    var g = { el: el, kind: kind, samples: samples.slice(), plot: null, queues: [] };
    if (kind === "depth") {
      var names = {};
      samples.forEach(function (s) { Object.keys(s.queues || {}).forEach(function (q) { names[q] = true; }); });
      g.queues = Object.keys(names).sort().slice(0, 6);
    }
    graphs.push(g);
    draw(g);
  }

  function data(g) {
    var s = g.samples;
    if (g.kind === "depth") {
      var cols = [s.map(function (x) { return x.t / 1000; }), s.map(function (x) { return x.pending; })];
      g.queues.forEach(function (q) { cols.push(s.map(function (x) { return (x.queues || {})[q] || 0; })); });
      return cols;
    }
    var times = s.slice(1).map(function (x) { return x.t / 1000; });
    return [times, rateSeries(s, "processed"), rateSeries(s, "failed")];
  }

  function series(g) {
    if (g.kind === "depth") {
      var out = [{}, { label: "all queues", stroke: COLORS[0], width: 2 }];
      g.queues.forEach(function (q, i) { out.push({ label: q, stroke: COLORS[(i + 2) % COLORS.length], width: 1 }); });
      return out;
    }
    return [{}, { label: "processed/s", stroke: COLORS[0], width: 2, fill: "rgba(47,111,79,0.08)" }, { label: "failed/s", stroke: COLORS[1], width: 2 }];
  }

  function draw(g) {
    var cols = data(g);
    g.el.setAttribute("data-points", String(cols[0].length));
    if (typeof window.uPlot !== "function") return;
    if (!g.plot) {
      var width = Math.max(300, g.el.clientWidth || 800);
      g.plot = new window.uPlot({ width: width, height: 220, series: series(g), scales: { x: { time: true } }, axes: [{}, { size: 50 }], legend: { live: false } }, cols, g.el);
    } else {
      g.plot.setData(cols);
    }
  }

  function onSample(sample) {
    var values = { queues: Object.keys(sample.queues || {}).length };
    Object.keys(sample).forEach(function (key) {
      if (typeof sample[key] === "number" && !(key in values)) values[key] = sample[key];
    });
    Object.keys(values).forEach(function (key) {
      var nodes = document.querySelectorAll('[data-live="' + key + '"]');
      for (var i = 0; i < nodes.length; i++) nodes[i].textContent = String(values[key]);
    });
    var qs = document.querySelectorAll("[data-live-queue]");
    for (var j = 0; j < qs.length; j++) {
      var size = (sample.queues || {})[qs[j].getAttribute("data-live-queue")];
      qs[j].textContent = String(size === undefined ? 0 : size);
    }
    graphs.forEach(function (g) {
      var last = g.samples[g.samples.length - 1];
      if (last && last.t >= sample.t) return;
      g.samples.push(sample);
      if (g.samples.length > 3600) g.samples.shift();
      draw(g);
    });
  }

  var pending = [];
  var elements = document.querySelectorAll("[data-graph]");
  for (var k = 0; k < elements.length; k++) {
    (function (el) {
      pending.push(fetch(el.getAttribute("data-history"), { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : { samples: [] }; })
        .then(function (h) { build(el, h.samples || []); }));
    })(elements[k]);
  }

  var live = document.querySelectorAll("[data-live], [data-graph]").length > 0;
  if (live && window.EventSource) {
    Promise.all(pending).then(function () {
      var source = new EventSource(body.getAttribute("data-stream"), { withCredentials: true });
      source.addEventListener("sample", function (e) { onSample(JSON.parse(e.data)); });
      window.addEventListener("beforeunload", function () { source.close(); });
    });
  }
})();
