/**
 * Work on a JSON object's top-level members as raw text, so a record can be read and
 * rewritten (a failure's payload retried, `retried_at` added) without decoding numbers.
 */
import { canonicalJson, JsonDecodeError } from "./json-decode.ts";

/** The raw text of each top-level member of a JSON object, in document order. */
export function rawMembers(text: string): Map<string, string> {
  const members = new Map<string, string>();
  let i = skipSpace(text, 0);
  if (text[i] !== "{") throw new JsonDecodeError("expected a JSON object");
  i = skipSpace(text, i + 1);
  if (text[i] === "}") return members;
  for (;;) {
    const keyEnd = skipValue(text, i);
    const key = JSON.parse(text.slice(i, keyEnd)) as string;
    i = skipSpace(text, keyEnd);
    if (text[i] !== ":") throw new JsonDecodeError(`expected ':' at ${i}`);
    const start = skipSpace(text, i + 1);
    const end = skipValue(text, start);
    members.set(key, text.slice(start, end));
    i = skipSpace(text, end);
    if (text[i] === "}") return members;
    if (text[i] !== ",") throw new JsonDecodeError(`expected ',' at ${i}`);
    i = skipSpace(text, i + 1);
  }
}

/** Rewrite an object canonically with one member set (replaced in place, or appended), as Ruby's Hash#[]= would. */
export function withMember(text: string, key: string, valueJson: string): string {
  const members = rawMembers(text);
  members.set(key, valueJson);
  const parts = [...members].map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`);
  return `{${parts.join(",")}}`;
}

function skipSpace(text: string, i: number): number {
  while (i < text.length && " \t\n\r".includes(text[i]!)) i++;
  return i;
}

function skipValue(text: string, start: number): number {
  let depth = 0;
  let i = start;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '"') {
      i++;
      while (i < text.length && text[i] !== '"') i += text[i] === "\\" ? 2 : 1;
      i++;
    } else if (c === "{" || c === "[") {
      depth++;
      i++;
    } else if (c === "}" || c === "]") {
      if (depth === 0) return i;
      depth--;
      i++;
    } else if (c === "," && depth === 0) {
      return i;
    } else if (depth === 0 && " \t\n\r".includes(c)) {
      return i;
    } else i++;
    if (depth === 0 && (c === '"' || c === "}" || c === "]")) return i;
  }
  if (depth !== 0) throw new JsonDecodeError("unterminated JSON value");
  return i;
}
