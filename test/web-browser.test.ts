/// <reference lib="dom" />
// Issue 14: the dashboard in a real browser (Debian's chromium through puppeteer-core), with our workers and, when
// the gem is installed, a stock Ruby Resque worker running jobs: no console errors or CSP violations on any page,
// the live graph moves, retry works from the Failed page, hostile job data stays text. Node only.
import assert from "node:assert/strict";
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync } from "node:fs";
import process from "node:process";
import { after, describe, it } from "node:test";
import { createWebApp, type WebApp } from "../src/web/app.ts";
import { httpFor, type HttpServer } from "../src/runtime/http.ts";
import { detectRuntimeName } from "../src/runtime/detect.ts";
import { useRedis } from "./support/fixture.ts";
import { eventually, spawnWork } from "./support/spawn-cli.ts";

const CHROMIUM = "/usr/bin/chromium";
const root = new URL("../", import.meta.url).pathname;
const runtime = detectRuntimeName();
const skip = runtime !== "node"
  ? `the browser test runs under Node only (puppeteer drives Chromium over a WebSocket; this is ${runtime})`
  : !existsSync(CHROMIUM)
  ? `needs ${CHROMIUM}: run \`node scripts/setup.mjs chromium\``
  : false;
// Bun and Deno do not print a suite's skip reason; say it once for every runtime.
if (skip) console.log(`# web-browser skipped: ${skip}`);
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
  it("renders every page cleanly, moves the live graph, retries from the Failed page and keeps hostile data as text", { timeout: 180_000 }, async () => {
    const puppeteer = (await import("puppeteer-core")).default;
    const resque = redis.open("web-browser");
    const ns = resque.db.keys.namespace;
    const url = redis.server().url;
    web = createWebApp({ resque, sampleIntervalMs: 250 });
    server = await (await httpFor("node"))({ fetch: web.fetch, hostname: "127.0.0.1", port: 0 });
    const base = `http://127.0.0.1:${server.port}`;

    // Our worker (the fixtures' jobs); an unknown class fails, so hostile jobs land in the failed list.
    children.push(spawnWork({ url, namespace: ns, reportKey: "browser:report", queue: "jobs,hostile" }));
    if (ruby) {
      children.push(
        spawn("ruby", ["-e", RUBY_WORKER], { cwd: root, stdio: "ignore", env: { ...process.env, REDIS_URL: url, RESQUE_NAMESPACE: ns, QUEUE: "ruby" } }),
      );
    } else console.log("# web-browser: no stock Ruby worker (the resque gem is not installed)");
    await eventually(async () => (await resque.workers()).length >= (ruby ? 2 : 1), "the workers to register");

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
      JSON.stringify({ queue: "hostile", run_at: new Date().toISOString().replace(/\.\d+Z$/, "Z"), payload: { class: XSS[0], args: [XSS[1], XSS[2]] } }),
    );
    for (let i = 0; i < 30; i++) await resque.enqueueTo("waiting", "Waiting", i);
    await resque.enqueueAtWithQueue("later", Math.floor(Date.now() / 1000) + 3600, "Later", 7);
    await resque.setSchedule("nightly", { cron: "0 3 * * *", class: "Nightly", queue: "nightly", persist: true, description: "the nightly report" });

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
    for (const path of ["/overview", "/working", "/failed", "/queues/held-hostile"]) {
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

    // The README's screenshots: refreshed on request only, so a test run leaves the checkout as it was.
    if (process.env["UPDATE_SCREENSHOTS"]) {
      mkdirSync(`${root}docs/screenshots`, { recursive: true });
      for (const name of ["overview", "failed", "metrics"]) copyFileSync(`${root}test-artifacts/web-${name}.png`, `${root}docs/screenshots/${name}.png`);
    }
  });
});
