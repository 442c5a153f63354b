// Start-up cost of a worker process, the price JOBS_PER_FORK amortises: from spawn to its first
// job done, for each runtime running the source and for the compiled binary.
import { spawn } from "node:child_process";
import { Redis } from "ioredis";
import { ensureBinary, realPath, root } from "./tools.ts";

export interface StartupRow {
  runtime: string;
  toFirstJob: number[];
  toExit: number[];
}

export async function measureStartup(url: string, runs: number): Promise<StartupRow[]> {
  const contenders: [string, string, string[]][] = [
    ["node (tsx, source)", process.execPath, ["--import", "tsx", "src/cli/main.ts", "work"]],
    ["bun (source)", realPath("bun"), ["src/cli/main.ts", "work"]],
    ["deno (source)", realPath("deno"), ["run", "-A", "src/cli/main.ts", "work"]],
    ["compiled binary", ensureBinary(), ["work"]],
  ];
  const redis = new Redis(url);
  const rows: StartupRow[] = [];
  try {
    for (const [runtime, command, args] of contenders) {
      const row: StartupRow = { runtime, toFirstJob: [], toExit: [] };
      for (let run = 0; run < runs; run++) {
        const key = `bench:startup:${run}`;
        await redis.del(key);
        await redis.rpush("resque:queue:startup", '{"class":"Stamp","args":[]}');
        const started = Date.now();
        const child = spawn(command, [...args, "--require", "bench/jobs.ts"], {
          cwd: root,
          stdio: "ignore",
          env: {
            ...process.env,
            QUEUE: "startup",
            INTERVAL: "0",
            DONT_FORK: "1",
            REDIS_URL: url,
            BENCH_REPORT_URL: url,
            BENCH_REPORT_KEY: key,
          },
        });
        await new Promise((resolve) => child.once("exit", resolve));
        row.toExit.push(Date.now() - started);
        row.toFirstJob.push(Number(await redis.lindex(key, 0)) - started);
      }
      rows.push(row);
    }
  } finally {
    redis.disconnect();
  }
  return rows;
}
