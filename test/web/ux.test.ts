// Issue 22, point 12 (and the scheduler part of 11): dashboard pages that misled. Each test here failed on 1da018b.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { recordMetrics } from "../../src/store/metrics.ts";
import { percentileMs, BUCKET_COUNT, bucketOf } from "../../src/protocol/histogram.ts";
import { Tally } from "../../src/worker/tally.ts";
import { useRedis } from "../support/fixture.ts";
import { useWebServers } from "../support/web-server.ts";
import { commandLine, eventually, exited, spawnWork } from "../support/spawn-cli.ts";
import { mkdtempSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";

const redis = useRedis();

const serve = useWebServers();

/** A tiny browser: keeps cookies, follows no redirects by itself. */
function client(base: string) {
  const jar = new Map<string, string>();
  const request = async (path: string, init: RequestInit = {}) => {
    const headers = new Headers(init.headers);
    if (jar.size > 0) headers.set("cookie", [...jar].map(([k, v]) => `${k}=${v}`).join("; "));
    const res = await fetch(path.startsWith("http") ? path : `${base}${path}`, { redirect: "manual", ...init, headers });
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(";");
      const [k, v] = [pair!.slice(0, pair!.indexOf("=")), pair!.slice(pair!.indexOf("=") + 1)];
      if (attrs.some((a) => /max-age=0\b/i.test(a.trim())) || v === "") jar.delete(k);
      else jar.set(k, v);
    }
    return { status: res.status, text: await res.text(), location: res.headers.get("location") };
  };
  let csrf = "";
  return {
    jar,
    get: (path: string) => request(path),
    async post(path: string, fields: Record<string, string> = {}) {
      if (!csrf) csrf = /data-csrf="([0-9a-f]{64})"/.exec((await request("/overview")).text)![1]!;
      return request(path, {
        method: "POST",
        body: new URLSearchParams({ ...fields, _csrf: csrf }),
        headers: { "content-type": "application/x-www-form-urlencoded", origin: base },
      });
    },
  };
}

const notice = (page: string) => /<p class="notice flash[^"]*" role="\w+">([^<]*)<\/p>/.exec(page)?.[1];

