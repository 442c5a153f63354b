// Issue 13.6: stock resque-web with resque-scheduler 5.0's tabs (Delayed, Schedule), served by WEBrick on a
// loopback port, renders what our client stored, and its delayed actions find and move our exact item bytes.
import assert from "node:assert/strict";
import { spawnSync, type ChildProcess } from "node:child_process";
import process from "node:process";
import { after, describe, it } from "node:test";
import { defineJob, float } from "../../src/index.ts";
import { encodeJson } from "../../src/protocol/json.ts";
import { encodeDelayedItem } from "../../src/protocol/delayed.ts";
import { LeaderLock } from "../../src/scheduler/lock.ts";
import { useRedis } from "../support/fixture.ts";
import { rubyScript, rubySchedulerSkip, rubySchedulerVersion, serveResqueWeb } from "../support/ruby-scheduler.ts";

const redis = useRedis();
type Resque = ReturnType<typeof redis.open>;

// Rack 3 has no server handlers of its own; resque-web needs the rackup gem's (and webrick) to listen.
const rackup = spawnSync("ruby", ["-e", 'require "rackup"; require "rackup/handler/webrick"'], { stdio: "ignore" }).status === 0;

const skip =
  rubySchedulerSkip || (!rackup && "needs the rackup gem (2.x) and webrick to serve resque-web: run `node scripts/setup.mjs ruby`");
// Bun and Deno do not print a suite's skip reason; say it once for every runtime.
if (skip) console.log(`# compat-scheduler-web skipped: ${skip}`);

const webJob = defineJob("WebJob", { queue: "web", perform(..._args: unknown[]) {} });
const T1 = Math.floor(Date.now() / 1000) + 86_400;
const T2 = T1 + 60;
const T3 = T1 + 120;

// Strings resque-web must escape, unicode, Ruby floats (2.0, 1.5e+20), a nested hash with a float inside.
const ARGS = [
  "unicode é ✓ 日本",
  `x/y<b>&'"`,
  float(2),
  float(1.5e20),
  { nested: { list: [1, [2, 3]], flag: true, ratio: float(0.5) } },
  null,
];
// How resque-web shows them: each arg's Ruby #inspect, one per line, HTML-escaped (Rack::Utils.escape_html).
const ARGS_HTML = [
  "&quot;unicode é ✓ 日本&quot;",
  "&quot;x/y&lt;b&gt;&amp;&#39;\\&quot;&quot;",
  "2.0",
  "1.5e+20",
  "{&quot;nested&quot;=&gt;{&quot;list&quot;=&gt;[1, [2, 3]], &quot;flag&quot;=&gt;true, &quot;ratio&quot;=&gt;0.5}}",
  "nil",
].join("\n");

const children: ChildProcess[] = [];
after(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) process.kill(child.pid!, "SIGKILL");
});

const rubyEnv = (resque: Resque): NodeJS.ProcessEnv => ({
  ...process.env,
  REDIS_URL: redis.server().url,
  RESQUE_NAMESPACE: resque.db.keys.namespace,
});

const startResqueWeb = (resque: Resque) => serveResqueWeb(rubyEnv(resque), children);

/** Resque.set_schedule(name, config + persist: true) in Ruby, `json` decoded by Ruby (so 2.0 stays a Float); what it stored. */
const rubySetSchedule = async (resque: Resque, name: string, json: string): Promise<string> =>
  JSON.parse(await rubyScript("scheduler-web.rb", ["set_schedule", name, json], rubyEnv(resque), children)) as string;

/** Ruby's CGI.escape: all but `a-zA-Z0-9_.-~` percent-encoded, space as `+`. */
const cgiEscape = (text: string): string =>
  encodeURIComponent(text)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replaceAll("%20", "+");

async function page(url: string): Promise<string> {
  const response = await fetch(url);
  const body = await response.text();
  assert.equal(response.status, 200, `GET ${url}: ${response.status}\n${body.slice(0, 2000)}`);
  // Sinatra's error page (show_exceptions) or a bare Internal Server Error would mean Ruby choked on our data.
  assert.doesNotMatch(body, /Internal Server Error|Sinatra::|NoMethodError|TypeError|backtrace/i, `GET ${url} rendered an error page`);
  return body;
}

async function post(url: string, form: Record<string, string>): Promise<Response> {
  const response = await fetch(url, { method: "POST", body: new URLSearchParams(form), redirect: "manual" });
  await response.text();
  return response;
}

