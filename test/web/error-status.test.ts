// The dashboard's HTTP status is read off the error's code in one table (src/web/error-status.ts): the
// client's refusals are 4xx, anything else (a bug, Redis gone) is 500. Pure: no Redis.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ResqueError, type ResqueErrorCode } from "../../src/errors.ts";
import { httpStatusFor } from "../../src/web/error-status.ts";

const EXPECTED: Record<ResqueErrorCode, number> = {
  REDIS_LOCATION: 500,
  REDIS_UNREACHABLE: 500,
  REDIS_AUTH: 500,
  REDIS_TLS: 500,
  NO_QUEUE: 500,
  NO_CLASS: 500,
  BAD_CONFIG: 500,
  SCHEDULE_FILE: 500,
  JOB_MODULE: 500,
  NO_WORKER: 404,
  NO_JOB: 409,
  NO_FAILED_JOB: 400,
  BAD_RECORD: 400,
  USAGE: 400,
  NOT_DURABLE: 500,
};

describe("web: HTTP status of an error", () => {
  it("is 400 for a refused request, 404 for no such worker, 409 for no such job, else 500", () => {
    for (const [code, status] of Object.entries(EXPECTED))
      assert.equal(httpStatusFor(new ResqueError(code as ResqueErrorCode, "x")), status, code);
  });

  it("is 500 for anything that is not a ResqueError, a RangeError from a stack overflow included", () => {
    for (const error of [new Error("x"), new RangeError("Maximum call stack size exceeded"), new TypeError("x"), "a string"])
      assert.equal(httpStatusFor(error), 500);
  });
});
