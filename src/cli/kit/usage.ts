/**
 * `--help` screens: 80 columns, hidden flags and commands left out, colour only when asked for
 * (citty's own screen is wider, colours pipes, and lists internal flags).
 */
import type { ArgsDef, CommandMeta } from "citty";
import { type CliArgDef, usageOf } from "./argv.ts";

export const WIDTH = 80;

export interface HelpSubject {
  /** "resque failed list". */
  command: string;
  meta: CommandMeta;
  args: ArgsDef;
  /** Visible subcommands: name and the first line of their description. */
  commands: [string, string][];
  version: string;
  /** Bold headings and cyan flags; only for a terminal without NO_COLOR. */
  color: boolean;
  /** A line after the commands, e.g. the binary's default command. */
  note?: string;
}

/** Break `text` into lines of at most `width` columns, later lines indented by `indent`. */
export function wrap(text: string, width: number, indent = 0): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/ +/)) {
    const room = width - (lines.length === 0 ? 0 : indent);
    if (line && line.length + 1 + word.length > room) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  lines.push(line);
  return lines.map((l, i) => (i === 0 ? l : " ".repeat(indent) + l));
}

const flagLabel = (name: string, def: CliArgDef): string => {
  if (def.type === "boolean") return def.default === true ? `--no-${name}` : `--${name}`;
  return `--${name} ${def.valueHint ?? "VALUE"}`;
};

const flagText = (def: CliArgDef): string => {
  const text = (def.type === "boolean" && def.default === true ? def.negativeDescription : undefined) ?? def.description ?? "";
  const shownDefault = def.type !== "boolean" && def.default !== undefined && !/default/i.test(text) ? ` (default ${def.default})` : "";
  return `${text}${def.required ? " (required)" : ""}${shownDefault}`;
};

/** Two columns: names, then descriptions wrapped beside them (below them when a name is long). */
function columns(rows: [string, string][], paint: (s: string) => string): string[] {
  const left = Math.min(Math.max(...rows.map(([name]) => name.length)), 26);
  const indent = left + 4;
  return rows.flatMap(([name, text]) => {
    const body = wrap(text, WIDTH - indent);
    if (name.length > left) return [`  ${paint(name)}`, ...body.map((l) => " ".repeat(indent) + l)];
    return body.map((l, i) => (i === 0 ? `  ${paint(name)}${" ".repeat(left - name.length + 2)}${l}` : " ".repeat(indent) + l));
  });
}

export function renderHelp(s: HelpSubject): string {
  const bold = (t: string) => (s.color ? `\x1b[1m${t}\x1b[22m` : t);
  const cyan = (t: string) => (s.color ? `\x1b[36m${t}\x1b[39m` : t);
  const [summary = "", ...details] = (s.meta.description ?? "").split("\n");
  const out: string[] = [...wrap(`${s.command} ${s.version}: ${summary}`, WIDTH)];
  for (const line of details) {
    const indent = /^ */.exec(line)![0].length;
    // An indented line (an example) continues further in; a plain one is a paragraph.
    out.push(...wrap(line.trim(), WIDTH - indent, indent > 0 ? 2 : 0).map((l) => " ".repeat(indent) + l));
  }
  const visible = (Object.entries(s.args) as [string, CliArgDef][]).filter(([, def]) => def.type !== "positional" && !def.hidden);
  const required = visible.filter(([, def]) => def.required && def.default === undefined).map(([name, def]) => flagLabel(name, def));
  const usage = [s.command, s.commands.length > 0 ? "<command>" : "", usageOf(s.args), ...required, "[options]"].filter(Boolean).join(" ");
  const usageLines = wrap(`Usage: ${usage}`, WIDTH, 4);
  usageLines[0] = usageLines[0]!.replace("Usage:", bold("Usage:"));
  out.push("", ...usageLines);
  if (s.commands.length > 0) out.push("", bold("Commands:"), ...columns(s.commands, cyan));
  const options: [string, string][] = visible.map(([name, def]) => [flagLabel(name, def), flagText(def)]);
  options.push(["-h, --help", "Show this help"], ["-v, --version", "Show the version"]);
  out.push("", bold("Options:"), ...columns(options, cyan));
  if (s.commands.length > 0) out.push("", ...wrap(`\`${s.command} <command> --help\` shows a command's options.`, WIDTH));
  if (s.note) out.push(...wrap(s.note, WIDTH));
  return out.join("\n");
}
