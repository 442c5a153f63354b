/** Import the user's job modules (--require / RESQUE_REQUIRE) and register what they export. */
import { ResqueError } from "../errors.ts";
import type { JobRegistry } from "../jobs/registry.ts";
import type { Runtime } from "../runtime/types.ts";

export async function loadJobModules(runtime: Runtime, registry: JobRegistry, paths: readonly string[]): Promise<void> {
  for (const path of paths) {
    let mod: Record<string, unknown>;
    try {
      mod = await runtime.importModule(path);
    } catch (error) {
      const why = loadFailure(error);
      // .ts, .mts, .js and .mjs job modules load as ES modules everywhere, whatever package.json says.
      const advice = /\b(module|exports|require) is not defined\b/.test(why)
        ? `; job modules load as ES modules: use export and import, or name the file .cjs to keep CommonJS`
        : "";
      throw new ResqueError("JOB_MODULE", `Cannot load job module ${path}: ${why}${advice}`, { cause: error });
    }
    if (registry.registerModule(mod) === 0) {
      throw new ResqueError(
        "JOB_MODULE",
        `Job module ${path} exports no jobs: export the result of defineJob("ClassName", { perform() {} }).`,
      );
    }
  }
}

/** Where Bun's parser stopped: its BuildMessage carries it in `position`, not in the message. */
interface BuildPosition {
  file?: unknown;
  line?: unknown;
  column?: unknown;
  lineText?: unknown;
}

/**
 * Why an import failed, with file:line:column. Node (tsx) and Deno put the place in the message;
 * Bun's BuildMessage (a syntax error, also in the compiled binary) says only "Unexpected ;" and
 * keeps the place in `position` (line and column from 1), or in each of an AggregateError's errors.
 */
export function loadFailure(error: unknown): string {
  const first = (error as { errors?: unknown[] } | null)?.errors?.[0] ?? error;
  const message =
    first instanceof Error || typeof (first as { message?: unknown } | null)?.message === "string"
      ? (first as Error).message
      : String(first);
  const at = (first as { position?: BuildPosition | null } | null)?.position;
  if (!at || typeof at.file !== "string" || typeof at.line !== "number" || typeof at.column !== "number") return message;
  const source = typeof at.lineText === "string" && at.lineText.length <= 200 ? `\n  ${at.line} | ${at.lineText}` : "";
  return `${at.file}:${at.line}:${at.column}: ${message}${source}`;
}
