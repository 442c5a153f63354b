/**
 * What the packaging tests share: the checkout's manifest and README, the README's marked blocks,
 * an environment free of an enclosing `npm test`'s npm_* variables, and running a command in a
 * fresh app with its output kept for the failure message.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import process from "node:process";

export const root = new URL("../../", import.meta.url).pathname;
export const bin = (name: string) => `${root}node_modules/.bin/${name}`;
export const manifest = JSON.parse(readFileSync(`${root}package.json`, "utf8")) as {
  name: string;
  version: string;
  devDependencies: Record<string, string>;
};
export const readme = readFileSync(`${root}README.md`, "utf8");

// npm_* variables from an enclosing `npm test` would steer the app's npm (its prefix, its scripts).
export const baseEnv: Record<string, string | undefined> = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith("npm_")));

export interface Env {
  [name: string]: string | undefined;
}

/** Runs a command to its end; fails the test, with the command's output, unless it exits `expect` (0). */
export function run(command: string, args: string[], options: { cwd: string; env: Env; expect?: number }): string {
  const result = spawnSync(command, args, { cwd: options.cwd, env: options.env, encoding: "utf8", timeout: 180_000 });
  // stdout then stderr: a JSON line a script prints is not always the last line (Deno notes its downloads on stderr).
  const output = `${result.stdout}${result.stderr}`;
  assert.equal(result.status, options.expect ?? 0, `${command} ${args.join(" ")} in ${options.cwd} exited ${result.status}:\n${output}`);
  return output;
}

/** A README block marked `<!-- readme-test: NAME -->`: the marker, the block's language and its text. */
export interface MarkedBlock {
  name: string;
  line: number;
  lang: string;
  body: string;
}

// The marker, then (blank lines allowed) a fenced block at the marker's indent; a block in a list
// item is indented, and a reader copies it without the indent.
const MARKED = /^( *)<!-- readme-test: (.*?) -->\n(?:\s*\n)*\1```(\w*)\n([\s\S]*?)^\1```/gm;

/** Every marked block in the README, in order. */
export function markedBlocks(text = readme): MarkedBlock[] {
  return [...text.matchAll(MARKED)].map((match) => {
    const [, indent, name, lang, body] = match;
    return {
      name: name!.trim(),
      line: text.slice(0, match.index).split("\n").length,
      lang: lang!,
      body: body!.split("\n").map((line) => line.slice(indent!.length)).join("\n"),
    };
  });
}

/** The one README block marked `<!-- readme-test: NAME -->`, as a reader copies it. */
export function readmeBlock(name: string): string {
  const markers = readme.split("\n").filter((line) => line.trim() === `<!-- readme-test: ${name} -->`).length;
  const blocks = markedBlocks().filter((block) => block.name === name);
  assert.equal(markers, 1, `README.md has one <!-- readme-test: ${name} --> marker (found ${markers})`);
  assert.equal(blocks.length, 1, `the <!-- readme-test: ${name} --> marker in README.md is followed by a fenced code block`);
  return blocks[0]!.body;
}
