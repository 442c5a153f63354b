// "1 delayed job", not "1 delayed jobs": counts in CLI output agree with their nouns (issue 22, point 11).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { plural } from "../../src/protocol/plural.ts";
import { useRedis } from "../support/fixture.ts";
import { runToEnd } from "../support/spawn-cli.ts";

const redis = useRedis();
type Client = ReturnType<typeof redis.open>;
const run = (resque: Client, args: string[], input?: string) =>
  runToEnd(args, { REDIS_URL: redis.server().url, RESQUE_NAMESPACE: resque.db.keys.namespace }, input);

describe("counts and their nouns", () => {
  it("plural()", () => {
    assert.equal(plural(1, "job"), "1 job");
    assert.equal(plural(0, "job"), "0 jobs");
    assert.equal(plural(2, "delayed copy", "delayed copies"), "2 delayed copies");
  });

  it("delayed list, enqueue-now and clear say 1 time, 1 delayed job", async () => {
    const resque = redis.open("plurals-delayed");
    await resque.enqueueAtWithQueue("q", 4102444800, "Report", 1);
    const list = await run(resque, ["delayed", "list"]);
    assert.match(list.out, /1 of 1 time shown;/, list.out);
    const clear = await run(resque, ["delayed", "clear"]);
    assert.match(clear.err, /at 1 time, and they cannot be brought back/);
    const now = await run(resque, ["delayed", "enqueue-now", "all"]);
    assert.match(now.out, /Enqueued 1 delayed job\./, now.out + now.err);
    await resque.enqueueAtWithQueue("q", 4102444800, "Report", 2);
    const cleared = await run(resque, ["delayed", "clear", "--yes"]);
    assert.match(cleared.out, /Cleared 1 delayed job\./);
  });

  it("enqueue --bulk says 1 job and 1 line", async () => {
    const resque = redis.open("plurals-bulk");
    const result = await run(resque, ["enqueue", "--queue", "q", "--bulk", "-"], '{"class":"A","args":[]}\nnot json\n');
    assert.equal(result.code, 1);
    assert.match(result.out + result.err, /Pushed 1 job to q\./);
    assert.match(result.err, /1 line was not a valid payload and was not pushed; fix it and push that line again\./);
    const many = Array.from({ length: 21 }, () => "nope").join("\n");
    const more = await run(resque, ["enqueue", "--queue", "q", "--bulk", "-"], `${many}\n`);
    assert.match(more.err, /\.\.\. and 1 more line not pushed/);
  });
});
