/// <reference lib="dom" />
// Issue 22, point 12 in a real browser (Debian's chromium through puppeteer-core): chart axes in UTC written as
// the tables write times, Queue depth's single-queue lines drawn from the history, no page wider than a 420 px
// screen, and the message after an action. Screenshots go to $UX_SHOTS (default test-artifacts/ux). Node only.
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import process from "node:process";
import { after, describe, it } from "node:test";
import { createWebApp, type WebApp } from "../../src/web/app.ts";
import { httpFor, type HttpServer } from "../../src/runtime/http.ts";
import { recordMetrics } from "../../src/store/metrics.ts";
import { Tally } from "../../src/worker/tally.ts";
import { Scheduler } from "../../src/scheduler/scheduler.ts";
import { parseScheduleFile } from "../../src/scheduler/schedule-file.ts";
import { currentRuntime } from "../../src/runtime/detect.ts";
import { openDb } from "../../src/store/connection.ts";
import { browserSkip, CHROMIUM } from "../support/browser.ts";
import { useRedis } from "../support/fixture.ts";
import { eventually } from "../support/spawn-cli.ts";

const root = new URL("../../", import.meta.url).pathname;
const shots = process.env["UX_SHOTS"] ?? `${root}test-artifacts/ux`;
const skip = browserSkip("web-ux-browser");

const redis = useRedis();
let web: WebApp | undefined;
let server: HttpServer | undefined;
let browser: { close(): Promise<void> } | undefined;
let scheduler: { stop(): void; done: Promise<void>; close(): void } | undefined;
/** Stop the scheduler while its Redis still runs (the fixture stops the server in an earlier after hook). */
async function stopScheduler(): Promise<void> {
  scheduler?.stop();
  await Promise.race([scheduler?.done, new Promise((resolve) => setTimeout(resolve, 5000))]);
  scheduler?.close();
  scheduler = undefined;
}
after(async () => {
  await stopScheduler();
  await browser?.close();
  web?.close();
  await server?.close();
});

const failure = (i: number) =>
  JSON.stringify({
    failed_at: `2026/12/06 01:00:${String(i).padStart(2, "0")} UTC`,
    payload: {
      class: "Mailer::DeliverNewsletterToEverySubscriber",
      args: [i, { campaign: "winter-sale-2026-long-campaign-name", segment: "subscribers-who-opened-in-the-last-90-days" }],
    },
    exception: "Net::ReadTimeout",
    error: "Net::ReadTimeout with #<TCPSocket:(closed)> after waiting 30 seconds for smtp.example.com:587",
    backtrace: ["/app/jobs/mailer.rb:24:in `perform'"],
    worker: "worker-host-with-a-long-name.internal:4242:mail,reports",
    queue: "mail",
  });

