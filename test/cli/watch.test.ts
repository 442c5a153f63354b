// `resque stats --watch` outlives a Redis restart: it reconnects and says so.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { startRedis, uniqueNamespace } from "../../scripts/lib/redis-server.ts";
import { eventually, finished, spawnCli } from "../support/spawn-cli.ts";

describe("resque stats --watch", () => {
  it("reconnects after Redis restarts, says so, and goes on showing the stats", async () => {
    const server = await startRedis();
    try {
      const namespace = uniqueNamespace("watch-restart");
      await server.client.rpush(`${namespace}:queue:w`, '{"class":"A","args":[]}');
      await server.client.sadd(`${namespace}:queues`, "w");
      const child = spawnCli(["stats", "--watch", "--every", "0.2", "--redis-timeout", "1"], {
        REDIS_URL: server.url,
        RESQUE_NAMESPACE: namespace,
      });
      let out = "";
      let err = "";
      child.stdout?.on("data", (d) => (out += d));
      child.stderr?.on("data", (d) => (err += d));
      const shown = () => (out.match(/pending\s+1\n/g) ?? []).length;
      await eventually(() => shown() >= 1, "the first stats");
      await server.restart();
      await eventually(() => /Reconnected to Redis at 127\.0\.0\.1:\d+/.test(err), "the reconnect to be told");
      const before = shown();
      await eventually(() => shown() > before, "stats after the restart");
      child.kill("SIGINT");
      await finished(child);
      assert.match(err, /Lost the connection to Redis at 127\.0\.0\.1:\d+|is not reachable|refused the connection/, "the outage was told");
      assert.doesNotMatch(out, /\x1b\[/, "no screen codes in a pipe");
    } finally {
      await server.stop();
    }
  });
});
