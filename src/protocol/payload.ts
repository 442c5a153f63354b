/** Job payloads: `{"class":"Name","args":[...]}`, byte-exact with stock, extra keys carried through. */
import { encodeJson, type JsonValue } from "./json.ts";
import { decodeJson } from "./json-decode.ts";

/** A payload a worker can run. */
export interface JobPayload {
  className: string;
  args: JsonValue[];
  /** The payload as decoded (extra keys included). */
  object: { [key: string]: JsonValue | undefined };
}

/** Why a popped payload cannot be run; it becomes a failure record holding the raw text. */
export interface MalformedPayload {
  problem: string;
}

/** Encode a payload exactly as `Resque.push` does: class first, args second, then any extras. */
export function encodePayload(className: string, args: readonly unknown[], extra?: Record<string, unknown>): string {
  return encodeJson(orderPayload(className, args, extra));
}

function orderPayload(className: string, args: readonly unknown[], extra?: Record<string, unknown>) {
  const ordered: Record<string, unknown> = { class: className, args: [...args] };
  for (const [key, value] of Object.entries(extra ?? {})) if (key !== "class" && key !== "args") ordered[key] = value;
  return ordered;
}

/** Decode a popped payload, or say plainly what is wrong with it. */
export function decodePayload(raw: string): JobPayload | MalformedPayload {
  let value: JsonValue;
  try {
    value = decodeJson(raw);
  } catch (error) {
    return { problem: `payload is not JSON (${(error as Error).message}): ${preview(raw)}` };
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    return { problem: `payload is not a JSON object: ${preview(raw)}` };
  }
  const object = value as { [key: string]: JsonValue | undefined };
  const className = object["class"];
  if (typeof className !== "string" || className.length === 0) {
    return { problem: `payload has no "class" naming the job: ${preview(raw)}` };
  }
  const args = object["args"];
  // Stock runs a payload without "args" as a job with no arguments.
  if (args === undefined || args === null) return { className, args: [], object };
  if (!Array.isArray(args)) return { problem: `payload "args" must be an array, got ${preview(encodeJson(args))}` };
  return { className, args, object };
}

export const isMalformed = (p: JobPayload | MalformedPayload): p is MalformedPayload => "problem" in p;

const preview = (text: string) => (text.length > 200 ? `${text.slice(0, 200)}... (${text.length} chars)` : text);
