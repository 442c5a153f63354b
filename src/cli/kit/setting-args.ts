/** citty argument definitions made from settings rows, so a flag's name, value hint and help line have one source. */
import type { Setting } from "../../settings/setting.ts";

type BooleanKind = Setting["kind"] & ("set" | "truthy");

/** The citty definition a row makes (typed, so commands read `args.redis` as a string). */
type ArgOf<S extends Setting> = S extends { negated: string }
  ? { type: "boolean"; default: true; description: string; negativeDescription: string }
  : S["kind"] extends BooleanKind
    ? { type: "boolean"; description: string }
    : { type: "string"; valueHint: string; description: string };

export type ArgsOf<T extends Record<string, Setting>> = {
  -readonly [K in keyof T as T[K]["flag"] extends string ? T[K]["flag"] : never]: ArgOf<T[K]>;
};

/** The flags of `table`'s rows in table order (rows without a flag left out), with the help `command` shows. */
export function argsOf<T extends Record<string, Setting>>(table: T, command: string): ArgsOf<T> {
  const args: Record<string, unknown> = {};
  for (const row of Object.values(table)) {
    if (row.flag === null) continue;
    const description = row.helpIn?.[command] ?? row.help;
    const boolean = row.kind === "set" || row.kind === "truthy";
    args[row.flag] = !boolean
      ? { type: "string", valueHint: row.valueHint ?? "VALUE", description }
      : row.negated !== undefined
        ? { type: "boolean", default: true, description, negativeDescription: row.negated }
        : { type: "boolean", description };
  }
  return args as ArgsOf<T>;
}
