/**
 * Strict reading of one command's arguments, before citty sees them: an unknown or misspelt flag
 * is an error with a suggestion, a flag that wants a value gets one, and a negative number is an
 * argument (citty, through node:util's parseArgs, would read `-5` as the short flags `-5`).
 */
import type { ArgDef, ArgsDef } from "citty";
import { closest } from "./suggest.ts";

/**
 * citty's argument definition plus three of ours: `hidden` (kept out of help), `variadic` (a
 * positional taking the rest) and `continues`: true for a word that, right after this flag's
 * value, was most likely meant as more of it (`--in 5 minutes` unquoted), which is then refused.
 */
export type CliArgDef = ArgDef & {
  hidden?: boolean;
  variadic?: boolean;
  continues?: (word: string) => boolean;
  /** A flag whose value comes only after "=" (`--durable=2`); alone (`--durable`) it means this. It never takes the next word. */
  bareValue?: string;
};

export interface ReadArgv {
  /** For citty: flags as `--name=value`, `--name` or `--no-name`, then `--` and the positionals, so nothing is guessed twice. */
  normalized: string[];
  positionals: string[];
  help: boolean;
  version: boolean;
  /** What is wrong, as advice; reported only when neither --help nor --version was asked for. */
  problems: string[];
}

/** `-5`, `-1.5`, `-.5`, `-2e3`: arguments, never flags. */
const NEGATIVE_NUMBER = /^-(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/;

const entries = (args: ArgsDef) => Object.entries(args) as [string, CliArgDef][];

/** The flags a user may type for a command, hidden ones excluded from suggestions. */
export function flagNames(args: ArgsDef): string[] {
  return entries(args).flatMap(([name, def]) => {
    if (def.type === "positional" || def.hidden) return [];
    return def.type === "boolean" && def.default === true ? [`no-${name}`] : [name];
  });
}

/** Read `tokens` (what follows the command's name) against the command's argument definitions. */
export function readArgv(tokens: readonly string[], args: ArgsDef, command: string): ReadArgv {
  const flags = new Map(entries(args).filter(([, def]) => def.type !== "positional"));
  const result: ReadArgv = { normalized: [], positionals: [], help: false, version: false, problems: [] };
  const seeHelp = `\`${command} --help\` lists the options.`;
  const reported = new Set<string>();
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (token === "--") {
      result.positionals.push(...tokens.slice(i + 1));
      break;
    }
    if (token === "-h" || token === "--help") result.help = true;
    else if (token === "-v" || token === "--version") result.version = true;
    else if (token === "-" || NEGATIVE_NUMBER.test(token) || !token.startsWith("-")) result.positionals.push(token);
    else {
      const eq = token.indexOf("=");
      const name = token.slice(token.startsWith("--") ? 2 : 1, eq < 0 ? undefined : eq);
      const inline = eq < 0 ? undefined : token.slice(eq + 1);
      const def = token.startsWith("--") ? flags.get(name) : undefined;
      const negated = name.startsWith("no-") ? flags.get(name.slice(3)) : undefined;
      if (def?.type === "boolean") {
        if (inline === undefined || inline === "true") result.normalized.push(`--${name}`);
        else if (inline === "false") result.normalized.push(`--no-${name}`);
        else result.problems.push(`--${name} is a switch and takes no value (got "${inline}"); leave the value out to turn it on.`);
      } else if (def?.bareValue !== undefined) {
        result.normalized.push(`--${name}=${inline ?? def.bareValue}`);
      } else if (def) {
        // The next word is the value, even one starting with "-" (--limit -5 is then refused by the
        // command, with a reason); a word starting with "--" is the next flag, so the value is missing.
        const next = tokens[i + 1];
        const value = inline ?? (next !== undefined && !next.startsWith("--") ? (i++, next) : undefined);
        const hint = def.valueHint ?? "VALUE";
        if (value === undefined || value === "") {
          result.problems.push(`--${name} needs a value: --${name} ${hint}. ${seeHelp}`);
          reported.add(name);
        } else result.normalized.push(`--${name}=${value}`);
        // `--in 5 minutes`: the shell split one value in two, and "minutes" would become an argument.
        const after = tokens[i + 1];
        if (value && after !== undefined && !after.startsWith("-") && def.continues?.(after)) {
          result.problems.push(
            `--${name} ${value} ${after}: "${after}" looks like more of the --${name} value, not an argument. ` +
              `Quote the value (--${name} "${value} ${after}"); ` +
              `if "${after}" is an argument, put it before --${name} or after --.`,
          );
          i++;
        }
      } else if (negated?.type === "boolean" && inline === undefined && token.startsWith("--")) {
        result.normalized.push(`--${name}`);
      } else {
        // `--namespce other`: "other" was meant as its value, so it is not also reported as an argument.
        if (eq < 0 && tokens[i + 1] !== undefined && !tokens[i + 1]!.startsWith("-")) i++;
        const guess = closest(name, flagNames(args));
        const shown = eq < 0 ? token : token.slice(0, eq);
        result.problems.push(`Unknown option ${shown}${guess ? `; did you mean --${guess}?` : `. ${seeHelp}`}`);
      }
    }
  }
  for (const [name, def] of flags) {
    if (def.required && def.default === undefined && !reported.has(name) && !result.normalized.some((t) => t.startsWith(`--${name}=`))) {
      result.problems.push(
        `${command} needs --${name} ${def.valueHint ?? "VALUE"}${def.description ? ` (${lowerFirst(def.description)})` : ""}.`,
      );
    }
  }
  result.problems.push(...positionalProblems(result.positionals, args, command));
  if (result.positionals.length > 0) result.normalized.push("--", ...result.positionals);
  return result;
}

function positionalProblems(positionals: readonly string[], args: ArgsDef, command: string): string[] {
  const defs = entries(args).filter(([, def]) => def.type === "positional");
  const missing = defs.slice(positionals.length).find(([, def]) => def.required !== false && def.default === undefined);
  if (missing) {
    const [name, def] = missing;
    return [
      `${command} needs ${name.toUpperCase()}${def.description ? ` (${lowerFirst(def.description)})` : ""}: ${command} ${usageOf(args)}`,
    ];
  }
  if (defs.some(([, def]) => def.variadic) || positionals.length <= defs.length) return [];
  const extra = positionals
    .slice(defs.length)
    .map((p) => `"${p}"`)
    .join(" ");
  const takes =
    defs.length === 0
      ? "takes no arguments"
      : `takes ${defs.length} argument${defs.length > 1 ? "s" : ""} (${defs.map(([n]) => n.toUpperCase()).join(" ")})`;
  return [`${command} ${takes}; unexpected: ${extra}.`];
}

/** `<CLASS> [ARGS...]`: the positionals of a usage line. */
export function usageOf(args: ArgsDef): string {
  return entries(args)
    .filter(([, def]) => def.type === "positional")
    .map(([name, def]) => {
      const shown = `${name.toUpperCase()}${def.variadic ? "..." : ""}`;
      return def.required !== false && def.default === undefined ? `<${shown}>` : `[${shown}]`;
    })
    .join(" ");
}

const lowerFirst = (text: string) => text.charAt(0).toLowerCase() + text.slice(1);
