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
      const why = error instanceof Error ? error.message : String(error);
      // .ts, .mts, .js and .mjs job modules load as ES modules everywhere, whatever package.json says.
      const advice = /\b(module|exports|require) is not defined\b/.test(why)
        ? `; job modules load as ES modules: use export and import, or name the file .cjs to keep CommonJS`
        : "";
      throw new ResqueError("JOB_MODULE", `Cannot load job module ${path}: ${why}${advice}`, { cause: error });
    }
    if (registry.registerModule(mod) === 0) {
      throw new ResqueError("JOB_MODULE", `Job module ${path} exports no jobs: export the result of defineJob("ClassName", { perform() {} }).`);
    }
  }
}
