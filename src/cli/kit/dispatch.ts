/**
 * From the command line to a command, so nothing surprises: an unknown command is an error with a
 * suggestion (never silently `work`), flags are checked before anything runs, and --help and
 * --version work on every command. citty still runs the command, from normalised arguments.
 */
import { runCommand, type ArgsDef, type CommandDef, type CommandMeta } from "citty";
import { readArgv } from "./argv.ts";
import { reportError, UsageError } from "./errors.ts";
import { closest } from "./suggest.ts";
import { renderHelp } from "./usage.ts";

// As citty's own SubCommandsDef: each command's argument types differ.
// biome-ignore lint/suspicious/noExplicitAny: citty types a command by its own arguments, so a table of different commands needs any
type Command = CommandDef<any>;
type Resolvable<T> = T | Promise<T> | (() => T | Promise<T>);

const resolve = async <T>(value: Resolvable<T>): Promise<T> => (typeof value === "function" ? (value as () => T | Promise<T>)() : value);

export interface CliOptions {
  /** "resque", or "resque-worker" for the binary. */
  program: string;
  version: string;
  /** The command to run when the line names none (the binary's `work`, as stock's `rake resque:work`). */
  defaultCommand?: string;
  /** Colour in help: only for a terminal, and never with NO_COLOR. */
  color: boolean;
  /** Where help and the version go (stdout). */
  print: (text: string) => void;
}

const HELP = ["-h", "--help"];
const VERSION = ["-v", "--version"];

/**
 * Run what `argv` asks for. Returns the exit code of what was answered here (help and version 0,
 * a usage error 1), or undefined when a command ran and set its own.
 */
export async function runCli(root: Command, argv: readonly string[], options: CliOptions): Promise<number | undefined> {
  try {
    return await dispatch(root, argv, options);
  } catch (error) {
    return reportError(error);
  }
}

async function dispatch(root: Command, argv: readonly string[], o: CliOptions): Promise<number | undefined> {
  let cmd = root;
  let command = o.program;
  let rest = [...argv];
  let defaulted = false;
  for (;;) {
    const subs = await visibleCommands(cmd);
    if (subs.all.length === 0) break;
    const first = rest[0];
    const flagsOnly = rest.slice(0, rest.includes("--") ? rest.indexOf("--") : undefined);
    if (first === undefined || first.startsWith("-")) {
      const asks = first !== undefined && [...HELP, ...VERSION].includes(first);
      if (cmd === root && o.defaultCommand && !asks) {
        cmd = await subs.get(o.defaultCommand);
        defaulted = true;
        break;
      }
      if (first !== undefined && VERSION.includes(first)) return version(o);
      if (first === undefined || flagsOnly.some((t) => HELP.includes(t))) {
        o.print(await help(cmd, command, o, subs.visible));
        return first === undefined ? 1 : 0;
      }
      if (flagsOnly.some((t) => VERSION.includes(t))) return version(o);
      throw new UsageError(`Name the command first: ${command} <command> [options]. \`${command} --help\` lists the commands.`);
    }
    if (!subs.all.includes(first)) {
      const guess = closest(
        first,
        subs.visible.map(([name]) => name),
      );
      throw new UsageError(`Unknown command ${first}; ${guess ? `did you mean ${guess}?` : `\`${command} --help\` lists the commands.`}`);
    }
    cmd = await subs.get(first);
    command = `${command} ${first}`;
    rest = rest.slice(1);
  }

  const args = (await resolve(cmd.args ?? {})) as ArgsDef;
  const read = readArgv(rest, args, command);
  if (read.help) {
    o.print(await help(cmd, command, o, []));
    return 0;
  }
  if (read.version) return version(o);
  const names = (await visibleCommands(root)).all;
  const misplaced = read.positionals.find((p) => names.includes(p));
  if (defaulted && misplaced) {
    throw new UsageError(
      `With no command first, ${o.program} runs ${o.defaultCommand}; to run ${misplaced}, put it first: ${o.program} ${misplaced} ...`,
    );
  }
  if (read.problems.length > 0) throw new UsageError(read.problems.join("\n"));
  await runCommand(cmd, { rawArgs: read.normalized });
  return undefined;
}

function version(o: CliOptions): number {
  o.print(o.version);
  return 0;
}

async function visibleCommands(
  cmd: Command,
): Promise<{ all: string[]; visible: [string, string][]; get: (name: string) => Promise<Command> }> {
  const subs = await resolve(cmd.subCommands ?? {});
  const all = Object.keys(subs);
  const visible: [string, string][] = [];
  for (const name of all) {
    const meta = (await resolve((await resolve(subs[name]!)).meta ?? {})) as CommandMeta;
    if (!meta.hidden) visible.push([name, (meta.description ?? "").split("\n")[0]!]);
  }
  return { all, visible, get: async (name) => resolve(subs[name]!) };
}

async function help(cmd: Command, command: string, o: CliOptions, commands: [string, string][]): Promise<string> {
  const isRoot = command === o.program;
  return renderHelp({
    command,
    meta: (await resolve(cmd.meta ?? {})) as CommandMeta,
    args: (await resolve(cmd.args ?? {})) as ArgsDef,
    commands,
    version: o.version,
    color: o.color,
    ...(isRoot &&
      o.defaultCommand && {
        note: `With no command, ${o.program} runs \`${o.defaultCommand}\`: ${o.program} --queue q is ${o.program} ${o.defaultCommand} --queue q.`,
      }),
  });
}