describe("dashboard: what pages tell (issue 22, point 12)", () => {
  it("(b) a per-class p95 never exceeds the longest run recorded, and the page says the estimate's resolution", async () => {
    const resque = redis.open("ux-p95");
    // The reported case: runs of 20 s and 1 s gave a p95 of 28 s (interpolated inside the 10-30 s bucket).
    const tally = new Tally();
    tally.add("Report", 20_000, false);
    tally.add("Report", 1000, false);
    await recordMetrics(resque.db, tally.take(), Date.now());
    const [m] = await resque.classMetrics({ minutes: 5 });
    assert.equal(m!.className, "Report");
    assert.equal(m!.maxMs, 20_000, "the longest run is recorded");
    assert.ok(m!.p95Ms! <= 20_000, `p95 ${m!.p95Ms} ms must not exceed the longest run, 20000 ms`);
    assert.ok(m!.p50Ms! <= 20_000);
    // Two workers' flushes into one minute: the longest of both is kept.
    const more = new Tally();
    more.add("Report", 25_000, false);
    await recordMetrics(resque.db, more.take(), Date.now());
    assert.equal((await resque.classMetrics({ minutes: 5 }))[0]!.maxMs, 25_000);
    // The pure estimate is capped too, and without a known maximum it is what it was.
    const counts = new Array<number>(BUCKET_COUNT).fill(0);
    counts[bucketOf(20_000)] = 1;
    counts[bucketOf(1000)] = 1;
    assert.equal(percentileMs(counts, 0.95), 28_000, "the uncapped estimate (why the cap is needed)");
    assert.equal(percentileMs(counts, 0.95, 20_000), 20_000);

    const { base } = await serve(resque);
    const page = (await client(base).get("/graphs?range=300")).text;
    assert.match(page, /<th class="num">Longest<\/th>/, "a Longest column");
    assert.match(page, /<td class="num">25\.00 s<\/td>/, "the longest run shown");
    assert.match(page, /title="Estimated inside the 10\.00 s–30\.00 s bucket[^"]*">2\d\.\d\d s<\/td>/, "each estimate names its bucket");
    assert.match(page, /buckets end at 1 ms, 2 ms, 5 ms/, "the note gives the histogram's resolution");
    assert.match(page, /never more than the longest run recorded/);
  });

  it("(b) metrics written without a longest run (an older worker) still render, uncapped and without a Longest value", async () => {
    const resque = redis.open("ux-p95-old");
    await recordMetrics(
      resque.db,
      new Map([
        [
          "Old",
          {
            runs: 2,
            failures: 0,
            totalMs: 21_000,
            buckets: new Map([
              [bucketOf(20_000), 1],
              [bucketOf(1000), 1],
            ]),
          },
        ],
      ]),
      Date.now(),
    );
    const [m] = await resque.classMetrics({ minutes: 5 });
    assert.equal(m!.maxMs, null);
    const { base } = await serve(resque);
    assert.equal((await client(base).get("/graphs")).status, 200);
  });

  it("(e) Retry, Remove, Clear, Delete and Run now each leave a message on the page they land on, shown once", async () => {
    const resque = redis.open("ux-flash");
    const { redis: r, keys } = resque.db;
    const failure = (cls: string, i: number) =>
      JSON.stringify({
        failed_at: `2026/12/06 01:00:0${i} UTC`,
        payload: { class: cls, args: [i] },
        exception: "RuntimeError",
        error: "boom",
        backtrace: [],
        worker: "h:1:q",
        queue: "mail",
      });
    await r.rpush(keys.failed, failure("Mailer", 0), failure("Other", 1), failure("Third", 2));
    await resque.setSchedule("nightly", { cron: "0 3 * * *", class: "Nightly", queue: "nightly", persist: true });
    const { base } = await serve(resque);
    const b = client(base);

    const retry = await b.post("/failed/0/retry", { failed_at: "2026/12/06 01:00:00 UTC" });
    assert.equal(retry.status, 303);
    const landed = await b.get(retry.location!);
    assert.equal(notice(landed.text), "Retried failed job 0 (Mailer from queue mail): it is back at the end of queue mail.");
    assert.equal(notice((await b.get(retry.location!)).text), undefined, "shown once");

    const remove = await b.post("/failed/1/remove", { failed_at: "2026/12/06 01:00:01 UTC" });
    assert.match(notice((await b.get(remove.location!)).text) ?? "", /^Removed failed job 1 \(Other from queue mail\)/);
    const changed = await b.post("/failed/1/remove", { failed_at: "2026/12/06 01:00:01 UTC" });
    assert.equal(changed.status, 409);
    assert.match(changed.text, /changed since the page was shown/);

    const all = await b.post("/failed/retry-all");
    assert.match(notice((await b.get(all.location!)).text) ?? "", /^Retried 2 failed jobs/);
    const clear = await b.post("/failed/clear");
    assert.match(notice((await b.get(clear.location!)).text) ?? "", /^Cleared the failed list \(2 jobs removed\)/);

    const run = await b.post("/schedules/nightly/run");
    assert.equal(run.location, "/schedules");
    assert.equal(notice((await b.get("/schedules")).text), "Queued Nightly (schedule nightly) on queue nightly now.");
    assert.equal(await resque.size("nightly"), 1);
    await b.post("/queues/nightly/clear");
    assert.equal(notice((await b.get("/queues/nightly")).text), "Cleared queue nightly: 1 job deleted; the queue stays listed.");
    await b.post("/queues/nightly/delete");
    assert.equal(notice((await b.get("/queues")).text), "Deleted queue nightly and its jobs.");
    await b.post("/schedules/nightly/remove");
    assert.match(notice((await b.get("/schedules")).text) ?? "", /^Removed schedule nightly/);
    const gone = await b.post("/schedules/nightly/run");
    assert.equal(gone.location, "/schedules", "a schedule removed meanwhile: back to the page, not an error page");
    assert.match((await b.get("/schedules")).text, /<p class="notice flash error" role="alert">No schedule named &quot;nightly&quot;/);

    // A message is text, whatever it carries.
    await r.rpush(keys.failed, failure("<img src=x onerror=alert(1)>", 3));
    const evil = await b.post("/failed/0/remove", { failed_at: "2026/12/06 01:00:03 UTC" });
    const text = (await b.get(evil.location!)).text;
    assert.ok(text.includes("Removed failed job 0 (&lt;img src=x onerror=alert(1)&gt; from queue mail)"));
    assert.ok(!text.includes("<img src=x"));
  });

  it("(f) Enqueue now lands where the job went (or on the time while others remain), saying so", async () => {
    const resque = redis.open("ux-enqueue-now");
    const ts = Math.floor(Date.now() / 1000) + 3600;
    await resque.enqueueAtWithQueue("reports", ts, "Report", 1);
    await resque.enqueueAtWithQueue("reports", ts, "Report", 2);
    const { base } = await serve(resque);
    const b = client(base);
    const items = [...(await b.get(`/delayed/${ts}`)).text.matchAll(/name="item" value="([^"]*)"/g)].map((m) =>
      m[1]!.replaceAll("&quot;", '"'),
    );
    assert.equal(items.length, 4, "two jobs, each with Enqueue now and Remove");

    const first = await b.post(`/delayed/${ts}/enqueue-now`, { item: items[0]! });
    assert.equal(first.location, `/delayed/${ts}`, "another job is still due then: stay on the time");
    const page = await b.get(first.location!);
    assert.match(notice(page.text) ?? "", /^Enqueued Report \[1\] on queue reports now\. 1 job still due at /);

    const last = await b.post(`/delayed/${ts}/enqueue-now`, { item: items[2]! });
    assert.equal(last.location, "/queues/reports", "none left: land on the queue the job went to, not an empty page");
    const queue = await b.get(last.location!);
    assert.match(notice(queue.text) ?? "", /^Enqueued Report \[2\] on queue reports now\. No jobs are left at /);
    assert.match(queue.text, /\[2\]/, "the job is listed there");
    assert.equal(await resque.size("reports"), 2);

    // Remove: the Delayed list once the time is empty.
    await resque.enqueueAtWithQueue("reports", ts + 60, "Report", 3);
    const item = /name="item" value="([^"]*)"/.exec((await b.get(`/delayed/${ts + 60}`)).text)![1]!.replaceAll("&quot;", '"');
    const removed = await b.post(`/delayed/${ts + 60}/remove`, { item });
    assert.equal(removed.location, "/delayed");
    assert.match(notice((await b.get("/delayed")).text) ?? "", /^Removed Report from .*; it will not run\. No jobs are left at /);
  });

  it("(d) /api/history's points carry the single queues' sizes this dashboard sampled, so their lines start with the history", async () => {
    const resque = redis.open("ux-depth");
    for (let i = 0; i < 5; i++) await resque.enqueueTo("big", "Job", i);
    await resque.enqueueTo("small", "Job", 0);
    const { base } = await serve(resque, { sampleIntervalMs: 100 });
    const history = await eventually(async () => {
      const h = JSON.parse((await client(base).get("/api/history?range=300")).text) as {
        queues: string[];
        points: { t: number; queues?: Record<string, number> }[];
      };
      return h.points.filter((p) => p.queues).length >= 2 ? h : undefined;
    }, "two history points with queue sizes");
    assert.deepEqual(history.queues, ["big", "small"]);
    const seeded = history.points.filter((p) => p.queues);
    assert.deepEqual(seeded.at(-1)!.queues, { big: 5, small: 1 });
  });

  it("(h) the Workers page says whether a heartbeat is on time for its interval (51 s is normal at stock's 60 s), late, or the process is alive", async () => {
    const resque = redis.open("ux-heartbeat");
    const { redis: r, keys } = resque.db;
    const beat = (secondsAgo: number) => new Date(Date.now() - secondsAgo * 1000).toISOString().replace(/\.\d+Z$/, "Z");
    const workers: [string, number, boolean][] = [
      ["healthy:1:q", 51, false],
      ["late:2:q", 200, false],
      ["ours:3:q", 51, true],
    ];
    for (const [id, age, ours] of workers) {
      await r.sadd(keys.workers, id);
      await r.hset(keys.heartbeats, id, beat(age));
      if (ours)
        await r.set(
          keys.process(id),
          JSON.stringify({
            role: "worker",
            host: "ours",
            pid: 3,
            ppid: 1,
            rss: 1,
            started: Date.now(),
            queues: ["q"],
            running: [],
            supervised: false,
          }),
          "EX",
          15,
        );
    }
    const { base } = await serve(resque);
    const page = (await client(base).get("/workers")).text;
    const cell = (id: string) =>
      new RegExp(
        `${id.split(":")[0]}:\\d+</a>[\\s\\S]*?<span class="beat ([a-z-]+)"[^>]*>[^<]*</span> <small class="beat-age">beat ([^<]*)</small>`,
      )
        .exec(page)
        ?.slice(1) ?? [];
    assert.equal(cell("healthy:1:q")[0], "on-time", "a beat within the interval is on time");
    assert.match(cell("healthy:1:q")[1]!, /^5\ds ago$/);
    assert.equal(cell("late:2:q")[0], "late");
    assert.match(cell("late:2:q")[1]!, /^3m 2\ds ago$/);
    assert.equal(cell("ours:3:q")[0], "alive", "a current process record: alive");
    assert.match(page, /Workers write their heartbeat every 60 s/, "the header explains the interval");
    const one = (await client(base).get(`/workers/${encodeURIComponent("healthy:1:q")}`)).text;
    assert.match(one, /5\ds ago; on time\)/);
  });

  it("(a, 11) work --scheduler: the title counts workers apart from the scheduler, Processes shows the scheduler, Schedules shows the file's schedules marked as such", {
    timeout: 120_000,
  }, async () => {
    const resque = redis.open("ux-file-schedules");
    const dir = mkdtempSync(join(tmpdir(), "ux-schedule-"));
    const file = join(dir, "schedule.yml");
    writeFileSync(
      file,
      [
        "hourly_report:",
        '  cron: "0 * * * *"',
        "  class: Report",
        "  queue: reports",
        "  args: [7]",
        "  description: the hourly report",
        "staging_cleanup:",
        "  every: 1h",
        "  class: Cleanup",
        "  queue: m",
        "  rails_env: staging",
        "overridden:",
        "  every: 1h",
        "  class: FromFile",
        "  queue: m",
        "",
      ].join("\n"),
    );
    await resque.setSchedule("overridden", { every: "2h", class: "FromRedis", queue: "m", persist: true });
    const reportKey = `${resque.db.keys.namespace}:report`;
    const child = spawnWork({
      url: redis.server().url,
      namespace: resque.db.keys.namespace,
      reportKey,
      queue: "m",
      env: { WORKER_COUNT: "2", RESQUE_SCHEDULER: "1", RESQUE_SCHEDULER_INTERVAL: "0.2", RESQUE_SCHEDULE: file },
    });
    try {
      // The binary's title has only its short argv's room: it is cut, so only Node/Bun/Deno show it whole.
      if (!process.env["RESQUE_TEST_BINARY"]) {
        await eventually(
          () => /^resque-\S+: Master of 2 workers \(\d+,\d+\) and a scheduler \(\d+\) for m,/.test(commandLine(child.pid!)) || undefined,
          "the master's title: 2 workers and a scheduler",
        );
      }
      const { base } = await serve(resque);
      const b = client(base);
      const published = await eventually(async () => {
        const p = JSON.parse((await b.get("/api/schedules/file")).text);
        return p.state === "published" && p.schedules.some((s: { next: number | null }) => s.next !== null) ? p : undefined;
      }, "the leader to publish its file schedules");
      assert.equal(published.leader, `${hostname()}:${child.pid}`, "the lock value names the master");
      assert.deepEqual(
        published.schedules.map((s: { name: string }) => s.name),
        ["hourly_report", "staging_cleanup", "overridden"],
      );
      const hourly = published.schedules[0];
      assert.equal(hourly.next, Math.ceil((Date.now() + 1) / 3_600_000) * 3_600_000, "next fire: the top of the next hour");
      assert.match(published.schedules[1].idle, /env \(staging\)/);

      const page = (await b.get("/schedules")).text;
      const row = (name: string) => new RegExp(`<tr><td>${name}</td><td><span class="source (\\w+)">[\\s\\S]*?</tr>`).exec(page);
      assert.equal(row("hourly_report")?.[1], "file", "a file schedule, marked as from the file");
      assert.match(
        row("hourly_report")![0],
        /cron 0 \* \* \* \*[\s\S]*Report[\s\S]*reports[\s\S]*\[7\][\s\S]*the hourly report[\s\S]*\d{4}-\d\d-\d\dT\d\d:00:00Z/,
      );
      assert.match(row("staging_cleanup")![0], /not run: its env/);
      assert.match(row("overridden")![0], /replaced by the Redis schedule of this name/);
      assert.match(page, /<tr><td>overridden<\/td><td><span class="source redis">Redis<\/span>/, "the Redis one, marked as Redis");
      assert.match(page, new RegExp(`leading scheduler <code>${hostname()}:${child.pid}</code>`));

      // Run now on a file schedule queues it and says so.
      const run = await b.post("/schedules/file/hourly_report/run");
      assert.equal(run.location, "/schedules");
      assert.equal(notice((await b.get("/schedules")).text), "Queued Report (file schedule hourly_report) on queue reports now.");
      assert.equal(await resque.size("reports"), 1);

      // Processes: the scheduler, under its master, not counted as a worker process.
      const processes = await eventually(async () => {
        const text = (await b.get("/processes")).text;
        // Each process writes its record when it starts: wait for all three, not just the scheduler's.
        return /<tr class="proc-scheduler">/.test(text) && /1 master, 2 worker processes, 1 scheduler/.test(text) ? text : undefined;
      }, "the scheduler's and both worker processes' records");
      assert.match(processes, /1 master, 2 worker processes, 1 scheduler/);
      assert.match(processes, new RegExp(`scheduler <span class="kind">leading as <code>${hostname()}:${child.pid}</code>`));
      const tree = await resque.processTree();
      const master = tree.hosts.flatMap((h) => h.masters).find((m) => m.pid === child.pid)!;
      assert.equal(master.schedulers.length, 1);
      assert.equal(master.workers.length, 2);
    } finally {
      process.kill(child.pid!, "SIGQUIT");
      assert.equal(await exited(child), 0);
    }
    // A leader that stops takes its publication and record with it.
    assert.equal(await resque.db.redis.get(resque.db.keys.fileSchedules), null);
    assert.equal(await resque.db.redis.zcard(resque.db.keys.schedulers), 0);
  });
});
