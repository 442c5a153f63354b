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
  var QUEUE_COLORS = ["#2c6fb7", "#b7892c", "#7a4fa3", "#3a8f8f", "#8f3a6b", "#6b7d2c"];

  // History points carry rates already (from Redis); live samples carry counters, turned into a
  // point per resolution step here. Per-queue depth exists only in live samples.
  function build(el, h) {
    var g = {
      el: el,
      kind: el.getAttribute("data-graph"),
      points: (h.points || []).slice(),
      step: (h.resolutionSeconds || 1) * 1000,
      anchor: null,
      plot: null,
      queues: h.queues || [],
    };
    graphs.push(g);
    draw(g);
  }

  function data(g) {
    var p = g.points;
    var cols = [
      p.map(function (x) {
        return x.t / 1000;
      }),
    ];
    if (g.kind === "class") {
      cols.push(
        p.map(function (x) {
          return x.runs;
        }),
        p.map(function (x) {
          return x.failures;
        }),
        p.map(function (x) {
          return x.avgMs;
        }),
      );
      return cols;
    }
    if (g.kind === "depth") {
      cols.push(
        p.map(function (x) {
          return x.pending;
        }),
      );
      // No sizes for a point (before this dashboard sampled), or null (not among the biggest then): a gap.
      g.queues.forEach(function (q) {
        cols.push(
          p.map(function (x) {
            return x.queues ? (x.queues[q] === undefined ? 0 : x.queues[q]) : null;
          }),
        );
      });
      return cols;
    }
    cols.push(
      p.map(function (x) {
        return x.processed;
      }),
      p.map(function (x) {
        return x.failed;
      }),
    );
    return cols;
  }

  function series(g) {
    if (g.kind === "class") {
      return [
        {},
        { label: "runs/min", stroke: COLORS[0], width: 2, scale: "n" },
        { label: "failures/min", stroke: COLORS[1], width: 2, scale: "n" },
        { label: "avg ms", stroke: COLORS[2], width: 1, scale: "ms" },
      ];
    }
    if (g.kind === "depth") {
      var out = [{}, { label: "all queues", stroke: COLORS[0], width: 2 }];
      g.queues.forEach(function (q, i) {
        out.push({ label: q + " (live)", stroke: QUEUE_COLORS[i % QUEUE_COLORS.length], width: 1 });
      });
      return out;
    }
    return [
      {},
      { label: "processed/s", stroke: COLORS[0], width: 2, fill: "rgba(47,111,79,0.08)" },
      { label: "failed/s", stroke: COLORS[1], width: 2 },
    ];
  }

  // Time axes in UTC, written as the tables write times (ISO: 2026-12-07, 14:05, 14:05:30), not
  // uPlot's default US-style local time. Ticks fall on UTC boundaries (tzDate), labels are ISO.
  var pad = function (n) {
    return n < 10 ? "0" + n : String(n);
  };
  function isoDay(d) {
    return d.getUTCFullYear() + "-" + pad(d.getUTCMonth() + 1) + "-" + pad(d.getUTCDate());
  }
  function utcTicks(g) {
    return function (u, splits, axisIdx, space, incr) {
      var lastDay = null;
      var out = splits.map(function (s) {
        var d = new Date(s * 1000);
        var day = isoDay(d);
        var hm = pad(d.getUTCHours()) + ":" + pad(d.getUTCMinutes());
        var text = incr >= 86400 ? day : incr < 60 ? hm + ":" + pad(d.getUTCSeconds()) : hm;
        // The date above the first tick of each day, so a time is never without its day.
        if (incr < 86400 && day !== lastDay) text = text + "\n" + day;
        lastDay = day;
        return text;
      });
      g.el.setAttribute("data-x-ticks", out.join("|"));
      return out;
    };
  }
  var utcDate = function (ts) {
    return window.uPlot.tzDate(new Date(ts * 1000), "Etc/UTC");
  };

  function draw(g) {
    var cols = data(g);
    g.el.setAttribute("data-points", String(cols[0].length));
    // How many single-queue values the depth graph has (a test reads it: seeded lines have some at once).
    if (g.kind === "depth")
      g.el.setAttribute(
        "data-queue-points",
        String(
          cols.slice(2).reduce(function (n, c) {
            return (
              n +
              c.filter(function (v) {
                return v !== null;
              }).length
            );
          }, 0),
        ),
      );
    if (typeof window.uPlot !== "function") return;
    if (!g.plot) {
      var width = Math.max(300, g.el.clientWidth || 800);
      // Whole seconds at least: the labels say no more than seconds, so finer ticks would repeat them.
      var x = {
        label: "UTC",
        labelSize: 18,
        size: 46,
        values: utcTicks(g),
        incrs: [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 172800, 604800],
      };
      var axes =
        g.kind === "class" ? [x, { size: 50, scale: "n" }, { size: 60, scale: "ms", side: 1, grid: { show: false } }] : [x, { size: 50 }];
      g.plot = new window.uPlot(
        {
          width: width,
          height: 240,
          series: series(g),
          scales: { x: { time: true } },
          axes: axes,
          tzDate: utcDate,
          legend: { live: false },
        },
        cols,
        g.el,
      );
    } else {
      g.plot.setData(cols);
    }
  }

  function addLive(g, sample) {
    if (g.kind === "class") return;
    var a = g.anchor;
    if (!a || sample.t < a.t) {
      g.anchor = sample;
      return;
    }
    var dt = (sample.t - a.t) / 1000;
    if (dt * 1000 < g.step * 0.9) return;
    var last = g.points[g.points.length - 1];
    if (last && last.t >= sample.t) {
      g.anchor = sample;
      return;
    }
    var rate = function (key) {
      var d = sample[key] - a[key];
      return d >= 0 ? d / dt : sample[key] / dt;
    };
    g.points.push({
      t: sample.t,
      processed: rate("processed"),
      failed: rate("failed"),
      pending: sample.pending,
      queues: sample.queues || {},
    });
    if (g.points.length > 10080) g.points.shift();
    g.anchor = sample;
    draw(g);
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
      addLive(g, sample);
    });
  }

  var pending = [];
  var elements = document.querySelectorAll("[data-graph]");
  for (var k = 0; k < elements.length; k++) {
    (function (el) {
      pending.push(
        fetch(el.getAttribute("data-history"), { credentials: "same-origin" })
          .then(function (r) {
            return r.ok ? r.json() : { points: [] };
          })
          .then(function (h) {
            build(el, h);
          }),
      );
    })(elements[k]);
  }

  var live = document.querySelectorAll("[data-live], [data-graph]").length > 0;
  if (live && window.EventSource) {
    // A failed history fetch is already drawn as an empty graph; nothing more to handle here.
    void Promise.all(pending).then(function () {
      var source = new EventSource(body.getAttribute("data-stream"), { withCredentials: true });
      source.addEventListener("sample", function (e) {
        onSample(JSON.parse(e.data));
      });
      window.addEventListener("beforeunload", function () {
        source.close();
      });
    });
  }
})();
