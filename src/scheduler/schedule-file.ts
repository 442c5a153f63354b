/**
 * A static schedule file in resque-scheduler's format (what Ruby apps pass to `Resque.schedule =
 * YAML.load_file(...)`): name -> { cron | every, class, queue, args, ... }, as YAML or JSON. Every entry
 * is checked before anything runs; the errors name the entry and the problem.
 */
import { ResqueError } from "../errors.ts";
import { canonicalJson, decodeJson } from "../protocol/json-decode.ts";
import { rawMembers, withMember } from "../protocol/json-members.ts";
import { readScheduleConfig } from "../protocol/schedule-config.ts";
import { jsonMembers, loadPsychYaml, RubyHash, rubyJson, type PsychOptions } from "./psych-yaml.ts";

/** name -> config JSON text, in file order. */
export type StaticSchedule = Map<string, string>;

/** One entry of the file: its settings as JSON text, or why Ruby could not store them. */
type FileEntry = { name: string; raw: string } | { name: string; problem: string };

/** YAML as Ruby's Psych reads it (see psych-yaml.ts), each entry's settings as resque-scheduler stores them. */
function yamlEntries(text: string, file: string, options: PsychOptions): FileEntry[] {
  let top;
  try {
    top = loadPsychYaml(text, options);
  } catch (error) {
    throw new ResqueError("BAD_CONFIG", `Schedule file ${file} is not valid YAML: ${(error as Error).message}`);
  }
  if (!Array.isArray(top) && !(top instanceof RubyHash) && top.kind === "nil") return [];
  if (!(top instanceof RubyHash))
    throw new ResqueError(
      "BAD_CONFIG",
      `Schedule file ${file} must map schedule names to their settings (name: { cron: ..., class: ... }).`,
    );
  let members;
  try {
    members = jsonMembers(top);
  } catch (error) {
    throw new ResqueError("BAD_CONFIG", `Schedule file ${file} has ${(error as Error).message} as a schedule name.`);
  }
  return [...members].map(([name, value]) => {
    try {
      return { name, raw: rubyJson(value) };
    } catch (error) {
      return { name, problem: (error as Error).message };
    }
  });
}

/** JSON keeps its own bytes (floats stay 2.0, key order kept) instead of a decode and re-encode. */
function jsonEntries(text: string, file: string): FileEntry[] {
  let top;
  try {
    top = decodeJson(text);
  } catch (error) {
    throw new ResqueError("BAD_CONFIG", `Schedule file ${file} is not valid JSON: ${(error as Error).message}`);
  }
  if (top === null || typeof top !== "object" || Array.isArray(top))
    throw new ResqueError("BAD_CONFIG", `Schedule file ${file} must be a JSON object mapping schedule names to their settings.`);
  return [...rawMembers(text)].map(([name, raw]) => ({ name, raw: canonicalJson(raw) }));
}

/** The entry's settings as JSON text; throws an Error saying what is wrong with them. */
function entryJson(entry: FileEntry): string {
  if ("problem" in entry) throw new Error(entry.problem);
  const settings = decodeJson(entry.raw);
  if (settings === null || typeof settings !== "object" || Array.isArray(settings)) {
    throw new Error(`its settings must be a map (cron/every, class, queue, args...), got ${entry.raw}`);
  }
  return entry.raw;
}

/**
 * Parse and check a schedule file (`.json` as JSON, anything else as YAML) at `now` (ms); `yaml`
 * sets the zone for YAML times written without one (tests). A missing `class` is the entry's name, as Ruby's prepare_schedules does. Throws one BAD_CONFIG ResqueError
 * listing every bad entry, so a file with any problem loads nothing.
 */
export function parseScheduleFile(text: string, file: string, now: number, yaml: PsychOptions = {}): StaticSchedule {
  const entries = file.toLowerCase().endsWith(".json") ? jsonEntries(text, file) : yamlEntries(text, file, yaml);
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
  if (problems.length > 0)
    throw new ResqueError(
      "BAD_CONFIG",
      `Schedule file ${file} has ${problems.length} bad ${problems.length === 1 ? "entry" : "entries"}; nothing was loaded:\n  ${problems.join("\n  ")}`,
    );
  return schedule;
}
