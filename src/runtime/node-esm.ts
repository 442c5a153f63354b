/**
 * Node picks ES module or CommonJS for a .ts or .js file by the nearest package.json, so a jobs.ts
 * in a folder without "type": "module" does not load (under tsx: "Cannot require() ES Module ...
 * in a cycle", or top-level await refused). Bun and Deno load it as the ES module it is; so does
 * this, by a loader hook that marks job modules as ES modules, whatever package.json says.
 */
import * as nodeModule from "node:module";
import { extname, isAbsolute, resolve } from "node:path";
import process from "node:process";
import { pathToFileURL } from "node:url";

const MARK = "resque-job-module";
const ESM_EXTENSIONS = [".ts", ".mts", ".js", ".mjs"];

// Runs in Node's loader thread; it touches only URLs carrying the mark.
const HOOKS = `
const marked = (url) => url.includes(${JSON.stringify(MARK)});
export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  return marked(resolved.url) ? { ...resolved, format: "module" } : resolved;
}
export async function load(url, context, next) {
  return next(url, marked(url) ? { ...context, format: "module" } : context);
}
`;

let registered = false;

/** Import a job module (a path relative to cwd, or absolute); .ts, .mts, .js and .mjs load as ES modules. */
export async function importJobModule(path: string): Promise<Record<string, unknown>> {
  const url = pathToFileURL(isAbsolute(path) ? path : resolve(process.cwd(), path));
  // module.register arrived in Node 20.6; before it, the folder's package.json decides.
  if (ESM_EXTENSIONS.includes(extname(url.pathname)) && typeof nodeModule.register === "function") {
    if (!registered) {
      nodeModule.register(`data:text/javascript,${encodeURIComponent(HOOKS)}`);
      registered = true;
    }
    url.search = MARK;
  }
  return import(url.href);
}
