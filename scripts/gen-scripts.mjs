#!/usr/bin/env node
// Turns src/store/lua/<name>[-<numberOfKeys>].lua into src/store/scripts.generated.ts, so the
// compiled binary carries its scripts and needs no files at run time. `--check` fails when stale.
//
// Each script's contract is declared once, in its header comment, one item a line:
//   KEYS[1] inflight  text...     a key, by position and name (`name?`: optional, only at the end)
//   KEYS[14..] queue  text...     the rest of KEYS, any number of them
//   ARGV[1] want  text...         the same for ARGV
//   GROUP failure[11] entry record ...   a repeated group of values (in ARGV or in the reply)
//   RETURNS { paused solo ...taken }     a table (`...x`: group x, or single values, to the end)
//   RETURNS removed                      a single value
// The generator checks the body against it (every KEYS[n] / ARGV[n] it reads is declared, every
// fixed key is read), hands the script the offsets it needs as Lua locals (QUEUE_KEYS_FROM = 14,
// FAILURE_GROUP_SIZE = 11: see prologue()), and writes the contract into the TypeScript module,
// where src/store/scripts.ts builds each call from it (so a changed contract fails tsc, and
// test/store/script-contract.test.ts checks the replies). Shared pieces (_name.lua) are spliced
// in where a script says `-- #include _name.lua`; their GROUP lines belong to every includer.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { writeOrCheck } from "./lib/generated.mjs";

const dir = new URL("../src/store/lua/", import.meta.url).pathname;
const out = new URL("../src/store/scripts.generated.ts", import.meta.url).pathname;

const camel = (s) => s.replace(/-([a-z])/g, (_, c) => c.toUpperCase());
const upper = (name) => name.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toUpperCase();
const INCLUDE = /^-- #include (_[\w-]+\.lua)\n/gm;
const NAME = "[a-z][A-Za-z0-9]*";

