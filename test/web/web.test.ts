// Issue 14: `resque web`, in process (the Hono app on this runtime's server) and as a CLI process (the binary too,
// with RESQUE_TEST_BINARY): every page and API route, security headers, CSRF, read-only, auth, base path, escaping.
import assert from "node:assert/strict";
import type { ChildProcess } from "node:child_process";
import process from "node:process";
import { after, describe, it } from "node:test";
import { freePort } from "../../scripts/lib/redis-server.ts";
import { useRedis } from "../support/fixture.ts";
import { useWebServers } from "../support/web-server.ts";
import { recordMetrics } from "../../src/store/metrics.ts";
import { entryToken } from "../../src/protocol/token.ts";
import { eventually, exited, runToEnd, spawnCli } from "../support/spawn-cli.ts";

const redis = useRedis();
type Resque = ReturnType<typeof redis.open>;

const XSS = ["<script>window.__xss=1</script>", '"onmouseover=alert(1)', "</textarea><img src=x onerror=window.__xss=1>"];

const serve = useWebServers();

/** Fetch without following redirects; the body read whole. */
async function get(url: string, init: RequestInit = {}): Promise<{ status: number; text: string; headers: Headers }> {
  const res = await fetch(url, { redirect: "manual", ...init });
  return { status: res.status, text: await res.text(), headers: res.headers };
}

const post = (url: string, fields: Record<string, string>, headers: Record<string, string> = {}) =>
  get(url, {
    method: "POST",
    body: new URLSearchParams(fields),
    headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
  });

const csrfOf = (page: string) => /name="_csrf" value="([0-9a-f]{64})"/.exec(page)?.[1] ?? /data-csrf="([0-9a-f]{64})"/.exec(page)![1]!;

function failure(queue: string, className: string, args: unknown[], error = "boom"): string {
  return JSON.stringify({
    failed_at: "2026/12/06 01:00:00 UTC",
    payload: { class: className, args },
    exception: "RuntimeError",
    error,
    backtrace: ["/app/jobs.rb:24:in `perform'", "/app/lib.rb:3"],
    worker: "host:1:q",
    queue,
  });
}

/** A queue of 45 jobs, three failures, a worker working a hostile job, a delayed job and a schedule. */
async function seed(resque: Resque): Promise<void> {
  const { redis: r, keys } = resque.db;
  for (let i = 0; i < 45; i++) await resque.enqueueTo("mail", "Mailer", i);
  await resque.enqueueTo("hostile", XSS[0]!, XSS[1], { note: XSS[2] });
  await r.rpush(keys.failed, failure("mail", "Mailer", [1]), failure("hostile", XSS[0]!, [XSS[1]], XSS[2]), failure("mail", "Other", [3]));
  const id = "web-host:4242:mail,hostile";
  await r.sadd(keys.workers, id);
  await r.set(
    keys.worker(id),
    JSON.stringify({
      queue: "hostile",
      run_at: new Date(Date.now() - 5000).toISOString().replace(/\.\d+Z$/, "Z"),
      payload: { class: XSS[0], args: [XSS[2]] },
    }),
  );
  await r.set(keys.workerStarted(id), "2026-12-06 01:00:00 +0000");
  await r.hset(keys.heartbeats, id, new Date().toISOString());
  await resque.enqueueAtWithQueue("later", Math.floor(Date.now() / 1000) + 3600, "Later", 7);
  await resque.setSchedule("nightly", { cron: "0 3 * * *", class: "Nightly", queue: "nightly", persist: true });
}

/** A resque-ts worker process as Redis shows it: registered, one job in its in-flight list, a process record. */
async function fakeOurWorker(resque: Resque): Promise<{ id: string; token: string }> {
  const { redis: r, keys } = resque.db;
  const id = "ours-host:77:jobs";
  const entry = JSON.stringify({
    queue: "jobs",
    run_at: new Date(Date.now() - 3000).toISOString().replace(/\.\d+Z$/, "Z"),
    payload: { class: "Long", args: [1] },
  });
  await r.sadd(keys.workers, id);
  await r.set(keys.worker(id), entry);
  await r.rpush(keys.inflight(id), entry);
  await r.set(
    keys.process(id),
    JSON.stringify({
      role: "worker",
      host: "ours-host",
      pid: 77,
      ppid: 1,
      rss: 50_000_000,
      started: Date.now() - 60_000,
      queues: ["jobs"],
      running: [],
      supervised: false,
    }),
  );
  return { id, token: entryToken(entry) };
}

