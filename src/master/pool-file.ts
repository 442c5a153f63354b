/**
 * resque-pool's config file (resque-pool.yml): top-level `"queue,list": count` lines are the
 * defaults; a top-level key whose value is a mapping is an environment section, and the chosen
 * environment's section is merged over the defaults (Ruby's Hash#merge!: a group it names keeps its
 * place, new ones go last); every other section is ignored. A count of 0 turns a group off.
 * See resque-pool's lib/resque/pool/file_or_hash_loader.rb (apply_environment).
 *
 * Beyond resque-pool, a group may be a mapping of settings instead of a count:
 * `"foo,bar": { count: 2, threads: 8, jobs_per_fork: 1000 }`. A mapping that has `count` (and no
 * keys but count, threads and jobs_per_fork) is such a group; one with none of those three keys is
 * an environment section; anything in between is an error, since it could be either.
 */
import { LineCounter, parseDocument, type Document } from "yaml";
import { ResqueError } from "../errors.ts";
import { parseQueueList } from "../protocol/queue-list.ts";

/** One group of identical worker processes: `count` processes working `queues` (a QUEUE-style list). */
export interface PoolGroup {
  queues: string;
  count: number;
  threads?: number;
  jobsPerFork?: number;
}

/** `environment` picks the section (see poolEnvironment); `source` names the file in errors. */
export interface PoolFileOptions {
  environment?: string | undefined;
  source?: string | undefined;
}

const SETTINGS = ["count", "threads", "jobs_per_fork"];
const EXAMPLE = `"critical,high": 2`;

/** The environment resque-pool reads: RACK_ENV, then RAILS_ENV, then RESQUE_ENV; none means defaults only. */
export function poolEnvironment(env: (name: string) => string | undefined): string | undefined {
  // Ruby's `||` would stop at an empty RACK_ENV; an empty variable counts as unset here, as elsewhere.
  for (const name of ["RACK_ENV", "RAILS_ENV", "RESQUE_ENV"]) {
    const value = env(name);
    if (value !== undefined && value !== "") return value;
  }
  return undefined;
}

class PoolFile {
  readonly #doc: Document;
  readonly #lines: LineCounter;
  readonly #name: string;

  constructor(doc: Document, lines: LineCounter, name: string) {
    this.#doc = doc;
    this.#lines = lines;
    this.#name = name;
  }

  /** A BAD_CONFIG error located at `path` (raw YAML keys) when the node can be found. */
  fail(path: readonly unknown[], message: string): ResqueError {
    const node = path.length > 0 ? this.#doc.getIn(path, true) : undefined;
    const range = (node as { range?: [number, number, number] } | undefined)?.range;
    const at = range ? ` line ${this.#lines.linePos(range[0]).line}` : "";
    return new ResqueError("BAD_CONFIG", `${this.#name}${at}: ${message}`);
  }

  /** A QUEUE-style list from a key, trimmed; an entry-less key is an error. */
  queues(path: readonly unknown[], raw: unknown): string {
    if (typeof raw !== "string" && typeof raw !== "number") {
      throw this.fail(path, `keys must be queue lists (${EXAMPLE}), got ${describe(raw)}.`);
    }
    const entries = String(raw)
      .split(",")
      .map((e) => e.trim())
      .filter((e) => e.length > 0);
    try {
      parseQueueList(entries);
    } catch (error) {
      if (!(error instanceof ResqueError && error.code === "NO_QUEUE")) throw error;
      throw this.fail(path, `"${String(raw)}" names no queue to work; write queue names separated by commas (${EXAMPLE}).`);
    }
    return entries.join(",");
  }

  /** A group's value: a worker count, or the { count, threads, jobs_per_fork } extension. */
  group(path: readonly unknown[], queues: string, value: unknown): PoolGroup {
    if (!(value instanceof Map)) return { queues, count: this.whole(path, `"${queues}"`, value, 0, `"${queues}": 2`) };
    const setting = (key: string, min: number, example: number) =>
      this.whole([...path, key], `"${queues}" ${key}`, value.get(key), min, `${key}: ${example}`);
    const group: PoolGroup = { queues, count: setting("count", 0, 2) };
    if (value.has("threads")) group.threads = setting("threads", 1, 8);
    if (value.has("jobs_per_fork")) group.jobsPerFork = setting("jobs_per_fork", 1, 1000);
    return group;
  }

  whole(path: readonly unknown[], what: string, value: unknown, min: number, example: string): number {
    if (typeof value === "number" && Number.isSafeInteger(value) && value >= min) return value;
    const want = min === 0 ? "a whole number of workers, 0 or more (0 turns the group off)" : `a whole number, ${min} or more`;
    const quoted = typeof value === "string" && /^\s*-?\d+\s*$/.test(value) ? ", without quotes" : "";
    throw this.fail(path, `${what} is ${describe(value)}; write ${want}${quoted}, as in ${example}.`);
  }

