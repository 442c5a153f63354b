/**
 * VERBOSE's per-job lines, shaped like stock's (`got: (Job{queue} | Class | args)`, `done: ...`,
 * `... failed: ...`), with the run time added. Arguments are cut, so a 10 MB payload does not
 * become a 10 MB log line.
 */
const MAX_ARGS = 200;

/** Stock's Job#inspect: `(Job{queue} | Class | args)`. */
export function jobInspect(queue: string, className: string, argsJson: string): string {
  const args = argsJson.length > MAX_ARGS ? `${argsJson.slice(0, MAX_ARGS)}...` : argsJson;
  return `(Job{${queue}} | ${className} | ${args})`;
}

export const gotLine = (job: string): string => `got: ${job}`;
export const doneLine = (job: string, ms: number): string => `done: ${job} in ${ms} ms`;
export const failedLine = (job: string, ms: number, exception: string, message: string): string =>
  `${job} failed in ${ms} ms: ${exception}: ${message}`;
