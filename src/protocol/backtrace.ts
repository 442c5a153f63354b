/**
 * Turn a JS stack into stock's failure backtrace: an array of `file:line:in \`method'` strings,
 * cut where the worker's own frames begin (stock cuts at lib/resque/job.rb).
 *
 * Jobs can throw anything: a string, undefined, an object without a prototype, an Error whose
 * `message` or `name` getter throws. Every read here is guarded, so describing a failure can
 * never fail itself (a throw here would leave the job in flight for ever).
 */
const FRAME = /^\s*at (?:(.+?) \()?(.+?):(\d+):\d+\)?$/;

const THREW = Symbol("threw");

/** Read `key` of `value`: undefined when `value` is not an object, THREW when the read throws. */
function readOrThrew(value: unknown, key: string): unknown {
  if ((typeof value !== "object" && typeof value !== "function") || value === null) return undefined;
  try {
    return (value as Record<string, unknown>)[key];
  } catch {
    return THREW;
  }
}

function read(value: unknown, key: string): unknown {
  const v = readOrThrew(value, key);
  return v === THREW ? undefined : v;
}

function isError(value: unknown): boolean {
  try {
    return value instanceof Error;
  } catch {
    return false; // a Proxy whose getPrototypeOf trap throws
  }
}

/** `String(value)`, or a description of its type when even that throws (Object.create(null)). */
function describe(value: unknown): string {
  try {
    return String(value);
  } catch {
    const name = read(read(value, "constructor"), "name");
    if (typeof name === "string" && name) return `a thrown ${name} that cannot be shown as text`;
    let nullPrototype = false;
    try {
      nullPrototype = Object.getPrototypeOf(value as object) === null;
    } catch {
      // a Proxy whose getPrototypeOf trap throws
    }
    return `a thrown ${nullPrototype ? "null-prototype object" : typeof value} that cannot be shown as text`;
  }
}

/** Frames of `stack` above the first frame whose location contains `stopAt`. */
export function rubyBacktrace(stack: unknown, stopAt: string): string[] {
  if (typeof stack !== "string" || !stack) return [];
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
    const file = location.startsWith("file://") ? safeDecode(location.slice(7)) : location;
    frames.push(method ? `${file}:${lineNo}:in \`${method}'` : `${file}:${lineNo}`);
  }
  return frames;
}

const safeDecode = (text: string) => {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
};

/** The stack of a thrown value, when it has a readable one. */
export const errorStack = (error: unknown): string | undefined => {
  const stack = read(error, "stack");
  return typeof stack === "string" ? stack : undefined;
};

/** The class-like name stock shows as `exception`. */
export function exceptionName(error: unknown): string {
  if (isError(error)) {
    const name = read(error, "name");
    if (typeof name === "string" && name && name !== "Error") return name;
    const ctor = read(read(error, "constructor"), "name");
    return typeof ctor === "string" && ctor ? ctor : "Error";
  }
  return "Error";
}

/** The message stock shows as `error`. */
export function errorMessage(error: unknown): string {
  if (isError(error)) {
    const message = readOrThrew(error, "message");
    if (message === THREW) return "(the error's message could not be read: its getter threw)";
    return typeof message === "string" ? message : message === undefined ? "" : describe(message);
  }
  return typeof error === "string" ? error : describe(error);
}