/** The text exposition's rules: every family has HELP and TYPE first, every sample line parses, label values escaped. */
function assertExposition(text: string): void {
  const described = new Map<string, { help: boolean; type?: string }>();
  const LABEL = String.raw`[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*"`;
  const sample = new RegExp(String.raw`^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:${LABEL})(?:,${LABEL})*\})? (-?[0-9.e+]+|NaN|\+Inf|-Inf)$`);
  for (const line of text.split("\n")) {
    if (line === "") continue;
    const meta = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/.exec(line);
    if (meta) {
      const entry = described.get(meta[2]!) ?? { help: false };
      if (meta[1] === "HELP") entry.help = true;
      else entry.type = meta[3];
      described.set(meta[2]!, entry);
      continue;
    }
    const m = sample.exec(line);
    assert.ok(m, `not a valid sample line: ${JSON.stringify(line)}`);
    const family = [...described.keys()].find(
      (name) =>
        m[1] === name ||
        (described.get(name)!.type === "histogram" && /^_(bucket|sum|count)$/.test(m[1]!.slice(name.length)) && m[1]!.startsWith(name)),
    );
    assert.ok(family, `${m[1]} has no HELP/TYPE before it`);
    assert.ok(described.get(family)!.help && described.get(family)!.type, `${family}: HELP and TYPE`);
  }
}

const PAGES = [
  "/overview",
  "/working",
  "/failed",
  "/failed?class=Mailer",
  "/queues",
  "/queues/mail",
  "/queues/hostile",
  "/workers",
  `/workers/${encodeURIComponent("web-host:4242:mail,hostile")}`,
  "/stats",
  "/stats/redis",
  "/stats/keys",
  "/delayed",
  "/schedules",
  "/graphs",
  "/processes",
];