  /** Queue groups of one mapping (the top level or a section), in file order, keyed by queue list. */
  groups(path: readonly unknown[], map: Map<unknown, unknown>, sections?: Map<string, Map<unknown, unknown>>): Map<string, PoolGroup> {
    const out = new Map<string, PoolGroup>();
    for (const [raw, value] of map) {
      const at = [...path, raw];
      if (value instanceof Map && kind(value) === "section") {
        if (!sections)
          throw this.fail(
            at,
            `"${String(raw)}" is a mapping inside an environment section; sections do not nest. Write "${String(raw)}": 2, or { count: 2, threads: 8 } for a group.`,
          );
        sections.set(String(raw), value);
        continue;
      }
      if (value instanceof Map && kind(value) === "mixed") {
        const keys = [...value.keys()].map(String);
        if (keys.every((k) => SETTINGS.includes(k))) {
          throw this.fail(
            at,
            `"${String(raw)}" has ${keys.join(" and ")} but no count; write { count: 2, ${keys.map((k) => `${k}: ...`).join(", ")} }.`,
          );
        }
        throw this.fail(
          at,
          `"${String(raw)}" mixes group settings (${keys.filter((k) => SETTINGS.includes(k)).join(", ")}) with other keys (${keys.filter((k) => !SETTINGS.includes(k)).join(", ")}). A group is "queues": { count: 2, threads: 8, jobs_per_fork: 1000 } (count required); an environment section holds "queues": count lines and cannot name a queue count, threads or jobs_per_fork.`,
        );
      }
      const queues = this.queues(at, raw);
      if (out.has(queues)) throw this.fail(at, `the queue list "${queues}" appears twice; keep one line per queue list.`);
      out.set(queues, this.group(at, queues, value));
    }
    return out;
  }
}

function kind(map: Map<unknown, unknown>): "group" | "section" | "mixed" {
  const keys = [...map.keys()];
  const settings = keys.filter((k) => typeof k === "string" && SETTINGS.includes(k)).length;
  if (settings === 0) return "section";
  return settings === keys.length && map.has("count") ? "group" : "mixed";
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return "empty";
  if (value instanceof Map) return "a mapping";
  if (Array.isArray(value)) return "a list";
  return typeof value === "string" ? `"${value}" (text)` : String(value);
}

/** The worker groups `text` (a resque-pool.yml) asks for in `options.environment`, in resque-pool's order. */
export function parsePoolFile(text: string, options: PoolFileOptions = {}): PoolGroup[] {
  const name = options.source ?? "the pool file";
  const erb = text.indexOf("<%");
  if (erb >= 0) {
    const line = text.slice(0, erb).split("\n").length;
    throw new ResqueError(
      "BAD_CONFIG",
      `${name} line ${line}: uses ERB (<% %>), which resque-pool runs as Ruby and this worker cannot; write the values out, or render it first (erb ${options.source ?? "resque-pool.yml"} > rendered.yml) and point --pool at the result.`,
    );
  }
  const lines = new LineCounter();
  // Psych (Ruby's YAML) would accept a repeated key, last one winning; here it is a mistake to report.
  const doc = parseDocument(text, { lineCounter: lines, merge: true, uniqueKeys: true, prettyErrors: true });
  const syntax = doc.errors[0];
  if (syntax) {
    const hint = /^\s*[*!&]/m.test(text) ? `\nQuote queue lists that start with * or ! ("*": 2, "!low,*": 1).` : "";
    throw new ResqueError("BAD_CONFIG", `${name} is not valid YAML: ${syntax.message.trimEnd()}${hint}`, { cause: syntax });
  }
  const file = new PoolFile(doc, lines, name);
  const js: unknown = doc.toJS({ mapAsMap: true, maxAliasCount: 1000 });
  if (js !== null && js !== undefined && !(js instanceof Map)) {
    throw new ResqueError("BAD_CONFIG", `${name} must map queue lists to worker counts (${EXAMPLE}), but it holds ${describe(js)}.`);
  }
  const root: Map<unknown, unknown> = js instanceof Map ? js : new Map();

  const sections = new Map<string, Map<unknown, unknown>>();
  const groups = file.groups([], root, sections);
  const sectionGroups = new Map([...sections].map(([env, map]) => [env, file.groups([env], map)] as const));
  const env = options.environment;
  if (env !== undefined && root.get(env) instanceof Map && !sections.has(env)) {
    throw file.fail(
      [env],
      `"${env}" is the environment being run and also a { count: ... } group, so it could be either; rename the queue list or the environment.`,
    );
  }
  for (const [queues, group] of (env !== undefined && sectionGroups.get(env)) || []) groups.set(queues, group);

  const result = [...groups.values()].filter((g) => g.count > 0);
  if (result.length === 0) {
    const found = sections.size > 0 ? ` (its environment sections: ${[...sections.keys()].join(", ")})` : "";
    const advice =
      env === undefined && sections.size > 0
        ? "set RACK_ENV, RAILS_ENV or RESQUE_ENV to pick a section, or add top-level lines"
        : `add lines like ${EXAMPLE} (queue list: worker count)${env === undefined ? "" : ` at the top level or in the ${env} section`}`;
    throw new ResqueError(
      "BAD_CONFIG",
      `${name} has no worker groups${env === undefined ? "" : ` for environment "${env}"`}${found}; ${advice}.`,
    );
  }
  return result;
}
