// The client refuses what cannot be done with a ResqueError whose code says why (the dashboard answers
// 400 from that code) and whose message is the advice.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { enqueueDelayedRaw } from "../../src/client/delayed-items.ts";
import { ResqueError, type ResqueErrorCode } from "../../src/errors.ts";
import { useRedis } from "../support/fixture.ts";

const redis = useRedis();

const refusal = (code: ResqueErrorCode, message: string) => (error: unknown) =>
  error instanceof ResqueError && error.code === code && error.message === message;

describe("client: refusals", () => {
  it("no failed job at an index: NO_FAILED_JOB", async () => {
    const resque = redis.open("refusals");
    await assert.rejects(resque.failed.retry(3), refusal("NO_FAILED_JOB", "No failed job at index 3 (there are 0)."));
    await assert.rejects(resque.failed.remove(3), refusal("NO_FAILED_JOB", "No failed job at index 3."));
  });

  it("a failed record that cannot be retried, a delayed item with no queue: BAD_RECORD", async () => {
    const resque = redis.open("refusals-records");
    const noQueue = `{"failed_at":"2026/11/23 07:54:37 UTC","payload":{"class":"A","args":[]},"exception":"E","error":"boom","backtrace":[],"worker":"vm:1:q","queue":""}`;
    await resque.db.redis.rpush(resque.db.keys.failed, noQueue, "not json");
    await assert.rejects(resque.failed.retry(0), refusal("BAD_RECORD", "Failed job 0 names no queue to retry into."));
    await assert.rejects(
      resque.failed.retry(1),
      (e: unknown) =>
        e instanceof ResqueError && e.code === "BAD_RECORD" && /^Failed job 1 cannot be retried: its record is /.test(e.message),
    );
    await assert.rejects(
      enqueueDelayedRaw(resque.db, '{"class":"A","args":[]}'),
      refusal("BAD_RECORD", "That delayed item names no queue, so it cannot be enqueued from here."),
    );
  });
});
