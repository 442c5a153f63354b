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
  const value = new Reader(canonicalJson(argsJson)).value();
  return value.kind === "array" ? joinItems(value.items) : toS(value);
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

type Node =
  | { kind: "array"; items: Node[] }
  | { kind: "object"; entries: [string, Node][] }
  | { kind: "string"; value: string }
  /** Numbers, true, false, null: the canonical token, which is Ruby's to_s except for null. */
  | { kind: "literal"; text: string };

/** Array#join: nested arrays join with the same separator, nil becomes "", the rest is to_s. */
const joinItems = (items: Node[]): string => items.map((n) => (n.kind === "array" ? joinItems(n.items) : toS(n))).join("-");

function toS(n: Node): string {
  if (n.kind === "string") return n.value;
  if (n.kind === "literal") return n.text === "null" ? "" : n.text;
  return inspect(n);
}

/** Ruby <= 3.3's #inspect (Ruby 3.4 writes hashes as `{"a" => 1}`; a 3.4 fleet would count hash args apart). */
function inspect(n: Node): string {
  switch (n.kind) {
    case "string":
      return inspectString(n.value);
    case "literal":
      return n.text === "null" ? "nil" : n.text;
    case "array":
      return `[${n.items.map(inspect).join(", ")}]`;
    case "object":
      return `{${n.entries.map(([k, v]) => `${inspectString(k)}=>${inspect(v)}`).join(", ")}}`;
  }
}

const ESCAPES: Record<string, string> = { '"': '\\"', "\\": "\\\\", "\n": "\\n", "\t": "\\t", "\r": "\\r", "\f": "\\f", "\v": "\\v", "\b": "\\b", "\x07": "\\a", "\x1b": "\\e" };

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

/** A reader for canonical (well-formed, space-free) JSON that keeps number tokens as text. */
class Reader {
  #i = 0;
  readonly #text: string;
  constructor(text: string) {
    this.#text = text;
  }

  value(): Node {
    const c = this.#text[this.#i];
    if (c === "[") {
      this.#i++;
      const items: Node[] = [];
      while (this.#text[this.#i] !== "]") {
        items.push(this.value());
        if (this.#text[this.#i] === ",") this.#i++;
      }
      this.#i++;
      return { kind: "array", items };
    }
    if (c === "{") {
      this.#i++;
      const entries: [string, Node][] = [];
      while (this.#text[this.#i] !== "}") {
        const key = this.#string();
        this.#i++; // ':'
        entries.push([key, this.value()]);
        if (this.#text[this.#i] === ",") this.#i++;
      }
      this.#i++;
      return { kind: "object", entries };
    }
    if (c === '"') return { kind: "string", value: this.#string() };
    const start = this.#i;
    while (this.#i < this.#text.length && !",]}".includes(this.#text[this.#i]!)) this.#i++;
    return { kind: "literal", text: this.#text.slice(start, this.#i) };
  }

  #string(): string {
    const start = this.#i++;
    while (this.#text[this.#i] !== '"') this.#i += this.#text[this.#i] === "\\" ? 2 : 1;
    this.#i++;
    return JSON.parse(this.#text.slice(start, this.#i)) as string;
  }
}
