// Issue 22 points 5 and 8, the "hostile store" habit: every dashboard route (enumerated from the
// app's route table, so a new one cannot be missed), every API route, /metrics and every read-only
// CLI view answers against a store holding every malformed record (no 5xx, CLI exit 0, the bad
// record shown as unreadable), and each request's Redis work is bounded: the bytes Redis sends
// (INFO total_net_output_bytes) stay far below the 50 MB values whatever the data. --read-only
// issues no write command at all (INFO commandstats before and after, checked against COMMAND INFO).
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import type { Redis } from "ioredis";
import { Resque } from "../../src/client/resque.ts";
import { createWebApp, type WebApp } from "../../src/web/app.ts";
import { uniqueNamespace } from "../../scripts/lib/redis-server.ts";
import { useRedis } from "../support/fixture.ts";
import { hostile, seedHostileStore } from "../support/hostile-store.ts";
import { runToEnd } from "../support/spawn-cli.ts";

const redis = useRedis();
/** Far below the 50 MB values, far above any honest page (a page shows 20-50 rows). */
const MAX_BYTES_PER_REQUEST = 2 * 1024 * 1024;

let namespace = "";
let web: WebApp;
const emptyHistory = { history: async () => ({ resolutionSeconds: 1, points: [] }), latest: () => undefined, subscribe: () => () => {} };

let seeded: Promise<void> | undefined;
let close = (): void => {};
after(() => close());
/** Seed once per file, on first use (the 50 MB values and the 1M list are not cheap). */
const ready = (): Promise<void> =>
  (seeded ??= (async () => {
    namespace = uniqueNamespace("hostile");
    await seedHostileStore(redis.server().client, namespace);
    const resque = new Resque({ redis: redis.server().url, namespace });
    web = createWebApp({ resque, history: emptyHistory });
    close = () => {
      web.close();
      resque.db.redis.disconnect();
    };
  })());

const netOut = async (client: Redis): Promise<number> => Number(/total_net_output_bytes:(\d+)/.exec(await client.info("stats"))![1]);

/** Sample values for each route parameter: every hostile record a page can be asked about. */
function samples(param: string): string[] {
  if (param.startsWith("name")) return [hostile.hugeQueue, hostile.longQueue, hostile.wrongTypeQueue, hostile.oddQueue, "q00000", "nosuch"];
  if (param.startsWith("id"))
    return [
      hostile.colonless,
      hostile.objectRunAt,
      hostile.badJob,
      hostile.wrongTypeJob,
      hostile.badProcess,
      "host:105:huge",
      "host:106:deep",
      "::",
      "nosuch:1:q",
    ];
  if (param.startsWith("index")) return ["0", "1", "2", "3", "4", "5", "6", "7", "99"];
  if (param.startsWith("ts")) return [String(hostile.wrongTypeDelayed), String(hostile.badItemsDelayed), "0"];
  throw new Error(`No sample values for route parameter :${param}: add some to test/web/hostile-store.test.ts`);
}

/** Every GET path of the route table with its parameters filled in, each way the samples allow. */
function concretePaths(app: WebApp): string[] {
  const paths = new Set<string>();
  for (const { method, path } of app.app.routes) {
    if (method !== "GET") continue;
    let expanded = [path];
    for (const match of path.matchAll(/:([A-Za-z]+)(\{[^}]*\})?/g)) {
      const values = path.startsWith("/assets/") ? ["app.js", "nosuch"] : samples(match[1]!);
      expanded = expanded.flatMap((p) => values.map((v) => p.replace(match[0], encodeURIComponent(v))));
    }
    for (const p of expanded) paths.add(p);
  }
  return [...paths];
}

/** Query strings the list pages take, on top of the bare paths. */
const EXTRA = [
  "/failed?start=3",
  "/api/failed?start=0&scan=100",
  "/failed?queue=odd&class=E",
  "/queues/long?start=999990",
  "/api/classes?class=Job",
  "/api/classes?minutes=1440",
  "/api/history?range=604800",
  "/delayed?start=1",
  "/stats/keys?cursor=0",
];

async function fetchBounded(path: string): Promise<{ status: number; text: string; bytes: number }> {
  const client = redis.server().client;
  const before = await netOut(client);
  const response = await web.fetch(new Request(`http://127.0.0.1${path}`));
  let text: string;
  if (path === "/stream") {
    // An endless event stream: its first event (or the headers) is the answer.
    const reader = response.body!.getReader();
    await Promise.race([reader.read(), new Promise((r) => setTimeout(r, 300))]);
    await reader.cancel();
    text = "";
  } else {
    text = await response.text();
  }
  const bytes = (await netOut(client)) - before;
  return { status: response.status, text, bytes };
}

