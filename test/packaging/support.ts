/**
 * What the packaging tests share: the checkout's manifest and README, the README's marked blocks,
 * an environment free of an enclosing `npm test`'s npm_* variables, and running a command in a
 * fresh app with its output kept for the failure message.
 */
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
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
export const baseEnv: Record<string, string | undefined> = Object.fromEntries(
  Object.entries(process.env).filter(([key]) => !key.startsWith("npm_")),
);

export interface Env {
  [name: string]: string | undefined;
}

/** Runs a command to its end; fails the test, with the command's output, unless it exits `expect` (0). */
export function run(command: string, args: string[], options: { cwd: string; env: Env; expect?: number }): string {
  // stdin from /dev/null, not a pipe: Node's pipes are sockets, and bash started with a socket for
  // stdin at SHLVL < 2 (a suite launched under nohup) sources /etc/bash.bashrc, which under `set -u`
  // printed "PS1: unbound variable" into a command's output.
  const result = spawnSync(command, args, {
    cwd: options.cwd,
    env: options.env,
    encoding: "utf8",
    timeout: 180_000,
    stdio: ["ignore", "pipe", "pipe"],
  });
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
      body: body!
        .split("\n")
        .map((line) => line.slice(indent!.length))
        .join("\n"),
    };
  });
}

/** The line numbers of fenced blocks no `<!-- readme-test: ... -->` marker stands before (blank lines allowed between). */
export function unmarkedBlocks(text = readme): number[] {
  const unmarked: number[] = [];
  for (const match of text.matchAll(/^( *)```\w*\n[\s\S]*?^\1```/gm)) {
    const before = text.slice(0, match.index).split("\n").slice(0, -1);
    while (before.length > 0 && before.at(-1)!.trim() === "") before.pop();
    if (!/^ *<!-- readme-test: .* -->$/.test(before.at(-1) ?? "")) unmarked.push(text.slice(0, match.index).split("\n").length);
  }
  return unmarked;
}

/** The one README block marked `<!-- readme-test: NAME -->`, as a reader copies it. */
export function readmeBlock(name: string): string {
  const markers = readme.split("\n").filter((line) => line.trim() === `<!-- readme-test: ${name} -->`).length;
  const blocks = markedBlocks().filter((block) => block.name === name);
  assert.equal(markers, 1, `README.md has one <!-- readme-test: ${name} --> marker (found ${markers})`);
  assert.equal(blocks.length, 1, `the <!-- readme-test: ${name} --> marker in README.md is followed by a fenced code block`);
  return blocks[0]!.body;
}

/** Polls until `done` holds; gives up (returning false) when `stop` says so or after `seconds`. */
export async function waitFor(done: () => boolean | Promise<boolean>, stop: () => boolean, seconds: number): Promise<boolean> {
  const until = Date.now() + seconds * 1000;
  while (Date.now() < until) {
    if (await done()) return true;
    if (stop()) return false;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}

/** A long-running README line, started with bash as its own process group. */
export interface LongRunning {
  output(): string;
  exited(): boolean;
  /** Sends TERM to its group (as Ctrl-C or `kill` would); fails, with its output, unless it exits within 60 s. */
  stop(): Promise<void>;
}

export function startLong(line: string, options: { cwd: string; env: Env }): LongRunning {
  const child = spawn("bash", ["-c", line], { cwd: options.cwd, env: options.env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  let exited = false;
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.once("exit", () => (exited = true));
  return {
    output: () => output,
    exited: () => exited,
    async stop() {
      if (!exited) process.kill(-child.pid!, "SIGTERM");
      const stopped = await waitFor(
        () => exited,
        () => false,
        60,
      );
      if (!stopped) process.kill(-child.pid!, "SIGKILL");
      assert.ok(stopped, `\`${line}\` was still running 60 s after TERM:\n${output}`);
    },
  };
}