/** The contract lines of a header comment (KEYS / ARGV / GROUP / RETURNS), parsed and checked. */
export function parseHeader(comment, where) {
  const fail = (message) => {
    throw new Error(`${where}: ${message}`);
  };
  const contract = { keys: [], argv: [], groups: {}, returns: undefined };
  for (const raw of comment.split("\n")) {
    const line = raw.trim();
    const list = /^(KEYS|ARGV)\[/.exec(line);
    if (list) {
      const m = new RegExp(`^(KEYS|ARGV)\\[(\\d+)(\\.\\.)?\\] (${NAME})(\\?)?(?:\\s|$)`).exec(line);
      if (!m) fail(`"${line}" is not "${list[1]}[n] name text" or "${list[1]}[n..] name text"`);
      const items = m[1] === "KEYS" ? contract.keys : contract.argv;
      const item = { name: m[4], rest: m[3] !== undefined, optional: m[5] !== undefined };
      if (Number(m[2]) !== items.length + 1) fail(`${m[1]}[${m[2]}] is out of order (expected ${m[1]}[${items.length + 1}])`);
      const last = items.at(-1);
      if (last?.rest) fail(`${m[1]}[${m[2]}] follows the rest of ${m[1]}`);
      if (last?.optional && !item.optional && !item.rest) fail(`${m[1]}[${m[2]}] is required after an optional one`);
      items.push(item);
    } else if (line.startsWith("GROUP")) {
      const m = new RegExp(`^GROUP (${NAME})\\[(\\d+)\\] ((?:${NAME} ?)+)$`).exec(line);
      if (!m) fail(`"${line}" is not "GROUP name[n] field field ..."`);
      const fields = m[3].trim().split(" ");
      if (fields.length !== Number(m[2])) fail(`GROUP ${m[1]} says ${m[2]} fields and names ${fields.length}`);
      contract.groups[m[1]] = fields;
    } else if (line.startsWith("RETURNS")) {
      const table = new RegExp(`^RETURNS \\{ ((?:(?:\\.\\.\\.)?${NAME} ?)+)\\}$`).exec(line);
      const single = new RegExp(`^RETURNS (${NAME})$`).exec(line);
      if (single) contract.returns = { table: false, fields: [single[1]] };
      else if (table) {
        const words = table[1].trim().split(" ");
        const rest = words.at(-1).startsWith("...") ? words.pop().slice(3) : undefined;
        if (words.some((w) => w.startsWith("..."))) fail("only the last item of RETURNS may be ...rest");
        contract.returns = { table: true, fields: words, ...(rest && { rest }) };
      } else fail(`"${line}" is not "RETURNS name" or "RETURNS { name ... ...rest }"`);
    }
  }
  return contract;
}

const firstComment = (lua) => /^--\[\[([^]*?)\]\]/.exec(lua)?.[1] ?? "";
const withoutComments = (lua) => lua.replace(/--\[\[[^]*?\]\]/g, "").replace(/--[^\n]*/g, "");

/** The local constants a script's body uses instead of numbers: where a rest starts, how long a group is. */
function prologue(contract) {
  const names = [];
  for (const [list, items] of [
    ["KEYS", contract.keys],
    ["ARGV", contract.argv],
  ]) {
    const rest = items.findIndex((i) => i.rest);
    if (rest >= 0) names.push([`${upper(items[rest].name)}_${list}_FROM`, rest + 1]);
  }
  for (const [name, fields] of Object.entries(contract.groups)) names.push([`${upper(name)}_GROUP_SIZE`, fields.length]);
  if (names.length === 0) return "";
  return `local ${names.map(([n]) => n).join(", ")} = ${names.map(([, v]) => v).join(", ")} -- from the header, by gen-scripts.mjs\n`;
}

/** Every KEYS[n] / ARGV[n] the body reads must be declared; every fixed key must be read. */
function checkBody(body, contract, where) {
  for (const [list, items] of [
    ["KEYS", contract.keys],
    ["ARGV", contract.argv],
  ]) {
    const declared = items.filter((i) => !i.rest).length;
    const read = new Set([...body.matchAll(new RegExp(`\\b${list}\\[(\\d+)\\]`, "g"))].map((m) => Number(m[1])));
    for (const n of read) if (n > declared) throw new Error(`${where}: the body reads ${list}[${n}], which the header does not declare`);
    if (list === "KEYS") {
      for (let n = 1; n <= declared; n++) {
        if (!read.has(n)) throw new Error(`${where}: the header declares KEYS[${n}] ${items[n - 1].name}, which the body never reads`);
      }
    }
  }
}

/** Every script and shared piece in `from`, contracts parsed and bodies checked. */
export function readScripts(from = dir) {
  const files = readdirSync(from)
    .filter((f) => f.endsWith(".lua"))
    .sort();
  const pieces = {};
  for (const file of files.filter((f) => f.startsWith("_"))) {
    const text = readFileSync(join(from, file), "utf8");
    pieces[file] = { name: camel(file.slice(1, -4)), text, groups: parseHeader(firstComment(text), file).groups };
  }
  const scripts = files
    .filter((f) => !f.startsWith("_"))
    .map((file) => {
      const match = /^(.*?)(?:-(\d+))?$/.exec(file.slice(0, -4));
      const source = readFileSync(join(from, file), "utf8");
      const contract = parseHeader(firstComment(source), file);
      const included = [];
      const expanded = source.replace(INCLUDE, (_, piece) => {
        if (!pieces[piece]) throw new Error(`${file}: includes ${piece}, which does not exist`);
        included.push(pieces[piece].name);
        Object.assign(contract.groups, pieces[piece].groups);
        return pieces[piece].text;
      });
      if (!contract.returns) throw new Error(`${file}: the header has no RETURNS line`);
      const fixedKeys = contract.keys.every((k) => !k.rest && !k.optional);
      const numberOfKeys = fixedKeys ? contract.keys.length : undefined;
      const named = match[2] === undefined ? undefined : Number(match[2]);
      if (named !== numberOfKeys) {
        throw new Error(
          `${file}: the name says ${named ?? "a varying number of"} keys, the header declares ${numberOfKeys ?? "a varying number"}`,
        );
      }
      checkBody(withoutComments(expanded), contract, file);
      return { file, name: camel(match[1]), numberOfKeys, contract, included, lua: prologue(contract) + expanded };
    });
  return { pieces, scripts };
}

const list = (items) => `[${items.map((i) => JSON.stringify(i)).join(", ")}]`;
const rest = (items) => items.find((i) => i.rest)?.name;
const groupsText = (groups) =>
  Object.keys(groups).length === 0
    ? "{}"
    : `{ ${Object.entries(groups)
        .map(([g, fields]) => `${g}: ${list(fields)}`)
        .join(", ")} }`;

function render({ pieces, scripts }) {
  const entries = scripts.map(({ name, numberOfKeys, contract: c, lua }) => {
    const keys = c.keys.filter((k) => !k.rest);
    const argv = c.argv.filter((a) => !a.rest);
    const returns = `{ table: ${c.returns.table}, fields: ${list(c.returns.fields)}${c.returns.rest ? `, rest: ${JSON.stringify(c.returns.rest)}` : ""} }`;
    return [
      `  ${name}: {`,
      `    name: ${JSON.stringify(name)},`,
      `    numberOfKeys: ${numberOfKeys},`,
      `    keys: ${list(keys.filter((k) => !k.optional).map((k) => k.name))},`,
      `    optionalKeys: ${list(keys.filter((k) => k.optional).map((k) => k.name))},`,
      `    restKeys: ${JSON.stringify(rest(c.keys))},`,
      `    argv: ${list(argv.filter((a) => !a.optional).map((a) => a.name))},`,
      `    optionalArgv: ${list(argv.filter((a) => a.optional).map((a) => a.name))},`,
      `    restArgv: ${JSON.stringify(rest(c.argv))},`,
      `    groups: ${groupsText(c.groups)},`,
      `    returns: ${returns},`,
      `    lua: ${JSON.stringify(lua)} as string,`,
      "  },",
    ].join("\n");
  });
  const shared = Object.values(pieces).map((p) => `  ${p.name}: { groups: ${groupsText(p.groups)} },`);
  return `// Generated by scripts/gen-scripts.mjs from src/store/lua/*.lua (their headers declare the contracts). Do not edit.
/** What the headers declare (see scripts/gen-scripts.mjs); src/store/scripts.ts builds every call from it. */
export interface LuaScript {
  name: string;
  /** undefined: the caller passes the key count first (the key list varies). */
  numberOfKeys: number | undefined;
  keys: readonly string[];
  optionalKeys: readonly string[];
  restKeys: string | undefined;
  argv: readonly string[];
  optionalArgv: readonly string[];
  restArgv: string | undefined;
  groups: Readonly<Record<string, readonly string[]>>;
  returns: { table: boolean; fields: readonly string[]; rest?: string };
  lua: string;
}

export const luaScripts = {
${entries.join("\n")}
} as const satisfies Record<string, LuaScript>;

/** The groups declared by shared pieces (lua/_name.lua), for encoders used by several scripts. */
export const luaPieces = {
${shared.join("\n")}
} as const;
`;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  try {
    writeOrCheck(out, render(readScripts()), "run `npm run gen`");
  } catch (error) {
    console.error(`gen-scripts: ${error.message}`);
    process.exit(1);
  }
}