describe("resque web (in process)", () => {
  it("serves every page and API route with the data, and strict security headers", async () => {
    const resque = redis.open("web-pages");
    await seed(resque);
    const { base } = await serve(resque);
    const root = await get(`${base}/`);
    assert.equal(root.status, 302);
    assert.equal(root.headers.get("location"), "/overview");
    for (const path of PAGES) {
      const page = await get(`${base}${path}`);
      assert.equal(page.status, 200, path);
      assert.match(page.text, /<nav>/, path);
      const csp = page.headers.get("content-security-policy") ?? "";
      assert.match(csp, /script-src 'self'/, path);
      assert.match(csp, /frame-ancestors 'none'/, path);
      assert.doesNotMatch(csp, /unsafe-inline/, path);
      assert.equal(page.headers.get("x-frame-options"), "DENY");
      assert.equal(page.headers.get("x-content-type-options"), "nosniff");
      assert.ok(page.headers.get("referrer-policy"));
      // No inline script or style anywhere.
      assert.doesNotMatch(page.text, /<script>|<script [^>]*>[^<]|<style|style="/, path);
    }
    const overview = (await get(`${base}/overview`)).text;
    assert.match(overview, /href="\/queues\/mail">mail<\/a><\/td><td class="num" data-live-queue="mail">45</);
    assert.match(overview, /web-host:4242/);
    const failed = (await get(`${base}/failed`)).text;
    assert.match(failed, /Other/);
    assert.match(failed, /backtrace \(2 lines\)/);
    const filtered = (await get(`${base}/failed?class=Mailer`)).text;
    assert.match(filtered, /searched indexes 2 down to 0 and found 1/);
    assert.doesNotMatch(filtered, /<code>Other<\/code>/);
    const worker = (await get(`${base}/workers/${encodeURIComponent("web-host:4242:mail,hostile")}`)).text;
    assert.match(worker, /<th>Pid<\/th><td>4242<\/td>/);
    assert.match(worker, /Running for/);
    assert.match((await get(`${base}/stats/keys`)).text, /<code>queue:mail<\/code><\/td><td>list<\/td><td class="num">45</);
    assert.match((await get(`${base}/delayed`)).text, /<td class="num">1<\/td>/);
    assert.match((await get(`${base}/schedules`)).text, /cron 0 3 \* \* \*/);
    const processes = (await get(`${base}/processes`)).text;
    assert.match(processes, /Stock Ruby workers and others without a process record/);
    assert.match(processes, /web-host:4242/);
    const queuesPage = (await get(`${base}/queues`)).text;
    assert.match(queuesPage, /Oldest job/);
    assert.match(
      queuesPage,
      /<td class="num latency" title="At least this old[^"]*">≥ \d+s<\/td>/,
      "first-seen ages are marked as lower bounds",
    );
    assert.match(overview, /Oldest job/);
    assert.match((await get(`${base}/working`)).text, /no Kill: stock worker/);
    assert.doesNotMatch((await get(`${base}/graphs`)).text, /data-placeholder/);

    const api = async (path: string) => {
      const res = await get(`${base}/api${path}`);
      assert.equal(res.status, 200, path);
      assert.match(res.headers.get("content-type") ?? "", /application\/json/);
      return JSON.parse(res.text);
    };
    const mail = (await api("/queues")).find((q: { name: string }) => q.name === "mail");
    assert.deepEqual(
      { ...mail, oldestAgeSeconds: typeof mail.oldestAgeSeconds },
      { name: "mail", size: 45, oldestAgeSeconds: "number", oldestAgeSource: "first-seen" },
    );
    assert.equal((await api("/queues/mail?start=40")).jobs.length, 5);
    assert.equal((await api("/workers"))[0].pid, 4242);
    assert.equal((await api("/working")).length, 1);
    assert.equal((await api("/workers/web-host%3A4242%3Amail%2Chostile")).state, "working");
    assert.equal((await api("/failed")).total, 3);
    assert.equal((await api("/failed/1")).queue, "hostile");
    assert.equal((await api("/overview")).stats.pending, 46);
    assert.equal((await api("/stats")).failed, 3);
    assert.ok((await api("/stats/redis"))["redis_version"]);
    assert.ok((await api("/stats/keys")).keys.length > 0);
    assert.equal((await api("/delayed")).times[0].jobs, 1);
    const ts = (await api("/delayed")).times[0].timestamp;
    assert.equal((await api(`/delayed/${ts}`)).items[0].class, "Later");
    assert.equal((await api("/schedules"))[0].name, "nightly");
    await eventually(async () => (await api("/history?range=60")).points.length >= 1, "a history point");
    assert.deepEqual((await api("/classes")).classes, []);
    assert.deepEqual(
      (await api("/processes")).orphans.map((o: { workerId: string }) => o.workerId),
      ["web-host:4242:mail,hostile"],
    );
    assert.equal((await api("/working"))[0].killable, false);
    assert.equal((await get(`${base}/api/nope`)).status, 404);
    assert.match((await get(`${base}/assets/app.js`)).headers.get("content-type") ?? "", /javascript/);
    assert.match((await get(`${base}/assets/uPlot.iife.min.js`)).text, /uPlot/);
  });

  it("/api answers in the CLI's --json shapes", async () => {
    const resque = redis.open("web-shapes");
    await seed(resque);
    const { base } = await serve(resque);
    const env = { REDIS_URL: redis.server().url, RESQUE_NAMESPACE: resque.db.keys.namespace };
    // Ages grow between the two reads; the rest must be equal.
    const withoutAge = (v: unknown) => (Array.isArray(v) ? v.map(({ oldestAgeSeconds: _a, ...rest }) => rest) : v);
    for (const [args, path] of [
      [["queues"], "/queues"],
      [["workers"], "/workers"],
      [["schedule", "list"], "/schedules"],
      [["stats"], "/stats"],
    ] as const) {
      const cli = await runToEnd([...args, "--json"], env);
      assert.equal(cli.code, 0, cli.err);
      assert.deepEqual(withoutAge(JSON.parse((await get(`${base}/api${path}`)).text)), withoutAge(JSON.parse(cli.out)), path);
    }
    const delayed = await runToEnd(["delayed", "list", "--json"], env);
    assert.deepEqual(JSON.parse((await get(`${base}/api/delayed`)).text).times, JSON.parse(delayed.out));
    const ts = JSON.parse(delayed.out)[0].timestamp;
    const show = await runToEnd(["delayed", "show", String(ts), "--json"], env);
    assert.deepEqual(JSON.parse((await get(`${base}/api/delayed/${ts}`)).text), JSON.parse(show.out));
    const failed = await runToEnd(["failed", "list", "--json"], env);
    assert.deepEqual(
      JSON.parse((await get(`${base}/api/failed`)).text).items.reverse(),
      JSON.parse(failed.out),
      "the same records, newest first",
    );
  });

  it("/metrics: Prometheus text with resque_* names", async () => {
    const resque = redis.open("web-prom");
    await seed(resque);
    await resque.db.redis.set(resque.db.keys.processed, "12");
    const { base } = await serve(resque);
    const res = await get(`${base}/metrics`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type") ?? "", /text\/plain/);
    assert.match(res.text, /^resque_queue_jobs\{queue="mail"\} 45$/m);
    assert.match(res.text, /^# TYPE resque_jobs_processed_total counter$/m);
    assert.match(res.text, /^resque_jobs_processed_total 12$/m);
    assert.match(res.text, /^resque_jobs_failed_total 0$/m);
    assert.match(res.text, /^resque_workers\{state="working"\} 1$/m);
    assert.match(res.text, /^resque_failed_jobs 3$/m);
    assert.match(res.text, /^resque_delayed_jobs 1$/m);
  });

  it("/metrics: per-class runs, failures and duration histograms, oldest-job age; valid exposition with hostile class names", async () => {
    const resque = redis.open("web-prom-classes");
    await seed(resque);
    const evil = 'Evil"} 1\nresque_pwned 1 \\';
    await recordMetrics(
      resque.db,
      new Map([
        [
          "Mailer",
          {
            runs: 3,
            failures: 1,
            totalMs: 1200,
            buckets: new Map([
              [5, 1],
              [9, 2],
            ]),
          },
        ],
        [evil, { runs: 1, failures: 0, totalMs: 7, buckets: new Map([[3, 1]]) }],
        [XSS[0]!, { runs: 2, failures: 2, totalMs: 40, buckets: new Map([[4, 2]]) }],
        ["Tiny", { runs: 4, failures: 0, totalMs: 1, buckets: new Map([[0, 4]]) }],
      ]),
      Date.now(),
    );
    const { base } = await serve(resque);
    const text = (await get(`${base}/metrics`)).text;
    assertExposition(text);
    assert.match(text, /^resque_queue_jobs\{queue="mail"\} 45$/m, "the existing series stay");
    assert.match(text, /^resque_queue_oldest_job_age_seconds\{queue="mail"\} \d+(\.\d+)?$/m);
    assert.match(text, /^resque_job_runs_total\{class="Mailer"\} 3$/m);
    assert.match(text, /^resque_job_failures_total\{class="Mailer"\} 1$/m);
    assert.match(text, /^resque_job_duration_seconds_bucket\{class="Mailer",le="0\.05"\} 1$/m);
    assert.match(text, /^resque_job_duration_seconds_bucket\{class="Mailer",le="\+Inf"\} 3$/m);
    assert.match(text, /^resque_job_duration_seconds_sum\{class="Mailer"\} 1\.2$/m);
    assert.match(text, /^resque_job_duration_seconds_count\{class="Mailer"\} 3$/m);
    assert.doesNotMatch(text, /^resque_pwned/m, "a class name cannot start a line of its own");
    assert.ok(text.includes('resque_job_runs_total{class="Evil\\"} 1\\nresque_pwned 1 \\\\"} 1'), "quote, newline and backslash escaped");
    // The Metrics page and /api/classes show the same classes, hostile names as text.
    const page = (await get(`${base}/graphs?range=3600`)).text;
    assert.match(page, /<code>Mailer<\/code><\/a><\/td>\n<td class="num">3<\/td><td class="num">1<\/td><td class="num">33\.3%<\/td>/);
    // All under the first bucket's 1 ms: a percentile says no more than that.
    assert.match(
      page,
      /<code>Tiny<\/code><\/a><\/td>\n<td class="num">4<\/td><td class="num">0<\/td><td class="num">0\.0%<\/td>\n<td class="num">0\.3 ms<\/td><td class="num">&lt; 1 ms<\/td><td class="num">&lt; 1 ms<\/td>/,
    );
    assert.ok(!page.includes(XSS[0]!), "the hostile class name is escaped");
    assert.ok(page.includes("&lt;script&gt;window.__xss=1&lt;/script&gt;"));
    const classes = JSON.parse((await get(`${base}/api/classes?minutes=60`)).text).classes;
    assert.deepEqual(classes.map((c: { className: string }) => c.className).sort(), ["Mailer", XSS[0], evil, "Tiny"].sort());
    const one = JSON.parse((await get(`${base}/api/classes?minutes=5&class=Mailer`)).text);
    assert.equal(one.points.length, 5);
    assert.equal(one.points.at(-1).runs, 3);
    assert.match((await get(`${base}/graphs?range=3600&class=Mailer`)).text, /id="class-graph" data-graph="class"/);
  });

  it("kill: a POST with the CSRF token asks our worker process; stock workers and finished jobs are refused with the reason", async () => {
    const resque = redis.open("web-kill");
    await seed(resque);
    const { id, token } = await fakeOurWorker(resque);
    const { base, web } = await serve(resque);
    const working = (await get(`${base}/working`)).text;
    assert.match(working, /action="\/workers\/ours-host%3A77%3Ajobs\/kill"/);
    assert.match(working, /no Kill: stock worker/);
    const workerPage = (await get(`${base}/workers/${encodeURIComponent(id)}`)).text;
    assert.match(workerPage, /Jobs in flight <small>1<\/small>/);
    assert.match(workerPage, /<button type="submit" class="danger">Kill<\/button>/);
    assert.match((await get(`${base}/workers`)).text, /\/kill"/);
    const path = `${base}/workers/${encodeURIComponent(id)}/kill`;
    assert.equal((await post(path, { token })).status, 403, "no CSRF token");
    assert.equal(await resque.db.redis.exists(resque.db.keys.kill(id)), 0);
    const unknown = await post(`${base}/workers/${encodeURIComponent("gone:1:q")}/kill`, { token, _csrf: web.ctx.csrf });
    assert.equal(unknown.status, 404);
    assert.match(unknown.text, /No worker gone:1:q is registered; it may have exited/);
    const stock = await post(`${base}/workers/${encodeURIComponent("web-host:4242:mail,hostile")}/kill`, { _csrf: web.ctx.csrf });
    assert.equal(stock.status, 404);
    assert.match(stock.text, /not a resque-ts worker process/);
    const finished = await post(path, { token: "nosuch", _csrf: web.ctx.csrf });
    assert.equal(finished.status, 409);
    assert.match(finished.text, /is not running job nosuch; it may have finished/);
    const ok = await post(path, { token, back: "/working", _csrf: web.ctx.csrf });
    assert.equal(ok.status, 303);
    assert.equal(ok.headers.get("location"), "/working?kill=asked");
    assert.deepEqual(await resque.db.redis.smembers(resque.db.keys.kill(id)), [token]);
    assert.match((await get(`${base}${ok.headers.get("location")}`)).text, /Kill requested/);
    const away = await post(path, { token, back: "https://evil.example/", _csrf: web.ctx.csrf });
    assert.equal(away.headers.get("location"), "/working?kill=asked", "never an open redirect");
    const api = await get(`${base}/api/workers/${encodeURIComponent(id)}/kill`, {
      method: "POST",
      headers: { "x-csrf-token": web.ctx.csrf, "content-type": "application/json" },
      body: JSON.stringify({ token }),
    });
    assert.equal(api.status, 202);
    assert.deepEqual(JSON.parse(api.text), { workerId: id, tokens: [token] });
    const apiNo = await get(`${base}/api/workers/nohost%3A1%3Aq/kill`, { method: "POST", headers: { "x-csrf-token": web.ctx.csrf } });
    assert.equal(apiNo.status, 404);
    assert.equal(JSON.parse(apiNo.text).code, "NO_WORKER");
    const inflight = (JSON.parse((await get(`${base}/api/working`)).text) as { worker: string; token: string; killable: boolean }[]).find(
      (j) => j.worker === id,
    )!;
    assert.deepEqual([inflight.token, inflight.killable], [token, true]);
  });

  it("history is kept in Redis: a restarted dashboard shows the points from before", async () => {
    const resque = redis.open("web-history");
    const first = await serve(resque);
    const before = await eventually(async () => {
      const h = JSON.parse((await get(`${first.base}/api/history?range=3600`)).text);
      return h.points.length >= 2 && h;
    }, "two history points");
    assert.equal(before.resolutionSeconds, 1);
    first.web.close();
    const restartedAt = Date.now();
    const second = await serve(resque, { sampleIntervalMs: 60_000 });
    const after = JSON.parse((await get(`${second.base}/api/history?range=3600`)).text);
    assert.ok(after.points.filter((p: { t: number }) => p.t < restartedAt).length >= 2, "the points sampled before the restart");
    assert.ok((await resque.db.redis.llen(resque.db.keys.historySeconds)) >= 3);
    const week = JSON.parse((await get(`${second.base}/api/history?range=604800`)).text);
    assert.equal(week.resolutionSeconds, 60);
    assert.match((await get(`${second.base}/graphs?range=604800`)).text, /one point per minute/);
  });

  it("state changes: POST with the CSRF token only, same origin only; a GET changes nothing", async () => {
    const resque = redis.open("web-csrf");
    await seed(resque);
    const { base } = await serve(resque);
    const page = (await get(`${base}/failed`)).text;
    const token = csrfOf(page);
    const failedAt = "2026/12/06 01:00:00 UTC";
    assert.equal((await get(`${base}/failed/0/retry`)).status, 404, "no GET route for an action");
    assert.equal((await post(`${base}/failed/0/retry`, { failed_at: failedAt })).status, 403, "no token");
    assert.equal((await post(`${base}/failed/0/retry`, { failed_at: failedAt, _csrf: "0".repeat(64) })).status, 403, "wrong token");
    assert.equal(
      (await post(`${base}/failed/0/retry`, { failed_at: failedAt, _csrf: token }, { origin: "http://evil.example" })).status,
      403,
      "other origin",
    );
    assert.equal((await resque.failed.get(0))!.retriedAt, undefined);
    assert.equal(await resque.size("mail"), 45);
    const ok = await post(`${base}/failed/0/retry`, { failed_at: failedAt, _csrf: token }, { origin: new URL(base).origin });
    assert.equal(ok.status, 303);
    assert.ok((await resque.failed.get(0))!.retriedAt);
    assert.equal(await resque.size("mail"), 46, "the job is back in its queue");
    assert.equal(
      (await post(`${base}/failed/2/remove`, { failed_at: "another time", _csrf: token })).status,
      409,
      "a record that changed is left alone",
    );
    assert.equal((await post(`${base}/failed/2/remove`, { failed_at: failedAt, _csrf: token })).status, 303);
    assert.equal(await resque.failed.count(), 2);
    assert.equal((await post(`${base}/queues/mail/clear`, {}, { "x-csrf-token": token })).status, 303);
    assert.equal(await resque.size("mail"), 0);
    assert.ok((await resque.queues()).includes("mail"), "clear keeps the queue listed");
    assert.equal((await post(`${base}/queues/mail/delete`, { _csrf: token })).status, 303);
    assert.ok(!(await resque.queues()).includes("mail"));
    const ts = (await resque.delayedQueuePeek(0, 1))[0]!;
    const item = /name="item" value="([^"]*)"/.exec((await get(`${base}/delayed/${ts}`)).text)![1]!.replaceAll("&quot;", '"');
    assert.equal((await post(`${base}/delayed/${ts}/enqueue-now`, { item, _csrf: token })).status, 303);
    assert.equal(await resque.size("later"), 1);
    assert.equal(await resque.delayedQueueScheduleSize(), 0);
    await resque.enqueueAtWithQueue("later", ts, "Later", 8);
    const other = /name="item" value="([^"]*)"/.exec((await get(`${base}/delayed/${ts}`)).text)![1]!.replaceAll("&quot;", '"');
    assert.equal((await post(`${base}/delayed/${ts}/remove`, { item: other, _csrf: token })).status, 303);
    assert.equal(await resque.delayedTimestampSize(ts), 0);
    assert.equal(await resque.size("later"), 1, "removed, not enqueued");
    assert.equal((await post(`${base}/schedules/nightly/run`, { _csrf: token })).status, 303);
    assert.equal(await resque.size("nightly"), 1);
    assert.equal((await post(`${base}/schedules/nightly/remove`, { _csrf: token })).status, 303);
    assert.deepEqual(await resque.schedules(), {});
    assert.equal((await post(`${base}/failed/clear`, { _csrf: token })).status, 303);
    assert.equal(await resque.failed.count(), 0);
  });

  it("--read-only hides every action and refuses every POST", async () => {
    const resque = redis.open("web-ro");
    await seed(resque);
    const { base, web } = await serve(resque, { readOnly: true });
    for (const path of PAGES) {
      const page = (await get(`${base}${path}`)).text;
      assert.doesNotMatch(page, /<form[^>]*method="post"/, path);
    }
    const res = await post(`${base}/failed/0/retry`, { failed_at: "2026/12/06 01:00:00 UTC", _csrf: web.ctx.csrf });
    assert.equal(res.status, 403);
    assert.match(res.text, /read-only/);
    const { id, token } = await fakeOurWorker(resque);
    const working = (await get(`${base}/working`)).text;
    assert.match(working, /ours-host:77/);
    assert.doesNotMatch(working, /Kill/, "no Kill button, and no stock-worker note either");
    const kill = await post(`${base}/workers/${encodeURIComponent(id)}/kill`, { token, _csrf: web.ctx.csrf });
    assert.equal(kill.status, 403);
    assert.equal(await resque.db.redis.exists(resque.db.keys.kill(id)), 0);
    assert.equal((await resque.failed.get(0))!.retriedAt, undefined);
  });

  it("Basic auth and token auth", async () => {
    const resque = redis.open("web-auth");
    const { base } = await serve(resque, { auth: { basic: "admin:s3cret" } });
    const none = await get(`${base}/overview`);
    assert.equal(none.status, 401);
    assert.match(none.headers.get("www-authenticate") ?? "", /Basic/);
    assert.equal((await get(`${base}/overview`, { headers: { authorization: `Basic ${btoa("admin:wrong")}` } })).status, 401);
    assert.equal((await get(`${base}/overview`, { headers: { authorization: `Basic ${btoa("admin:s3cret")}` } })).status, 200);
    assert.equal((await get(`${base}/metrics`)).status, 401, "the scrape endpoint too");

    const token = "t0ken-t0ken-t0ken-t0ken";
    const { base: tb } = await serve(resque, { auth: { token } });
    assert.equal((await get(`${tb}/api/queues`)).status, 401);
    assert.equal((await get(`${tb}/api/queues`, { headers: { authorization: `Bearer ${token}` } })).status, 200);
    const viaQuery = await get(`${tb}/overview?token=${token}`);
    assert.equal(viaQuery.status, 200);
    const cookie = (viaQuery.headers.get("set-cookie") ?? "").split(";")[0]!;
    assert.match(viaQuery.headers.get("set-cookie") ?? "", /HttpOnly/i);
    assert.equal((await get(`${tb}/failed`, { headers: { cookie } })).status, 200, "the cookie carries the token to the next page");
  });

  it("--base-path: every link, form, asset and API URL is under it", async () => {
    const resque = redis.open("web-base");
    await seed(resque);
    const { base } = await serve(resque, { basePath: "/ops/resque/" });
    assert.ok(base.endsWith("/ops/resque"));
    const origin = new URL(base).origin;
    assert.equal((await get(`${origin}/overview`)).status, 404);
    assert.equal((await get(`${base}/`)).headers.get("location"), "/ops/resque/overview");
    for (const path of PAGES) {
      const page = (await get(`${base}${path}`)).text;
      const urls = [...page.matchAll(/(?:href|src|action|data-stream|data-history)="([^"]*)"/g)]
        .map((m) => m[1]!)
        .filter((u) => !u.startsWith("data:"));
      assert.ok(urls.length > 5, path);
      for (const u of urls) assert.ok(u.startsWith("/ops/resque/"), `${path}: ${u}`);
      for (const u of urls.filter((x) => x.includes("/assets/") || x.includes("/api/")))
        assert.equal((await get(`${origin}${u.replaceAll("&amp;", "&")}`)).status, 200, u);
    }
    assert.match((await get(`${base}/queues/mail?start=20`)).text, /href="\/ops\/resque\/queues\/mail\?start=40" rel="next"/);
  });

  it("pages a long queue with LRANGE, 20 at a time", async () => {
    const resque = redis.open("web-paging");
    await seed(resque);
    const { base } = await serve(resque);
    const page = (await get(`${base}/queues/mail?start=20`)).text;
    const rows = [...page.matchAll(/<tr><td class="num">(\d+)<\/td><td><code>Mailer<\/code><\/td><td><code class="args">\[(\d+)\]/g)];
    assert.deepEqual(
      rows.map((m) => Number(m[1])),
      Array.from({ length: 20 }, (_, i) => 20 + i),
    );
    assert.deepEqual(
      rows.map((m) => Number(m[2])),
      Array.from({ length: 20 }, (_, i) => 20 + i),
    );
    assert.match(page, /21–40 of 45/);
    assert.match(page, /start=40" rel="next"/);
    assert.match(page, /start=0">« first/);
    const last = (await get(`${base}/queues/mail?start=40`)).text;
    assert.match(last, /41–45 of 45/);
    assert.doesNotMatch(last, /rel="next"/);
  });

  it("filters a long failed list in bounded windows and says where it stopped", async () => {
    const resque = redis.open("web-scan");
    const batch = resque.db.redis.pipeline();
    for (let i = 0; i < 6000; i++) batch.rpush(resque.db.keys.failed, failure("mail", i === 10 ? "Rare" : "Common", [i]));
    await batch.exec();
    const { base } = await serve(resque);
    const first = (await get(`${base}/failed?class=Rare`)).text;
    assert.match(first, /searched indexes 5999 down to 1000 and found 0/);
    assert.match(first, /<a rel="next" href="\/failed\?class=Rare&amp;scan=999">Search older failures from index 999/);
    const older = (await get(`${base}/failed?class=Rare&scan=999`)).text;
    assert.match(older, /searched indexes 999 down to 0 and found 1/);
    assert.match(older, /That reached the oldest failure/);
    assert.match(older, /id="failure-10"/);
    const api = JSON.parse((await get(`${base}/api/failed?class=Rare`)).text);
    assert.deepEqual(api.scanned, { from: 5999, to: 1000, next: 999 });
    assert.equal((await get(`${base}/failed?start=5980`)).text.match(/<tr id="failure-/g)?.length, 20);
  });

  it("hostile job data is escaped in the HTML source on every page", async () => {
    const resque = redis.open("web-xss");
    await seed(resque);
    const { base } = await serve(resque);
    for (const path of [
      "/overview",
      "/working",
      "/failed",
      "/queues/hostile",
      "/workers",
      `/workers/${encodeURIComponent("web-host:4242:mail,hostile")}`,
    ]) {
      const page = (await get(`${base}${path}`)).text;
      assert.doesNotMatch(page, /<script>window|<img src=x|<\/textarea>/, path);
      assert.doesNotMatch(page, /[^;]"onmouseover/, path);
      assert.match(page, /&lt;script&gt;window.__xss=1&lt;\/script&gt;/, path);
    }
    assert.match((await get(`${base}/failed`)).text, /&lt;\/textarea&gt;&lt;img src=x onerror=window.__xss=1&gt;/);
    assert.match((await get(`${base}/queues/hostile`)).text, /\\&quot;onmouseover=alert\(1\)/);
  });

  it("/stream sends samples as server-sent events", async () => {
    const resque = redis.open("web-sse");
    await resque.enqueueTo("q", "A");
    const { base } = await serve(resque);
    const controller = new AbortController();
    const res = await fetch(`${base}/stream`, { signal: controller.signal });
    assert.match(res.headers.get("content-type") ?? "", /text\/event-stream/);
    const reader = res.body!.getReader();
    let text = "";
    while (!/event: sample\ndata: .*\n\n[\s\S]*event: sample\ndata: /.test(text))
      text += new TextDecoder().decode((await reader.read()).value);
    controller.abort();
    const sample = JSON.parse(/data: (.*)\n/.exec(text)![1]!);
    assert.equal(sample.pending, 1);
    assert.deepEqual(sample.queues, { q: 1 });
  });
});

describe("resque web (the command)", () => {
  const children: ChildProcess[] = [];
  after(() => {
    for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
  });

  async function start(resque: Resque, args: string[]): Promise<{ base: string; child: ChildProcess; output: () => string }> {
    const port = await freePort();
    const child = spawnCli(["web", "--port", String(port), ...args], {
      REDIS_URL: redis.server().url,
      RESQUE_NAMESPACE: resque.db.keys.namespace,
    });
    children.push(child);
    let output = "";
    child.stdout?.on("data", (d) => (output += d));
    child.stderr?.on("data", (d) => (output += d));
    const base = `http://127.0.0.1:${port}`;
    await eventually(
      async () => {
        if (child.exitCode !== null) throw new Error(`resque web exited ${child.exitCode}: ${output}`);
        return output.includes("Dashboard at");
      },
      "the dashboard to listen",
      2400,
    );
    return { base, child, output: () => output };
  }

  it("serves the pages and stops cleanly on SIGTERM", async () => {
    const resque = redis.open("web-cli");
    await seed(resque);
    const { base, child, output } = await start(resque, []);
    assert.match(output(), /Dashboard at http:\/\/127\.0\.0\.1:\d+\/ \(namespace \S*web-cli/);
    for (const path of PAGES) assert.equal((await get(`${base}${path}`)).status, 200, path);
    const mail = JSON.parse((await get(`${base}/api/queues`)).text).find((q: { name: string }) => q.name === "mail");
    assert.deepEqual([mail.size, mail.oldestAgeSource], [45, "first-seen"]);
    assert.match((await get(`${base}/assets/uPlot.min.css`)).text, /\.uplot/, "assets are embedded (the binary has no files)");
    assert.match((await get(`${base}/metrics`)).text, /resque_queue_jobs\{queue="mail"\} 45/);
    process.kill(child.pid!, "SIGTERM");
    assert.equal(await exited(child), 0, output());
  });

  it("--auth, --read-only and --base-path from the command line", async () => {
    const resque = redis.open("web-cli-flags");
    await seed(resque);
    const { base, child } = await start(resque, ["--auth", "admin:s3cret-0123456789ab", "--read-only", "--base-path", "/resque"]);
    assert.equal((await get(`${base}/resque/overview`)).status, 401);
    const auth = { authorization: `Basic ${btoa("admin:s3cret-0123456789ab")}` };
    const page = await get(`${base}/resque/failed`, { headers: auth });
    assert.equal(page.status, 200);
    assert.match(page.text, /href="\/resque\/queues"/);
    assert.doesNotMatch(page.text, /method="post"/);
    assert.equal((await post(`${base}/resque/failed/clear`, { _csrf: csrfOf(page.text) }, auth)).status, 403);
    assert.equal(await resque.failed.count(), 3);
    process.kill(child.pid!, "SIGTERM");
    await exited(child);
  });

  it("refuses a non-loopback address without --auth or --token, and bad flags, saying what to pass", async () => {
    const resque = redis.open("web-cli-refuse");
    const env = { REDIS_URL: redis.server().url, RESQUE_NAMESPACE: resque.db.keys.namespace };
    const open = await runToEnd(["web", "--host", "0.0.0.0", "--port", "0"], env);
    assert.equal(open.code, 1);
    assert.match(open.err + open.out, /Refusing to serve the dashboard on 0\.0\.0\.0 without authentication/);
    assert.match(open.err + open.out, /--auth user:password or --token TOKEN/);
    for (const [args, message] of [
      [["--port", "http"], /--port wants a TCP port/],
      [["--port", "70000"], /--port wants a TCP port/],
      [["--auth", "nocolon"], /--auth wants user:password/],
      [["--token", "short"], /--token wants at least 16 characters/],
      [["--prot", "1"], /Unknown option --prot; did you mean --port\?/],
      [["--base-path", "/a b"], /--base-path wants a URL path/],
    ] as const) {
      const run = await runToEnd(["web", ...args], env);
      assert.equal(run.code, 1, args.join(" "));
      assert.match(run.err + run.out, message, args.join(" "));
    }
  });
});
