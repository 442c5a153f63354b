/** The dashboard's HTTP status for an error: one table, read off the ResqueError's code. */
import { ResqueError, type ResqueErrorCode } from "../errors.ts";

/**
 * Every code's status, so a new code cannot be added without choosing one. The client's refusals of
 * a request are 4xx; whatever else reaches the dashboard (Redis gone, a bad config) is its own fault: 500.
 */
const HTTP_STATUS: Readonly<Record<ResqueErrorCode, 400 | 404 | 409 | 500>> = {
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
  // The worker is there but runs no such job (it finished meanwhile): the request conflicts with its state.
  NO_JOB: 409,
  NO_FAILED_JOB: 400,
  BAD_RECORD: 400,
  USAGE: 400,
  NOT_DURABLE: 500,
};

/** The status for `error`; anything not a ResqueError is a bug: 500. */
export const httpStatusFor = (error: unknown): 400 | 404 | 409 | 500 => (error instanceof ResqueError ? HTTP_STATUS[error.code] : 500);
