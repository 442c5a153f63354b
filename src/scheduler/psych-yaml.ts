/**
 * YAML read as Ruby reads a schedule file (`YAML.load_file`, Psych 4), then written as JSON the way
 * resque-scheduler stores each entry (`Resque.encode`, then `decode`): the `yaml` package only
 * parses (failsafe schema: every scalar stays text) and Psych's own rules give each scalar its
 * type (see protocol/psych-scalar.ts). Hash keys keep Ruby's identity (1, "1" and :"1" are three
 * keys until JSON makes them all "1"), a repeated key keeps its first place and its last value,
 * and `<<` merges as Psych's revive_hash does. Dates, times and symbols load as with
 * `YAML.unsafe_load` (Psych 4's `YAML.load` refuses dates and times) and become the strings Ruby's
 * JSON writes for them.
 */
import { isAlias, isMap, isScalar, isSeq, parseDocument, type Document, type Node as YamlNode } from "yaml";
import { formatRubyFloat, encodeJson } from "../protocol/json.ts";
import { tokenize, type RubyScalar } from "../protocol/psych-scalar.ts";

export type RubyValue = RubyScalar | RubyValue[] | RubyHash;

/** A Ruby Hash: insertion order, and a re-assigned key keeps its place (and its first key object). */
export class RubyHash {
  readonly entries = new Map<string, { key: RubyValue; value: RubyValue }>();
  set(key: RubyValue, value: RubyValue): void {
    const id = identity(key);
    const old = this.entries.get(id);
    if (old) old.value = value;
    else this.entries.set(id, { key, value });
  }
  /** Hash#merge!: the other's entries overwrite. */
  merge(other: RubyHash): void {
    for (const { key, value } of other.entries.values()) this.set(key, value);
  }
}

/** Ruby's eql? for keys Psych can make: same class and value; equal Times are one key whatever their zone. */
function identity(key: RubyValue): string {
  if (Array.isArray(key) || key instanceof RubyHash) throw new Error("a key that is a list or a map (JSON keys are strings)");
  switch (key.kind) {
    case "nil":
      return "nil";
    case "bool":
      return String(key.value);
    case "str":
    case "sym":
      return `${key.kind}:${key.value}`;
    case "int":
      return `int:${key.value}`;
    case "float":
      // 0.0 and -0.0 hash alike in Ruby; NaN from Psych is one constant, so it is one key.
      return `float:${String(key.value)}`;
    case "date":
      return `date:${key.text}`;
    case "time":
      return `time:${key.instant}`;
  }
}

const MAX_DEPTH = 1000;
const MAX_VALUES = 1_000_000;

/** `localOffsetMinutes`: the zone a time written without one is shown in (default: this process's, as Ruby's Time.at). */
export interface PsychOptions {
  localOffsetMinutes?: (epochMs: number) => number;
}

class Loader {
  readonly #doc: Document;
  readonly #tokenize: (text: string) => RubyScalar;
  readonly #done = new Map<YamlNode, RubyValue>();
  readonly #open = new Set<YamlNode>();
  constructor(doc: Document, options: PsychOptions) {
    this.#doc = doc;
    const offset = options.localOffsetMinutes;
    this.#tokenize = offset ? (text) => tokenize(text, offset) : (text) => tokenize(text);
  }