describe("a hostile store: every route answers, within its bound", () => {
  it("every GET route of the route table, every sample parameter: no 5xx, bounded Redis output", async () => {
    await ready();
    const paths = [...concretePaths(web), ...EXTRA];
    assert.ok(paths.length > 60, `the route table gave ${paths.length} paths`);
    const problems: string[] = [];
    for (const path of paths) {
      const { status, text, bytes } = await fetchBounded(path);
      if (status >= 500) problems.push(`${path}: ${status} ${text.slice(0, 200)}`);
      if (bytes > MAX_BYTES_PER_REQUEST) problems.push(`${path}: Redis sent ${bytes} bytes`);
    }
    assert.deepEqual(problems, []);
  });

  it("pages show an unreadable record as unreadable", async () => {
    await ready();
    for (const [path, pattern] of [
      ["/failed", /unreadable/i],
      ["/schedules", /unreadable/i],
      ["/queues/odd", /unreadable|not json/i],
      [`/delayed/${hostile.badItemsDelayed}`, /unreadable/i],
      ["/api/schedules", /unreadable/i],
      ["/queues", /head too large to read/],
      ["/queues", /unreadable: WRONGTYPE/],
    ] as const) {
      const { status, text } = await fetchBounded(path);
      assert.equal(status, 200, path);
      assert.match(text, pattern, path);
    }
    const totals = await fetchBounded("/api/classes/totals");
    assert.equal(totals.status, 200, totals.text);
    assert.match(totals.text, /"\+Inf"/);
    const metrics = await fetchBounded("/metrics");
    assert.equal(metrics.status, 200, metrics.text);
    assert.match(metrics.text, /resque_queue_jobs\{queue="long"\} 1000000/);
    assert.doesNotMatch(metrics.text, /NaN/);
  });
});

describe("a hostile store: every read-only CLI view", () => {
  const views = [
    ["queues"],
    ["stats"],
    ["workers"],
    ["failed", "list"],
    ["failed", "list", "--limit", "50"],
    ["failed", "show", "0"],
    ["delayed", "list"],
    ["delayed", "show", String(hostile.badItemsDelayed)],
    ["delayed", "show", String(hostile.wrongTypeDelayed)],
    ["schedule", "list"],
  ];
  for (const view of views) {
    for (const json of [false, true]) {
      const args = json ? [...view, "--json"] : view;
      it(`resque ${args.join(" ")}: exit 0, bounded Redis output`, async () => {
        await ready();
        const client = redis.server().client;
        const before = await netOut(client);
        const run = await runToEnd(args, { REDIS_URL: redis.server().url, RESQUE_NAMESPACE: namespace, NO_COLOR: "1" });
        const bytes = (await netOut(client)) - before;
        assert.equal(run.code, 0, `${run.err}\n${run.out.slice(0, 500)}`);
        assert.ok(bytes < MAX_BYTES_PER_REQUEST, `Redis sent ${bytes} bytes`);
        if (json) JSON.parse(run.out);
        if (["failed", "schedule"].includes(view[0]!) && view[1] === "list") assert.match(run.out, /unreadable/i);
        if (view[0] === "queues") assert.match(run.out, /head too large to read/);
      });
    }
  }
});

describe("--read-only reads only", () => {
  it("a read-only dashboard (its sampler included) and every page issue no write command", async () => {
    const client = redis.server().client;
    const resque = new Resque({ redis: redis.server().url, namespace: uniqueNamespace("ro") });
    await resque.enqueueTo("mail", "Mailer", 1);
    const writes = async (): Promise<Map<string, number>> => {
      const text = await client.info("commandstats");
      const counts = new Map<string, number>();
      for (const [, name, calls] of text.matchAll(/cmdstat_([a-z|_-]+):calls=(\d+)/g)) counts.set(name!, Number(calls));
      return counts;
    };
    const start = await writes();
    const ro = createWebApp({ resque, readOnly: true, sampleIntervalMs: 50 });
    try {
      for (const path of [
        "/",
        "/overview",
        "/queues",
        "/api/queues",
        "/api/latency",
        "/metrics",
        "/processes",
        "/api/processes",
        "/api/history",
      ]) {
        assert.ok((await ro.fetch(new Request(`http://127.0.0.1${path}`))).status < 400, path);
      }
      await new Promise((r) => setTimeout(r, 300)); // a few sampler ticks
    } finally {
      ro.close();
      resque.db.redis.disconnect();
    }
    const end = await writes();
    const changed = [...end].filter(([name, calls]) => calls > (start.get(name) ?? 0)).map(([name]) => name);
    const written: string[] = [];
    for (const name of changed) {
      const [info] = (await client.call("COMMAND", "INFO", name)) as [unknown[] | null];
      const flags = (info?.[2] as string[] | undefined) ?? [];
      if (flags.includes("write")) written.push(name);
    }
    assert.deepEqual(written, [], `write commands while read-only: ${written.join(", ")}`);
  });
});
