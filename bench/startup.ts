// `npm run bench:startup`: spawn to first job per runtime on its own (RUNS, default 7). The
// macro benchmark (`npm run bench`) prints the same table alongside the throughput.
import { startRedis } from "../scripts/lib/redis-server.ts";
import { measureStartup } from "./lib/startup.ts";
import { percentile, summarise } from "./lib/stats.ts";

const server = await startRedis();
try {
  const rows = await measureStartup(server.url, Number(process.env["RUNS"] ?? 7));
  console.table(
    rows.map((r) => ({
      runtime: r.runtime,
      ...summarise("to first job ms", r.toFirstJob),
      "to exit, median ms": percentile(r.toExit, 50),
    })),
  );
} finally {
  await server.stop();
}
