/**
 * A static schedule file in resque-scheduler's format (what Ruby apps pass to `Resque.schedule =
 * YAML.load_file(...)`): name -> { cron | every, class, queue, args, ... }, as YAML or JSON. Every entry
 * is checked before anything runs; the errors name the entry and the problem.
 */
import { parseDocument, visit } from "yaml";
import { ResqueError } from "../errors.ts";
import { canonicalJson, decodeJson } from "../protocol/json-decode.ts";
import { rawMembers, withMember } from "../protocol/json-members.ts";
import { encodeJson, float } from "../protocol/json.ts";
import { jsonProblem, readScheduleConfig } from "../protocol/schedule-config.ts";

/** name -> config JSON text, in file order. */
export type StaticSchedule = Map<string, string>;

// Psych (YAML 1.1) reads only these as floats; `1e3` stays a string there, and `2.0` must stay 2.0 in JSON.
const PSYCH_FLOAT = /^[-+]?([0-9][0-9_,]*)?\.[0-9]*([eE][-+][0-9]+)?$/;
const SYMBOL = /^:[A-Za-z_][A-Za-z0-9_]*[?!]?$/;

/** YAML as Ruby's Psych reads it: YAML 1.1 (yes/no are booleans), floats kept as floats, `:symbols` as their names. */
function yamlEntries(text: string, file: string): [string, unknown][] {
  const doc = parseDocument(text, { version: "1.1", intAsBigInt: true, uniqueKeys: true });
  if (doc.errors.length > 0) throw new ResqueError("BAD_CONFIG", `Schedule file ${file} is not valid YAML: ${doc.errors[0]!.message}`);
  visit(doc, {
    Scalar(_key, node) {
      const source = node.source ?? "";
      if (typeof node.value === "bigint" && Number.isSafeInteger(Number(node.value))) node.value = Number(node.value);
      else if (typeof node.value === "number" && Number.isFinite(node.value)) node.value = PSYCH_FLOAT.test(source) ? float(node.value) : source;
      else if (typeof node.value === "string" && node.type === "PLAIN" && SYMBOL.test(source)) node.value = source.slice(1);
    },
  });
  const top = doc.toJS({ mapAsMap: false }) as unknown;
  if (top === null || top === undefined) return [];
  if (typeof top !== "object" || Array.isArray(top)) throw new ResqueError("BAD_CONFIG", `Schedule file ${file} must map schedule names to their settings (name: { cron: ..., class: ... }).`);
  return Object.entries(top as Record<string, unknown>).map(([name, value]) => [name, value]);
}

/** JSON keeps its own bytes (floats stay 2.0, key order kept) instead of a decode and re-encode. */
function jsonEntries(text: string, file: string): [string, unknown][] {
  let top;
  try {
    top = decodeJson(text);
  } catch (error) {
    throw new ResqueError("BAD_CONFIG", `Schedule file ${file} is not valid JSON: ${(error as Error).message}`);
  }
  if (top === null || typeof top !== "object" || Array.isArray(top)) throw new ResqueError("BAD_CONFIG", `Schedule file ${file} must be a JSON object mapping schedule names to their settings.`);
  return [...rawMembers(text)].map(([name, raw]) => [name, { raw }]);
}

const isMap = (v: unknown): boolean => v !== null && typeof v === "object" && !Array.isArray(v);

/**
 * Parse and check a schedule file (`.json` as JSON, anything else as YAML) at `now` (ms). A missing
 * `class` is the entry's name, as Ruby's prepare_schedules does. Throws one BAD_CONFIG ResqueError
 * listing every bad entry, so a file with any problem loads nothing.
 */
export function parseScheduleFile(text: string, file: string, now: number): StaticSchedule {
  const entries = file.toLowerCase().endsWith(".json") ? jsonEntries(text, file) : yamlEntries(text, file);
  const schedule: StaticSchedule = new Map();
  const problems: string[] = [];
  for (const [name, value] of entries) {
    const raw = isMap(value) && typeof (value as { raw?: unknown }).raw === "string" ? (value as { raw: string }).raw : undefined;
    if (raw === undefined && !isMap(value)) {
      problems.push(`entry "${name}": its settings must be a map (cron/every, class, queue, args...), got ${JSON.stringify(value)}`);
      continue;
    }
    const problem = raw === undefined ? jsonProblem(value, "settings") : undefined;
    if (problem) {
      problems.push(`entry "${name}": ${problem}`);
      continue;
    }
    let json = raw === undefined ? encodeJson(value) : raw.startsWith("{") ? canonicalJson(raw) : raw;
    try {
      if (!json.startsWith("{")) throw new Error(`its settings must be a map (cron/every, class, queue, args...), got ${json}`);
      if (!rawMembers(json).has("class")) json = withMember(json, "class", JSON.stringify(name));
      readScheduleConfig(name, json, now);
      schedule.set(name, json);
    } catch (error) {
      problems.push(`entry "${name}": ${(error as Error).message}`);
    }
  }
  if (problems.length > 0) throw new ResqueError("BAD_CONFIG", `Schedule file ${file} has ${problems.length} bad ${problems.length === 1 ? "entry" : "entries"}; nothing was loaded:\n  ${problems.join("\n  ")}`);
  return schedule;
}
