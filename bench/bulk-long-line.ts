/**
 * `resque enqueue --bulk` with one long line (issue 22, point 6). Two measures:
 * - the line splitter alone (src/cli/kit/lines.ts), fed 64 KB chunks: seconds per line size;
 * - the whole CLI under this runtime against a private redis-server (start-up included).
 * SIZES="5,10,20,40,200" in MB; ONLY=split or ONLY=cli for one of the two.
 * Run: node --import tsx bench/bulk-long-line.ts
 */
import { spawnSync } from "node:child_process";
import process from "node:process";
import { startRedis, uniqueNamespace } from "../scripts/lib/redis-server.ts";
import { readLines } from "../src/cli/kit/lines.ts";
import { cliCommand } from "../test/support/spawn-cli.ts";

const sizes = (process.env["SIZES"] ?? "5,10,20,40").split(",").map(Number);
const only = process.env["ONLY"];
const CHUNK = 64 * 1024;

async function* chunksOf(bytes: number): AsyncGenerator<Uint8Array> {
  const chunk = new Uint8Array(CHUNK).fill(0x78);
  for (let left = bytes; left > 0; left -= CHUNK) yield left >= CHUNK ? chunk : chunk.subarray(0, left);
  yield new Uint8Array([0x0a]);
}

if (only !== "cli") {
  for (const mb of sizes) {
    const started = performance.now();
    let length = 0;
    for await (const line of readLines(chunksOf(mb * 1024 * 1024))) length += line.text?.length ?? 0;
    console.log(`splitter, ${mb} MB line in 64 KB chunks: ${((performance.now() - started) / 1000).toFixed(2)} s (${length} chars)`);
  }
}

if (only !== "split") {
  const server = await startRedis();
  try {
    for (const mb of sizes) {
      const input = `{"class":"A","args":["${"x".repeat(mb * 1024 * 1024)}"]}\n{"class":"A","args":[1]}\n`;
      const namespace = uniqueNamespace("bench-bulk");
      // A long --redis-timeout: pushing 200 MB can take Redis longer than the default 5 s on a busy machine.
      const [command, ...argv] = cliCommand(["enqueue", "--queue", "q", "--bulk", "-", "--json", "--redis-timeout", "120"]);
      const started = performance.now();
      const run = spawnSync(command, argv, {
        input,
        env: { ...process.env, REDIS_URL: server.url, RESQUE_NAMESPACE: namespace },
        maxBuffer: 1 << 20,
        timeout: 300_000,
      });
      const seconds = (performance.now() - started) / 1000;
      const pushed = await server.client.llen(`${namespace}:queue:q`);
      if (run.status !== 0) console.log(String(run.stderr).slice(0, 2000));
      console.log(`cli, ${mb} MB line: ${seconds.toFixed(2)} s, exit ${run.status ?? run.signal}, ${pushed} pushed`);
      await server.client.del(`${namespace}:queue:q`, `${namespace}:queues`);
    }
  } finally {
    await server.stop();
  }
}
