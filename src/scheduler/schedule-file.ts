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

/** One entry of the file: its settings as a value (YAML), or as the exact JSON text (a .json file). */
type FileEntry = { name: string; value: unknown } | { name: string; raw: string };

/** YAML as Ruby's Psych reads it: YAML 1.1 (yes/no are booleans), floats kept as floats, `:symbols` as their names. */
function yamlEntries(text: string, file: string): FileEntry[] {
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
  const top = doc.toJS() as unknown;
  if (top === null || top === undefined) return [];
  if (typeof top !== "object" || Array.isArray(top)) throw new ResqueError("BAD_CONFIG", `Schedule file ${file} must map schedule names to their settings (name: { cron: ..., class: ... }).`);
  return Object.entries(top as Record<string, unknown>).map(([name, value]) => ({ name, value }));
}

/** JSON keeps its own bytes (floats stay 2.0, key order kept) instead of a decode and re-encode. */
function jsonEntries(text: string, file: string): FileEntry[] {
  let top;
  try {
    top = decodeJson(text);
  } catch (error) {
    throw new ResqueError("BAD_CONFIG", `Schedule file ${file} is not valid JSON: ${(error as Error).message}`);
  }
  if (top === null || typeof top !== "object" || Array.isArray(top)) throw new ResqueError("BAD_CONFIG", `Schedule file ${file} must be a JSON object mapping schedule names to their settings.`);
  return [...rawMembers(text)].map(([name, raw]) => ({ name, raw: canonicalJson(raw) }));
}

/** The entry's settings as JSON text; throws an Error saying what is wrong with them. */
function entryJson(entry: FileEntry): string {
  const settings = "raw" in entry ? decodeJson(entry.raw) : entry.value;
  if (settings === null || typeof settings !== "object" || Array.isArray(settings)) {
    throw new Error(`its settings must be a map (cron/every, class, queue, args...), got ${"raw" in entry ? entry.raw : JSON.stringify(settings)}`);
  }
  if ("raw" in entry) return entry.raw;
  const problem = jsonProblem(settings, "settings");
  if (problem) throw new Error(problem);
  return encodeJson(settings);
}

/**
 * Parse and check a schedule file (`.json` as JSON, anything else as YAML) at `now` (ms). A missing
 * `class` is the entry's name, as Ruby's prepare_schedules does. Throws one BAD_CONFIG ResqueError
 * listing every bad entry, so a file with any problem loads nothing.
 */
export function parseScheduleFile(text: string, file: string, now: number): StaticSchedule {
  const entries = file.toLowerCase().endsWith(".json") ? jsonEntries(text, file) : yamlEntries(text, file);
  const schedule: StaticSchedule = new Map();
  const problems: string[] = [];
  for (const entry of entries) {
    try {
      let json = entryJson(entry);
      if (!rawMembers(json).has("class")) json = withMember(json, "class", JSON.stringify(entry.name));
      readScheduleConfig(entry.name, json, now);
      schedule.set(entry.name, json);
    } catch (error) {
      problems.push(`entry "${entry.name}": ${(error as Error).message}`);
    }
  }
  if (problems.length > 0) throw new ResqueError("BAD_CONFIG", `Schedule file ${file} has ${problems.length} bad ${problems.length === 1 ? "entry" : "entries"}; nothing was loaded:\n  ${problems.join("\n  ")}`);
  return schedule;
}
