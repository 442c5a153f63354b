/**
 * Turn a JS stack into stock's failure backtrace: an array of `file:line:in \`method'` strings,
 * cut where the worker's own frames begin (stock cuts at lib/resque/job.rb).
 */
const FRAME = /^\s*at (?:(.+?) \()?(.+?):(\d+):\d+\)?$/;

/** Frames of `stack` above the first frame whose location contains `stopAt`. */
export function rubyBacktrace(stack: string | undefined, stopAt: string): string[] {
  if (!stack) return [];
  const frames: string[] = [];
  for (const line of stack.split("\n")) {
    if (!/^\s*at /.test(line)) continue;
    if (stopAt && line.includes(stopAt)) break;
    const match = FRAME.exec(line);
    if (!match) {
      frames.push(line.trim());
      continue;
    }
    const [, method, location = "", lineNo] = match;
    const file = location.startsWith("file://") ? decodeURIComponent(location.slice(7)) : location;
    frames.push(method ? `${file}:${lineNo}:in \`${method}'` : `${file}:${lineNo}`);
  }
  return frames;
}

/** The class-like name stock shows as `exception`. */
export function exceptionName(error: unknown): string {
  if (error instanceof Error) {
    if (error.name && error.name !== "Error") return error.name;
    const ctor = (error.constructor as { name?: string } | undefined)?.name;
    return ctor || "Error";
  }
  return "Error";
}

/** The message stock shows as `error`. */
export const errorMessage = (error: unknown): string =>
  error instanceof Error ? error.message : typeof error === "string" ? error : String(error);
