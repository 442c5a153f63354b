/** A setting's value from flags (winning) and the environment, typed by its row; a bad value is a BAD_CONFIG error naming it. */
import { ResqueError } from "../errors.ts";
import type { Setting } from "./setting.ts";

export type Source = Record<string, string | undefined>;

/** The flag's value when given (even empty), else the first of its variables that is set and not empty. */
export function rawOf(setting: Setting, env: Source, flags: Source): string | undefined {
  const given = setting.flag === null ? undefined : flags[setting.flag];
  return given ?? setting.env.map((name) => env[name]).find((v) => v !== undefined && v !== "");
}

/** Stock's boolean: on when the flag is given or a variable is set, whatever its value (`--no-fork` for a negated one). */
export function isOn(setting: Setting, env: Source, flags: Source): boolean {
  const flag = setting.flag === null ? undefined : flags[setting.flag];
  const byFlag = setting.negated !== undefined ? flag === "false" : flag !== undefined;
  return byFlag || setting.env.some((name) => env[name] !== undefined);
}

/** A number of at least the row's min (floored for an integer row); undefined when unset or empty. */
export function numberOf(setting: Setting, env: Source, flags: Source): number | undefined {
  const value = rawOf(setting, env, flags);
  if (value === undefined || value === "") return undefined;
  const min = setting.min ?? 0;
  const n = Number(value);
  if (!Number.isFinite(n) || n < min) throw new ResqueError("BAD_CONFIG", `${setting.env[0]} must be a number >= ${min}, got "${value}".`);
  return setting.kind === "integer" ? Math.floor(n) : n;
}

/** Comma-separated, trimmed, blanks dropped. */
export function listOf(setting: Setting, env: Source, flags: Source): string[] {
  return (rawOf(setting, env, flags) ?? "")
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean);
}

/** The values these settings read, by variable name, from `read` (the runtime's environment). */
export function envOf(names: readonly string[], read: (name: string) => string | undefined): Source {
  return Object.fromEntries(names.map((name) => [name, read(name)]));
}