describe("dashboard in a browser (issue 22, point 12)", { skip }, () => {
  it("UTC axes, seeded queue lines, no overflow at 420 px, a message after Retry", { timeout: 180_000 }, async () => {
    const puppeteer = (await import("puppeteer-core")).default;
    const resque = redis.open("ux-browser");
    const { redis: r, keys } = resque.db;
    for (let i = 0; i < 30; i++)
      await resque.enqueueTo("mail", "Mailer::DeliverNewsletterToEverySubscriber", i, { campaign: "winter-sale-2026-long-campaign-name" });
    for (let i = 0; i < 12; i++) await resque.enqueueTo("reports", "Report", i);
    for (let i = 0; i < 3; i++) await r.rpush(keys.failed, failure(i));
    const id = "worker-host-with-a-long-name.internal:4242:mail,reports";
    await r.sadd(keys.workers, id);
    await r.hset(keys.heartbeats, id, new Date(Date.now() - 51_000).toISOString().replace(/\.\d+Z$/, "Z"));
    await r.set(keys.workerStarted(id), "2026-12-06 01:00:00 +0000");
    await resque.enqueueAtWithQueue("reports", Math.floor(Date.now() / 1000) + 3600, "Report", 99, {
      note: "a delayed report with a long argument list",
    });
    await resque.setSchedule("nightly_newsletter", {
      cron: "0 3 * * *",
      class: "Mailer::DeliverNewsletterToEverySubscriber",
      queue: "mail",
      args: [{ campaign: "nightly" }],
      persist: true,
      description: "the nightly newsletter to every subscriber",
    });
    const tally = new Tally();
    tally.add("Report", 20_000, false);
    tally.add("Report", 1000, false);
    tally.add("Mailer::DeliverNewsletterToEverySubscriber", 120, true);
    await recordMetrics(resque.db, tally.take(), Date.now());

    // A scheduler leading with a schedule file, so the Schedules page has file schedules to show.
    const yaml =
      'hourly_report:\n  cron: "0 * * * *"\n  class: Report\n  queue: reports\n  description: the hourly report\nstaging_cleanup:\n  every: 1h\n  class: Cleanup\n  queue: reports\n  rails_env: staging\n';
    const db = openDb({ redis: redis.server().url, namespace: resque.db.keys.namespace });
    const s = new Scheduler({
      db,
      runtime: currentRuntime(),
      interval: 0.2,
      schedule: parseScheduleFile(yaml, "schedule.yml", Date.now()),
    });
    scheduler = { stop: () => s.stop(), done: s.run(), close: () => db.redis.disconnect() };
    await eventually(async () => (await r.get(keys.fileSchedules)) !== null || undefined, "the scheduler to publish its file schedules");
    web = createWebApp({ resque, sampleIntervalMs: 250 });
    server = await (await httpFor("node"))({ fetch: web.fetch, hostname: "127.0.0.1", port: 0 });
    const base = `http://127.0.0.1:${server.port}`;
    // A few seconds of samples, so the history and this dashboard's per-queue memory both hold some.
    await eventually(async () => {
      const h = JSON.parse(await (await fetch(`${base}/api/history?range=300`)).text()) as { points: { queues?: unknown }[] };
      return h.points.filter((p) => p.queues).length >= 4 || undefined;
    }, "history points with queue sizes");

    mkdirSync(shots, { recursive: true });
    const b = await puppeteer.launch({ executablePath: CHROMIUM, headless: true, args: ["--no-sandbox"] });
    browser = b;
    const page = await b.newPage();
    const problems: string[] = [];
    page.on("console", (m) => {
      if (m.type() === "error") problems.push(`console: ${m.text()}`);
    });
    page.on("pageerror", (e) => problems.push(`pageerror: ${(e as Error).message}`));
    page.on("dialog", (d) => void d.accept());
    // A browser far from UTC: local-time axes would show it.
    await page.emulateTimezone("America/Los_Angeles");
    await page.setViewport({ width: 1280, height: 900 });

    // (c) and (d): the Metrics page.
    await page.goto(`${base}/graphs?range=300`, { waitUntil: "load" });
    await page.waitForSelector("#depth-graph .uplot");
    const atLoad = await page.evaluate(() => ({
      ticks: document.querySelector("#rate-graph")!.getAttribute("data-x-ticks"),
      queuePoints: Number(document.querySelector("#depth-graph")!.getAttribute("data-queue-points")),
      points: Number(document.querySelector("#depth-graph")!.getAttribute("data-points")),
    }));
    assert.ok(atLoad.ticks, "the x axis records its tick labels");
    const ticks = atLoad.ticks!.split("|");
    for (const t of ticks) assert.match(t, /^\d\d:\d\d(:\d\d)?(\n\d{4}-\d\d-\d\d)?$/, `an ISO-style UTC tick: ${JSON.stringify(t)}`);
    const utcHours = new Set([-1, 0, 1].map((d) => String(new Date(Date.now() + d * 3_600_000).getUTCHours()).padStart(2, "0")));
    assert.ok(
      ticks.some((t) => utcHours.has(t.slice(0, 2))),
      `ticks in UTC hours (${[...utcHours]}), not Los Angeles time: ${ticks}`,
    );
    assert.ok(
      ticks.some(
        (t) => t.includes(new Date().toISOString().slice(0, 10)) || t.includes(new Date(Date.now() - 300_000).toISOString().slice(0, 10)),
      ),
      "the day is written as in the tables",
    );
    assert.ok(
      atLoad.queuePoints >= 4,
      `the single-queue lines start with the history, not at the right edge: ${atLoad.queuePoints} values at load`,
    );
    await new Promise((res) => setTimeout(res, 1500));
    await page.screenshot({ path: `${shots}/metrics-1280.png`, fullPage: true });

    // (g): no page is wider than a 420 px screen; the tables scroll inside themselves.
    const pages: [string, string][] = [
      ["overview", "/overview"],
      ["working", "/working"],
      ["failed", "/failed"],
      ["queues", "/queues"],
      ["queue", "/queues/mail"],
      ["workers", "/workers"],
      ["worker", `/workers/${encodeURIComponent(id)}`],
      ["stats", "/stats"],
      ["stats-redis", "/stats/redis"],
      ["stats-keys", "/stats/keys"],
      ["delayed", "/delayed"],
      ["schedules", "/schedules"],
      ["metrics", "/graphs?range=300"],
      ["processes", "/processes"],
    ];
    await page.setViewport({ width: 420, height: 860 });
    const wide: string[] = [];
    for (const [name, path] of pages) {
      await page.goto(`${base}${path}`, { waitUntil: "load" });
      if (name === "metrics" || name === "overview") await page.waitForSelector(".uplot", { timeout: 10_000 });
      const widths = await page.evaluate(() => ({
        scroll: document.documentElement.scrollWidth,
        client: document.documentElement.clientWidth,
      }));
      if (widths.scroll > widths.client) wide.push(`${path}: ${widths.scroll} px in ${widths.client}`);
      await page.screenshot({ path: `${shots}/narrow-${name}.png`, fullPage: true });
    }
    assert.deepEqual(wide, [], "pages wider than the screen at 420 px");
    // The delayed time's page (its link carries the timestamp).
    await page.goto(`${base}/delayed`, { waitUntil: "load" });
    await Promise.all([page.waitForNavigation(), page.click("table.delayed a")]);
    assert.ok((await page.evaluate(() => document.documentElement.scrollWidth)) <= 420, "the delayed time's page fits");
    await page.screenshot({ path: `${shots}/narrow-delayed-time.png`, fullPage: true });

    // (e): a message after Retry, seen in the browser (no script involved).
    await page.setViewport({ width: 1280, height: 900 });
    await page.goto(`${base}/failed`, { waitUntil: "load" });
    await Promise.all([page.waitForNavigation(), page.click("#failure-0 form[action$='/retry'] button")]);
    assert.match(
      await page.evaluate(() => document.querySelector(".notice.flash")?.textContent ?? ""),
      /^Retried failed job 0 \(Mailer::DeliverNewsletterToEverySubscriber from queue mail\)/,
    );
    await page.screenshot({ path: `${shots}/failed-retried-1280.png`, fullPage: true });
    await page.reload({ waitUntil: "load" });
    assert.equal(await page.evaluate(() => document.querySelectorAll(".notice.flash").length), 0, "shown once");
    await page.setViewport({ width: 420, height: 860 });
    await page.goto(`${base}/delayed`, { waitUntil: "load" });
    await Promise.all([page.waitForNavigation(), page.click("table.delayed a")]);
    await Promise.all([page.waitForNavigation(), page.click("form[action$='/enqueue-now'] button")]);
    assert.equal(new URL(page.url()).pathname, "/queues/reports", "Enqueue now lands on the job's queue");
    assert.match(await page.evaluate(() => document.querySelector(".notice.flash")?.textContent ?? ""), /^Enqueued Report \[99,/);
    await page.screenshot({ path: `${shots}/narrow-enqueued-now.png`, fullPage: true });
    await page.setViewport({ width: 1280, height: 900 });
    await page.goto(`${base}/schedules`, { waitUntil: "load" });
    assert.match(await page.evaluate(() => document.querySelector("table.schedules.file")?.textContent ?? ""), /hourly_report\s*file/);
    await r.hset(keys.heartbeats, id, new Date(Date.now() - 51_000).toISOString().replace(/\.\d+Z$/, "Z"));
    for (const [name, path] of [
      ["workers", "/workers"],
      ["schedules", "/schedules"],
      ["processes", "/processes"],
      ["overview", "/overview"],
    ] as const) {
      await page.goto(`${base}${path}`, { waitUntil: "load" });
      if (name === "overview") await page.waitForSelector(".uplot");
      await page.screenshot({ path: `${shots}/${name}-1280.png`, fullPage: true });
    }
    assert.deepEqual(problems, [], "console errors");
    await stopScheduler();
    assert.equal(await r.get(keys.fileSchedules), null, "a leader that stops takes its publication with it");
  });
});
