// A following scheduler says whom it follows: the lock's holder (host:pid), not its own value.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { currentRuntime } from "../../src/runtime/detect.ts";
import { Scheduler } from "../../src/scheduler/scheduler.ts";
import { useRedis } from "../support/fixture.ts";

const redis = useRedis();

describe("a following scheduler's log", () => {
  it("names the leader that holds the lock, and says which scheduler it is itself", async () => {
    const resque = redis.open("follow");
    await resque.db.redis.set(resque.db.keys.schedulerLock(), "leader-host:4242", "EX", 60);
    const lines: string[] = [];
    const log = { info: (m: string) => lines.push(m), warn: (m: string) => lines.push(m), error: (m: string) => lines.push(m) };
    const scheduler = new Scheduler({ db: resque.db, runtime: currentRuntime(), log, lockValue: "follower-host:99" });
    await scheduler.tick();
    assert.equal(scheduler.leader, false);
    const following = lines.find((l) => l.startsWith("Following"));
    assert.ok(following, `a Following line in ${JSON.stringify(lines)}`);
    assert.match(following, /^Following leader-host:4242\b/);
    assert.match(following, /this scheduler is follower-host:99/);
  });
});
