// Prints bench/results.json (the last `npm run bench` / `bench:full`) as the Markdown tables the
// README carries: `node --import tsx bench/markdown.ts`.
import { readFileSync } from "node:fs";
import { root } from "./lib/tools.ts";

type Row = Record<string, string | number>;
const results = JSON.parse(readFileSync(`${root}bench/results.json`, "utf8")) as {
  date: string;
  machine: string;
  n: number;
  runs: number;
  throughput: Record<string, Row[]>;
  latency: Row[];
  enqueue: Row[];
  startup: Row[];
};

const cell = (v: string | number | undefined) => (typeof v === "number" ? v.toLocaleString("en-US") : (v ?? ""));
function table(rows: Row[], columns: [string, (r: Row) => string | number | undefined][]): string {
  const head = `| ${columns.map(([name]) => name).join(" | ")} |\n|${columns.map(() => "---").join("|")}|`;
  return [head, ...rows.map((r) => `| ${columns.map(([, get]) => cell(get(r))).join(" | ")} |`)].join("\n");
}

const name = (r: Row) =>
  String(r["contender"])
    .replace("stock Resque", "stock")
    .replace(/\/1000000$/, "/1e6");
console.log(`${results.date.slice(0, 10)}, ${results.machine}; N=${results.n}, ${results.runs} warm runs + 1 cold per contender.\n`);
for (const [job, rows] of Object.entries(results.throughput)) {
  console.log(`${job}:\n`);
  console.log(
    table(rows, [
      ["contender", name],
      ["jobs", (r) => r["jobs"]],
      ["jobs/s min / median / max", (r) => `${cell(r["jobs/s min"])} / ${cell(r["jobs/s median"])} / ${cell(r["jobs/s max"])}`],
      ["cold jobs/s", (r) => r["cold jobs/s"]],
      ["x stock fork", (r) => r["x stock fork"]],
      ["x stock no-fork", (r) => r["x stock no-fork"]],
      ["x BullMQ", (r) => r["x BullMQ"]],
      ["Redis cmds/job", (r) => r["Redis cmds/job"]],
      ["EVALSHA/job", (r) => r["EVALSHA/job"]],
      ["CPU % Redis / workers", (r) => `${r["Redis CPU %"]} / ${r["workers CPU %"]}`],
      ["RSS MiB master / workers", (r) => `${cell(r["master RSS MiB"]) || "-"} / ${r["workers RSS MiB"]}`],
    ]),
  );
  console.log();
}
console.log(
  table(results.latency, [
    ["pickup while idle", name],
    ["samples", (r) => r["samples"]],
    ["p50 ms", (r) => r["p50 ms"]],
    ["p99 ms", (r) => r["p99 ms"]],
    ["max ms", (r) => r["max ms"]],
  ]),
);
console.log();
console.log(
  table(results.enqueue, [
    ["enqueue", (r) => r["enqueue"]],
    ["jobs", (r) => r["jobs"]],
    ["jobs/s", (r) => r["jobs/s"]],
  ]),
);
console.log();
console.log(
  table(results.startup, [
    ["worker process start-up", (r) => r["runtime"]],
    ["runs", (r) => r["runs"]],
    [
      "spawn to first job, ms min / median / max",
      (r) => `${r["spawn to first job ms min"]} / ${r["spawn to first job ms median"]} / ${r["spawn to first job ms max"]}`,
    ],
  ]),
);