describe("stock resque-web with resque-scheduler's tabs, on our data", { skip }, () => {
  it("Delayed tab, per-timestamp page and Schedule tab render our jobs and schedules; Queue now and Cancel act on our exact bytes", async () => {
    console.log(`# resque-scheduler ${rubySchedulerVersion}, served by WEBrick through rackup`);
    const resque = redis.open("web");
    await resque.enqueueAt(T1, webJob, ...ARGS);
    await resque.enqueueAtWithQueue("mail", T2, "Mailer::Deliver", "ünï", float(0.1), { to: "a@b.c" });
    await resque.enqueueAt(T2, webJob, "second");
    await resque.enqueueAt(T3, webJob, ...ARGS);
    await new LeaderLock(resque.db, "ts-host:4242", { timeout: 60 }).claim();

    const dynamicConfig = {
      class: "Reports::Nightly",
      cron: "0 3 * * *",
      queue: "reports",
      args: ["ünï", float(2), { depth: { n: float(1e-5) } }],
      description: "nightly <report> ✓",
    };
    await resque.setSchedule("ours_nightly", { ...dynamicConfig, persist: true });
    const rubyJson = await rubySetSchedule(resque, "ruby_nightly", encodeJson(dynamicConfig));
    assert.equal(
      await resque.db.redis.hget(`${resque.db.keys.prefix}persistent_schedules`, "ours_nightly"),
      rubyJson,
      "our persisted schedule bytes are Ruby's",
    );
    await resque.setSchedule("ours_every", {
      persist: true,
      class: "WebJob",
      every: ["30s", { first_in: "5m" }],
      queue: "web",
      args: [],
      description: "every half minute",
    });

    const web = await startResqueWeb(resque);

    const delayed = await page(`${web.base}/delayed`);
    assert.match(delayed, /of <b>3<\/b> timestamps/, "three timestamps");
    assert.ok(
      delayed.includes(`delayed/${T1}`) && delayed.includes(`delayed/${T2}`) && delayed.includes(`delayed/${T3}`),
      "each timestamp links to its page",
    );
    // A timestamp with one job shows its class and args inline; T2 holds two, so "see details".
    assert.ok(delayed.includes("WebJob"), "class shown");
    assert.ok(delayed.includes(ARGS_HTML), `args shown as Ruby values, escaped:\n${ARGS_HTML}\n---\n${delayed}`);
    assert.ok(delayed.includes("see details"));
    // Its "All schedules" link carries the args as Ruby re-encodes them: our bytes exactly (2.0, 1.5e+20 kept).
    assert.ok(delayed.includes(`/delayed/jobs/WebJob?args=${cgiEscape(encodeJson(ARGS))}"`), "Ruby re-encodes our args to our bytes");

    const t2 = await page(`${web.base}/delayed/${T2}`);
    assert.match(t2, /of <b>2<\/b> jobs/);
    assert.ok(
      t2.includes("Mailer::Deliver") &&
        t2.includes("&quot;ünï&quot;") &&
        t2.includes("0.1") &&
        t2.includes("{&quot;to&quot;=&gt;&quot;a@b.c&quot;}"),
      t2,
    );
    assert.ok(t2.includes("WebJob") && t2.includes("&quot;second&quot;"));
    const t1 = await page(`${web.base}/delayed/${T1}`);
    assert.ok(t1.includes(ARGS_HTML), "per-timestamp page shows our args");

    const schedule = await page(`${web.base}/schedule`);
    assert.ok(schedule.includes("Current master: ts-host:4242"), "the lock our LeaderLock holds is the current master");
    for (const name of ["ours_nightly", "ruby_nightly", "ours_every"])
      assert.ok(schedule.includes(`<td>${name}</td>`), `schedule ${name} listed`);
    assert.equal(schedule.split("nightly &lt;report&gt; ✓").length - 1, 2, "both descriptions, escaped");
    assert.equal(schedule.split("cron: 0 3 * * *").length - 1, 2);
    assert.ok(schedule.includes("every: 30s (first in 5m)"), "every with options");
    assert.equal(
      schedule.split("&quot;ünï&quot;\n2.0\n{&quot;depth&quot;=&gt;{&quot;n&quot;=&gt;1.0e-05}}").length - 1,
      2,
      "args as Ruby values, floats included",
    );
    assert.ok(schedule.includes("<td>reports</td>") && schedule.includes("Never"));

    // Cancel (POST /delayed/cancel_now): Ruby rebuilds the item from WebJob's @queue and the args JSON, and
    // removes it only if those bytes equal ours (reference §3.1), here at T3 only.
    const cancel = await post(`${web.base}/delayed/cancel_now`, { klass: "WebJob", timestamp: String(T3), args: encodeJson(ARGS) });
    assert.ok(cancel.status === 302 || cancel.status === 303, `cancel redirects (${cancel.status})`);
    const ourItem = encodeDelayedItem("WebJob", ARGS, "web");
    assert.equal(await resque.delayedTimestampSize(T3), 0, "Ruby matched and removed our item at T3");
    assert.deepEqual(
      await resque.db.redis.smembers(resque.db.keys.timestamps(ourItem)),
      [`delayed:${T1}`],
      "its reverse index now names T1 only",
    );
    assert.deepEqual(await resque.scheduledAt(webJob, ...ARGS), [T1]);

    // Queue now (POST /delayed/queue_now): the first item at T1 goes to its queue, as our scheduler would push it.
    const queueNow = await post(`${web.base}/delayed/queue_now`, { timestamp: String(T1) });
    assert.equal(queueNow.status, 200);
    assert.deepEqual(await resque.db.redis.lrange(resque.db.keys.queue("web"), 0, -1), [`{"class":"WebJob","args":${encodeJson(ARGS)}}`]);
    assert.equal(await resque.delayedTimestampSize(T1), 0);
    assert.equal(await resque.db.redis.exists(resque.db.keys.timestamps(ourItem)), 0, "no reverse index left behind");
    assert.deepEqual(await resque.db.redis.zrange(resque.db.keys.delayedSchedule, "0", "-1"), [String(T2)], "only T2 is still scheduled");
    assert.match(await page(`${web.base}/delayed`), /of <b>1<\/b> timestamps/);
    assert.doesNotMatch(web.log(), /ERROR/, "resque-web logged no error");
  });
});
