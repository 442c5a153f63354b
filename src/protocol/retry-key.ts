/**
 * resque-retry's attempt-count key, so Ruby and TypeScript workers running the same job share
 * one count: `resque-retry:<Class>:<sha1(args.join('-'))>` (`resque-retry:<Class>` when the
 * join is empty), with whitespace removed. Ruby's Array#join is rebuilt from the args' JSON text
 * as Ruby decodes it, so floats keep Ruby's form (`2.0`) and big integers every digit.
 */
import { canonicalJson } from "./json-decode.ts";
import { rubyEscapes } from "./ruby-printable.ts";

/** Ruby's `args.join('-')` for args given as JSON text (the payload's `args` member). */
export function rubyArgsJoin(argsJson: string): string {
  return joinCanonical(canonicalJson(argsJson));
}

/** The identifier part of the key: sha1 hex of the join, or undefined when the join is empty. */
export async function retryIdentifier(argsJson: string): Promise<string | undefined> {
  const joined = rubyArgsJoin(argsJson);
  if (joined === "") return undefined;
  const digest = await crypto.subtle.digest("SHA-1", new TextEncoder().encode(joined));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** The key without the namespace, as resque-retry's redis_retry_key builds it. */
export const retryKeySuffix = (className: string, identifier: string | undefined): string =>
  ["resque-retry", className, ...(identifier === undefined ? [] : [identifier])].join(":").replace(/[ \t\n\v\f\r]/g, ""); // Ruby's /\s/ is ASCII only

const ESCAPES: Record<string, string> = {
  '"': '\\"',
  "\\": "\\\\",
  "\n": "\\n",
  "\t": "\\t",
  "\r": "\\r",
  "\f": "\\f",
  "\v": "\\v",
  "\b": "\\b",
  "\x07": "\\a",
  "\x1b": "\\e",
};

/** String#inspect of a UTF-8 string under a UTF-8 locale (Encoding.default_external UTF-8, as LANG=C.UTF-8 gives). */
export function inspectString(s: string): string {
  let out = "";
  let i = 0;
  for (const c of s) {
    i += c.length;
    const escape = ESCAPES[c];
    if (escape) out += escape;
    else if (c === "#" && (s[i] === "{" || s[i] === "$" || s[i] === "@")) out += "\\#";
    else {
      const code = c.codePointAt(0)!;
      if (!rubyEscapes(code)) out += c;
      else out += code > 0xffff ? `\\u{${code.toString(16).toUpperCase()}}` : `\\u${code.toString(16).toUpperCase().padStart(4, "0")}`;
    }
  }
  return `"${out}"`;
}

/**
 * One open array or object while walking the JSON: how its items are written (`join`: Array#join's
 * to_s, nested arrays flattened; `inspect`: #inspect) and what has been written so far. An explicit
 * stack, not recursion: a payload nested 100,000 levels deep must not overflow the call stack.
 */
interface Open {
  kind: "array" | "object";
  mode: "join" | "inspect";
  items: string[];
  /** Object members by key: a repeated key keeps its first place and its last value, as JSON.parse leaves it. */
  members?: Map<string, string>;
  key?: string;
}

/** Array#join('-') of the args as Ruby's JSON.parse gives them (Ruby <= 3.3's #inspect for hashes inside). */
function joinCanonical(text: string): string {
  const stack: Open[] = [];
  let result = "";
  /** A finished value goes to the array or object it is in (or is the result). */
  const put = (written: string, rawKey?: string): void => {
    const top = stack[stack.length - 1];
    if (!top) result = written;
    else if (top.kind === "array") top.items.push(written);
    else if (top.key === undefined) top.key = rawKey!;
    else {
      top.members!.set(top.key, written);
      top.key = undefined;
    }
  };
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    const top = stack[stack.length - 1];
    // Top-level args and arrays inside them are joined; a hash, and all inside it, is inspected.
    const mode = !top || (top.kind === "array" && top.mode === "join") ? "join" : "inspect";
    if (c === "," || c === ":") {
      i++;
    } else if (c === "[") {
      stack.push({ kind: "array", mode, items: [] });
      i++;
    } else if (c === "{") {
      stack.push({ kind: "object", mode: "inspect", items: [], members: new Map() });
      i++;
    } else if (c === "]" || c === "}") {
      const done = stack.pop()!;
      i++;
      if (done.kind === "object") put(`{${[...done.members!].map(([k, v]) => `${inspectString(k)}=>${v}`).join(", ")}}`);
      else put(done.mode === "join" ? done.items.join("-") : `[${done.items.join(", ")}]`);
    } else if (c === '"') {
      const start = i++;
      while (text[i] !== '"') i += text[i] === "\\" ? 2 : 1;
      i++;
      const value = JSON.parse(text.slice(start, i)) as string;
      const isKey = top?.kind === "object" && top.key === undefined;
      put(isKey ? "" : mode === "join" ? value : inspectString(value), value);
    } else {
      const start = i;
      while (i < text.length && !",]}".includes(text[i]!)) i++;
      // Numbers, true, false: the canonical token is Ruby's to_s and inspect; null is "" joined, nil inspected.
      const token = text.slice(start, i);
      put(token === "null" ? (mode === "join" ? "" : "nil") : token);
    }
  }
  return result;
}
