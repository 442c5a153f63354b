// The CLI's exit code is read off the error's code in one table (src/cli/kit/errors.ts): 2 when Redis
// cannot be used or the schedule file does not load, 1 for every other error. Pure: no Redis.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { exitCodeFor, UsageError } from "../../src/cli/kit/errors.ts";
import { ResqueError, type ResqueErrorCode } from "../../src/errors.ts";

const EXPECTED: Record<ResqueErrorCode, number> = {
  REDIS_LOCATION: 1,
  REDIS_UNREACHABLE: 2,
  REDIS_AUTH: 2,
  REDIS_TLS: 2,
  NO_QUEUE: 1,
  NO_CLASS: 1,
  BAD_CONFIG: 1,
  SCHEDULE_FILE: 2,
  JOB_MODULE: 1,
  NO_WORKER: 1,
  NO_JOB: 1,
  NO_FAILED_JOB: 1,
  BAD_RECORD: 1,
  USAGE: 1,
  NOT_DURABLE: 2,
};

describe("cli: exit codes", () => {
  it("are 2 for Redis that cannot be used and a schedule file that does not load, else 1", () => {
    for (const [code, exit] of Object.entries(EXPECTED))
      assert.equal(exitCodeFor(new ResqueError(code as ResqueErrorCode, "x")), exit, code);
  });

  it("are 1 for anything that is not a ResqueError", () => {
    for (const error of [new Error("x"), new RangeError("x"), new TypeError("x"), "a string", undefined])
      assert.equal(exitCodeFor(error), 1);
  });

  it("a UsageError is a ResqueError with code USAGE, keeping its name and message", () => {
    const error = new UsageError("--port wants a TCP port");
    assert.ok(error instanceof ResqueError);
    assert.equal(error.code, "USAGE");
    assert.equal(error.name, "UsageError");
    assert.equal(error.message, "--port wants a TCP port");
    assert.equal(exitCodeFor(error), 1);
  });
});
