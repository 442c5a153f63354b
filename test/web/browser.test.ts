/// <reference lib="dom" />
// Issue 14: the dashboard in a real browser (Debian's chromium through puppeteer-core), with our workers and, when
// the gem is installed, a stock Ruby Resque worker running jobs: no console errors or CSP violations on any page,
// the live graph moves, retry works from the Failed page, hostile job data stays text. Node only.
import assert from "node:assert/strict";
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync } from "node:fs";
import process from "node:process";
import { after, describe, it } from "node:test";
import { createWebApp, type WebApp } from "../../src/web/app.ts";
import { httpFor, type HttpServer } from "../../src/runtime/http.ts";
import { DIRTY_EXIT, KILLED_MESSAGE } from "../../src/protocol/failure.ts";
import { browserSkip, CHROMIUM } from "../support/browser.ts";
import { useRedis } from "../support/fixture.ts";
import { eventually, spawnWork } from "../support/spawn-cli.ts";

const root = new URL("../../", import.meta.url).pathname;
const skip = browserSkip("web-browser");
const ruby = !skip && spawnSync("ruby", ["-e", 'require "resque"'], { stdio: "ignore" }).status === 0;

const redis = useRedis();
const XSS = ["<script>window.__xss=1</script>", '"onmouseover=alert(1)', "</textarea><img src=x onerror=window.__xss=1>"];

const children: ChildProcess[] = [];
let web: WebApp | undefined;
let server: HttpServer | undefined;
let browser: { close(): Promise<void> } | undefined;
let stopFeeding = false;
after(async () => {
  stopFeeding = true;
  for (const child of children) {
    try {
      if (child.exitCode === null && child.pid) process.kill(child.pid, "SIGKILL");
    } catch {
      // gone already (the fixture kills what spawnWork started)
    }
  }
  await browser?.close();
  web?.close();
  await server?.close();
});

// A stock Ruby worker: a job class of its own that takes a moment, on the queue "ruby".
const RUBY_WORKER = `
  require "resque"
  Resque.redis = ENV.fetch("REDIS_URL")
  Resque.redis.namespace = ENV.fetch("RESQUE_NAMESPACE")
  class RubySlow
    @queue = :ruby
    def self.perform(n) = sleep(0.05)
  end
  Resque::Worker.new("ruby").work(0.1)
  `;