  value(node: unknown, depth: number): RubyValue {
    if (depth > MAX_DEPTH) throw new Error(`it is nested more than ${MAX_DEPTH} levels deep`);
    if (node === null || node === undefined) return { kind: "nil" };
    if (isAlias(node)) {
      const target = node.resolve(this.#doc) as YamlNode | undefined;
      if (!target) throw new Error(`the alias *${node.source} names no anchor before it`);
      if (this.#open.has(target)) throw new Error(`the alias *${node.source} refers to a list or map that contains it`);
      return this.#done.get(target) ?? this.value(target, depth);
    }
    const tag = (node as { tag?: string }).tag;
    if (tag !== undefined && /^!ruby\//.test(tag) && !/^!ruby\/(string|sym|symbol)(:|$)/.test(tag)) {
      throw new Error(`the tag ${tag} makes a Ruby object; schedules hold only JSON values`);
    }
    if (isScalar(node)) {
      const value = this.#scalar(String(node.value ?? ""), node.type, tag);
      this.#done.set(node, value);
      return value;
    }
    if (tag !== undefined && /^(!|tag:yaml\.org,2002:)(omap|set|pairs)$/.test(tag))
      throw new Error(`the tag ${tag} is not supported; use a plain map or list`);
    this.#open.add(node as YamlNode);
    try {
      if (isSeq(node)) {
        const list: RubyValue[] = [];
        this.#done.set(node, list);
        for (const item of node.items) list.push(this.value(item, depth + 1));
        return list;
      }
      if (isMap(node)) {
        const hash = new RubyHash();
        this.#done.set(node, hash);
        for (const pair of node.items) this.#pair(hash, pair.key, pair.value, depth);
        return hash;
      }
    } finally {
      this.#open.delete(node as YamlNode);
    }
    throw new Error("it holds a YAML node that is neither a scalar, a list nor a map");
  }

  /** Psych's revive_hash for one pair, `<<` merges included. */
  #pair(hash: RubyHash, k: unknown, v: unknown, depth: number): void {
    const key = this.value(k, depth + 1);
    const value = this.value(v, depth + 1);
    const keyTag = (k as { tag?: string } | null)?.tag;
    if (
      !Array.isArray(key) &&
      !(key instanceof RubyHash) &&
      key.kind === "str" &&
      key.value === "<<" &&
      keyTag !== "tag:yaml.org,2002:str"
    ) {
      if ((isAlias(v) || isMap(v)) && value instanceof RubyHash) return hash.merge(value);
      if (isSeq(v) && Array.isArray(value) && value.every((h) => h instanceof RubyHash)) {
        const merged = new RubyHash();
        for (const h of [...value].reverse()) merged.merge(h as RubyHash);
        return hash.merge(merged);
      }
    }
    hash.set(key, value);
  }

  /** Psych's deserialize: quoted and block scalars are strings unless tagged; tags pick the type. */
  #scalar(text: string, type: string | undefined, tag: string | undefined): RubyValue {
    if (tag === undefined) return type === "PLAIN" ? this.#tokenize(text) : { kind: "str", value: text };
    if (tag === "!binary" || tag === "tag:yaml.org,2002:binary") return { kind: "str", value: base64Text(text) };
    const strTag = /^!(?:str|ruby\/string)(?::(.*))?$/.exec(tag);
    if (strTag || tag === "tag:yaml.org,2002:str") {
      if (strTag?.[1]) throw new Error(`the tag ${tag} makes a Ruby object; schedules hold only JSON values`);
      return { kind: "str", value: text };
    }
    if (tag === "tag:yaml.org,2002:float" || tag === "!float") return { kind: "float", value: rubyFloatOf(this.#tokenize(text), text) };
    if (/^!ruby\/sym(bol)?:?(.*)?$/.test(tag)) return { kind: "sym", value: text };
    return this.#tokenize(text);
  }
}

/** `!!binary`: Ruby's unpack('m'), which JSON can write only when the bytes are UTF-8. */
function base64Text(text: string): string {
  const bytes = Uint8Array.from(atob(text.replace(/[^A-Za-z0-9+/=]/g, "")), (c) => c.charCodeAt(0));
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new Error("a !!binary value that is not UTF-8 text (Ruby's JSON cannot write it)");
  }
}

/** Kernel#Float of what tokenize gave (`!!float 1` is 1.0); nil, booleans, dates fail as in Ruby. */
function rubyFloatOf(v: RubyScalar, text: string): number {
  if (v.kind === "int") return Number(v.value);
  if (v.kind === "float") return v.value;
  if (v.kind === "str" && /^[-+]?(\d+(_\d+)*)?(\.\d+(_\d+)*)?([eE][-+]?\d+)?$/.test(v.value.trim()) && /\d/.test(v.value))
    return Number(v.value.trim().replace(/_/g, ""));
  throw new Error(`!!float ${JSON.stringify(text)} is not a number (Ruby's Float() refuses it)`);
}

/** Parse YAML as Psych loads it (the first and only document); nil for an empty file. */
export function loadPsychYaml(text: string, options: PsychOptions = {}): RubyValue {
  const doc = parseDocument(text, { version: "1.1", schema: "failsafe", uniqueKeys: false });
  if (doc.errors.length > 0) throw new SyntaxError(doc.errors[0]!.message);
  return new Loader(doc, options).value(doc.contents, 0);
}

/** The string JSON writes for a key: Ruby's to_s. */
export function keyText(key: RubyValue): string {
  if (Array.isArray(key) || key instanceof RubyHash) throw new Error("a key that is a list or a map (JSON keys are strings)");
  switch (key.kind) {
    case "nil":
      return "";
    case "bool":
      return String(key.value);
    case "str":
    case "sym":
      return key.value;
    case "int":
      return key.value.toString();
    case "float":
      return Number.isNaN(key.value)
        ? "NaN"
        : Number.isFinite(key.value)
          ? formatRubyFloat(key.value)
          : key.value > 0
            ? "Infinity"
            : "-Infinity";
    case "date":
    case "time":
      return key.text;
  }
}

/** A hash's members as JSON.parse leaves them: keys by their text, a repeated text in its first place with its last value. */
export function jsonMembers(hash: RubyHash): Map<string, RubyValue> {
  const members = new Map<string, RubyValue>();
  for (const { key, value } of hash.entries.values()) members.set(keyText(key), value);
  return members;
}

/** `value` as resque-scheduler stores it (Resque.encode, after a decode); throws where Ruby's scheduler could not load it. */
export function rubyJson(value: RubyValue): string {
  const budget = { left: MAX_VALUES };
  return write(value, "", budget, 0);
}

function write(value: RubyValue, path: string, budget: { left: number }, depth: number): string {
  if (--budget.left < 0) throw new Error(`its aliases expand to more than ${MAX_VALUES} values`);
  if (depth > MAX_DEPTH) throw new Error(`it is nested more than ${MAX_DEPTH} levels deep`);
  if (Array.isArray(value)) return `[${value.map((item, i) => write(item, `${path}[${i}]`, budget, depth + 1)).join(",")}]`;
  if (value instanceof RubyHash) {
    const parts: string[] = [];
    for (const [key, item] of jsonMembers(value))
      parts.push(`${encodeJson(key)}:${write(item, path ? `${path}.${key}` : key, budget, depth + 1)}`);
    return `{${parts.join(",")}}`;
  }
  switch (value.kind) {
    case "nil":
      return "null";
    case "bool":
      return String(value.value);
    case "str":
    case "sym":
      return encodeJson(value.value);
    case "int":
      return value.value.toString();
    case "float":
      // Ruby writes NaN / Infinity, which its own JSON.parse (and every scheduler) then refuses.
      if (!Number.isFinite(value.value)) throw new Error(`${path || "the value"} is ${value.value}, which JSON cannot hold`);
      return formatRubyFloat(value.value);
    case "date":
    case "time":
      return encodeJson(value.text);
  }
}