describe("resque web in a browser", { skip }, () => {
  it("renders every page cleanly, moves the live graph, retries from the Failed page and keeps hostile data as text", {
    timeout: 180_000,
  }, async () => {
    const puppeteer = (await import("puppeteer-core")).default;
    const resque = redis.open("web-browser");
    const ns = resque.db.keys.namespace;
    const url = redis.server().url;
    web = createWebApp({ resque, sampleIntervalMs: 250 });
    server = await (await httpFor("node"))({ fetch: web.fetch, hostname: "127.0.0.1", port: 0 });
    const base = `http://127.0.0.1:${server.port}`;

    // Our worker (the fixtures' jobs); an unknown class fails, so hostile jobs land in the failed list.
    children.push(spawnWork({ url, namespace: ns, reportKey: "browser:report", queue: "jobs,hostile" }));
    // A master with one worker process running two held jobs at once, for the Kill button.
    const held = "browser:held";
    await resque.db.redis.set(`${held}:hold`, "1");
    await resque.enqueueTo("held", "Held", "long");
    await resque.enqueueTo("held", "Held", "sibling");
    children.push(
      spawnWork({
        url,
        namespace: ns,
        reportKey: held,
        queue: "held",
        env: { WORKER_COUNT: "1", THREAD_COUNT: "2", RESQUE_HEARTBEAT_INTERVAL: "1" },
      }),
    );
    if (ruby) {
      children.push(
        spawn("ruby", ["-e", RUBY_WORKER], {
          cwd: root,
          stdio: "ignore",
          env: { ...process.env, REDIS_URL: url, RESQUE_NAMESPACE: ns, QUEUE: "ruby" },
        }),
      );
    } else console.log("# web-browser: no stock Ruby worker (the resque gem is not installed)");
    await eventually(async () => (await resque.workers()).length >= (ruby ? 3 : 2), "the workers to register");
    const holder = await eventually(
      async () => (await resque.workers()).find((w) => w.running.length === 2 && w.running.every((j) => j.queue === "held")),
      "both held jobs running in one process",
    );
    await eventually(
      async () => (await resque.processTree()).hosts.some((h) => h.masters.some((m) => m.workers.some((w) => w.workerId === holder.id))),
      "the held worker's process record",
    );

    await resque.enqueueTo("hostile", XSS[0]!, XSS[1], { note: XSS[2] });
    // A copy no worker takes, for the queue page.
    await resque.enqueueTo("held-hostile", XSS[0]!, XSS[1], { note: XSS[2] });
    await resque.db.redis.rpush(
      resque.db.keys.failed,
      JSON.stringify({
        failed_at: "2026/12/06 01:00:00 UTC",
        payload: { class: "Parked", args: [1] },
        exception: "RuntimeError",
        error: "parked for the retry test",
        backtrace: ["/app/jobs.rb:24:in `perform'"],
        worker: "host:1:parked",
        queue: "parked",
      }),
    );
    await eventually(async () => (await resque.failed.count()) >= 2, "the hostile job to fail");
    // A hostile job shown as running (a registered worker's worker:<id>), for the Working tab.
    const fake = "xss-host:999:hostile";
    await resque.db.redis.sadd(resque.db.keys.workers, fake);
    await resque.db.redis.set(
      resque.db.keys.worker(fake),
      JSON.stringify({
        queue: "hostile",
        run_at: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
        payload: { class: XSS[0], args: [XSS[1], XSS[2]] },
      }),
    );
    for (let i = 0; i < 30; i++) await resque.enqueueTo("waiting", "Waiting", i);
    await resque.enqueueAtWithQueue("later", Math.floor(Date.now() / 1000) + 3600, "Later", 7);
    await resque.setSchedule("nightly", {
      cron: "0 3 * * *",
      class: "Nightly",
      queue: "nightly",
      persist: true,
      description: "the nightly report",
    });

    // Keep jobs flowing for both workers while the pages are looked at.
    const feed = (async () => {
      for (let i = 0; !stopFeeding; i++) {
        await resque.enqueueTo("jobs", "Quick", `q${i}`);
        if (ruby) await resque.enqueueTo("ruby", "RubySlow", i);
        await new Promise((r) => setTimeout(r, 40));
      }
    })();

    const b = await puppeteer.launch({ executablePath: CHROMIUM, headless: true, args: ["--no-sandbox"] });
    browser = b;
    const page = await b.newPage();
    await page.setViewport({ width: 1280, height: 900 });
    const problems: string[] = [];
    page.on("console", (m) => {
      if (m.type() === "error") problems.push(`console: ${m.text()} (${m.location().url ?? ""})`);
    });
    page.on("pageerror", (e) => problems.push(`pageerror: ${(e as Error).message}`));
    page.on("dialog", (d) => void d.accept());
    await page.evaluateOnNewDocument(() => {
      document.addEventListener("securitypolicyviolation", (e) => {
        const w = window as unknown as { __csp?: string[] };
        (w.__csp ??= []).push(`${e.violatedDirective} ${e.blockedURI}`);
      });
    });
    mkdirSync(`${root}test-artifacts`, { recursive: true });

    const pages: [string, string][] = [
      ["overview", "/overview"],
      ["working", "/working"],
      ["failed", "/failed"],
      ["queues", "/queues"],
      ["queue", "/queues/waiting?start=20"],
      ["queue-hostile", "/queues/held-hostile"],
      ["workers", "/workers"],
      ["worker", `/workers/${encodeURIComponent(fake)}`],
      ["stats", "/stats"],
      ["stats-redis", "/stats/redis"],
      ["stats-keys", "/stats/keys"],
      ["delayed", "/delayed"],
      ["schedules", "/schedules"],
      ["metrics", "/graphs"],
      ["processes", "/processes"],
    ];
    for (const [name, path] of pages) {
      await page.goto(`${base}${path}`, { waitUntil: "load" });
      if (name === "overview" || name === "metrics") await page.waitForSelector(".uplot", { timeout: 10_000 });
      await new Promise((r) => setTimeout(r, name === "metrics" ? 1500 : 300));
      const state = await page.evaluate(() => ({
        xss: (window as unknown as { __xss?: unknown }).__xss,
        csp: (window as unknown as { __csp?: string[] }).__csp ?? [],
      }));
      assert.equal(state.xss, undefined, `${name}: injected script ran`);
      assert.deepEqual(state.csp, [], `${name}: CSP violations`);
      await page.screenshot({ path: `${root}test-artifacts/web-${name}.png`, fullPage: true });
    }
    assert.deepEqual(problems, [], "console errors");

    // Hostile text appears as text, where it is shown.
    for (const path of ["/overview", "/working", "/failed", "/queues/held-hostile", "/graphs"]) {
      await page.goto(`${base}${path}`, { waitUntil: "load" });
      const text = await page.evaluate(() => document.body.innerText);
      assert.ok(text.includes(XSS[0]!), `${path} shows the class name as text`);
      assert.equal(await page.evaluate(() => document.querySelectorAll("main script, main img, [onmouseover], [onerror]").length), 0, path);
      assert.equal(await page.evaluate(() => (window as unknown as { __xss?: unknown }).__xss), undefined, path);
    }

    // The live graph and counter move while jobs run.
    await page.goto(`${base}/overview`, { waitUntil: "load" });
    await page.waitForSelector(".uplot");
    const read = () =>
      page.evaluate(() => ({
        points: Number(document.querySelector("#live-graph")!.getAttribute("data-points")),
        processed: Number(document.querySelector('[data-live="processed"]')!.textContent),
        queues: document.querySelector('[data-live="queues"]')!.textContent,
      }));
    const before = await read();
    await new Promise((r) => setTimeout(r, 2500));
    const later = await read();
    assert.ok(later.points > before.points, `graph points ${before.points} -> ${later.points}`);
    assert.match(later.queues ?? "", /^\d+$/, "the queue count stays a number");
    assert.ok(later.processed > before.processed, `processed ${before.processed} -> ${later.processed}`);
    await page.screenshot({ path: `${root}test-artifacts/web-overview.png`, fullPage: true });
    await page.goto(`${base}/graphs`, { waitUntil: "load" });
    await page.waitForSelector("#rate-graph .uplot");
    await new Promise((r) => setTimeout(r, 2500));
    await page.screenshot({ path: `${root}test-artifacts/web-metrics.png`, fullPage: true });
    // The per-class table lists our classes; hostile class names stay text there and in /metrics.
    const classes = await page.evaluate(() =>
      Array.from(document.querySelectorAll("table.classes tbody tr td:first-child")).map((td) => td.textContent),
    );
    assert.ok(classes.includes("Quick"), `per-class table: ${JSON.stringify(classes)}`);
    assert.ok(classes.includes(XSS[0]!), "the hostile class name shows as text in the per-class table");
    assert.equal(
      await page.evaluate(() => document.querySelectorAll("main script, main img, [onmouseover], [onerror]").length),
      0,
      "/graphs",
    );
    await page.goto(`${base}/graphs?range=900&class=Quick`, { waitUntil: "load" });
    await page.waitForSelector("#class-graph .uplot");
    await page.screenshot({ path: `${root}test-artifacts/web-metrics-class.png`, fullPage: true });
    const metricsText = await (await fetch(`${base}/metrics`)).text();
    assert.ok(metricsText.includes(`resque_job_runs_total{class="${XSS[0]}"}`), "hostile class in /metrics, as a label value");
    assert.match(metricsText, /^resque_job_duration_seconds_bucket\{class="Quick",le="\+Inf"\} \d+$/m);

    // The Processes page: a master with its RSS, its worker process and the held jobs in it.
    await page.goto(`${base}/processes`, { waitUntil: "load" });
    const masterRow = await page.evaluate(() => document.querySelector("tr.proc-master")?.textContent ?? "");
    assert.match(masterRow, /master[\s\S]*resque-[\s\S]*\d+\.\d MB/, `master row: ${masterRow}`);
    const procText = await page.evaluate(() => document.body.innerText);
    assert.match(procText, /job Held/);
    if (ruby) assert.match(procText, /stock \/ no record/);
    await page.screenshot({ path: `${root}test-artifacts/web-processes.png`, fullPage: true });
    stopFeeding = true;
    await feed;

    // Retry from the Failed page: the parked job goes back to its queue and the row says so.
    await page.goto(`${base}/failed`, { waitUntil: "load" });
    const index = (await resque.failed.list(0, 100)).find((f) => f.queue === "parked")!.index;
    await Promise.all([page.waitForNavigation(), page.click(`#failure-${index} form[action$="/retry"] button`)]);
    assert.equal(await resque.size("parked"), 1, "the retried job is back in its queue");
    assert.match(await page.evaluate((i) => document.querySelector(`#failure-${i}`)!.textContent ?? "", index), /Retried/);
    await page.screenshot({ path: `${root}test-artifacts/web-failed.png`, fullPage: true });
    assert.deepEqual(problems, [], "console errors");

    // Kill the long held job from the Working page: it fails as DirtyExit, its sibling goes back and
    // finishes in the replacement process, and the worker keeps working.
    const r = resque.db.redis;
    await page.goto(`${base}/working`, { waitUntil: "load" });
    await page.screenshot({ path: `${root}test-artifacts/web-working.png`, fullPage: true });
    const longRow = await page.evaluateHandle(
      () => Array.from(document.querySelectorAll("table.working tbody tr")).find((tr) => tr.textContent!.includes('["long"]'))!,
    );
    const button = await longRow.asElement()!.$("form button");
    assert.ok(button, "a Kill button on the long job's row");
    await Promise.all([page.waitForNavigation(), button.click()]);
    assert.match(await page.evaluate(() => document.querySelector(".notice")?.textContent ?? ""), /Kill requested/);
    await page.screenshot({ path: `${root}test-artifacts/web-working-killed.png`, fullPage: true });
    const killed = await eventually(
      async () => (await resque.failed.list(0, 100)).find((f) => JSON.stringify(f.payload).includes('"long"')),
      "the killed job's failure record",
    );
    assert.equal(killed.exception, DIRTY_EXIT);
    assert.equal(killed.error, KILLED_MESSAGE);
    await eventually(
      async () =>
        (await resque.workers()).some((w) => w.id !== holder.id && w.running.some((j) => JSON.stringify(j.payload).includes('"sibling"'))),
      "the sibling running again in the replacement",
    );
    await r.del(`${held}:hold`);
    await eventually(async () => (await r.lrange(held, 0, -1)).includes("done sibling"), "the sibling to finish");
    await resque.enqueueTo("held", "Held", "after");
    await eventually(async () => (await r.lrange(held, 0, -1)).includes("done after"), "the worker to keep working");
    assert.ok(!(await r.lrange(held, 0, -1)).includes("done long"), "the killed job did not run again");
    // The Failed page with the kill's record (the README's screenshot), and Working without the killed job.
    await page.goto(`${base}/failed`, { waitUntil: "load" });
    assert.match(await page.evaluate(() => document.body.innerText), /Resque::DirtyExit/);
    await page.screenshot({ path: `${root}test-artifacts/web-failed.png`, fullPage: true });
    await page.goto(`${base}/working`, { waitUntil: "load" });
    assert.doesNotMatch(await page.evaluate(() => document.body.innerText), /\["long"\]/);
    assert.deepEqual(problems, [], "console errors");
    assert.deepEqual(await page.evaluate(() => (window as unknown as { __csp?: string[] }).__csp ?? []), []);

    // The README's screenshots: refreshed on request only, so a test run leaves the checkout as it was.
    if (process.env["UPDATE_SCREENSHOTS"]) {
      mkdirSync(`${root}docs/screenshots`, { recursive: true });
      for (const name of ["overview", "failed", "metrics", "processes"])
        copyFileSync(`${root}test-artifacts/web-${name}.png`, `${root}docs/screenshots/${name}.png`);
    }
  });
});
