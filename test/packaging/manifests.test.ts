// package.json (npm) and deno.json (JSR) describe one package: same version, same entry point,
// same dependency versions, and the names the code itself uses.
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { PACKAGE_NAME, VERSION } from "../../src/protocol/version.ts";

const root = new URL("../../", import.meta.url).pathname;
const read = (file: string) => JSON.parse(readFileSync(`${root}${file}`, "utf8"));
const npm = read("package.json");
const deno = read("deno.json");

describe("manifests agree", () => {
  it("names and versions", () => {
    assert.equal(npm.name, PACKAGE_NAME);
    assert.equal(npm.version, VERSION);
    assert.equal(deno.version, VERSION);
    assert.match(deno.name, /^@[a-z0-9-]+\/[a-z0-9-]+$/, "a JSR name is @scope/name");
  });

  it("one entry point: src/index.ts, built to dist/lib/index.js with its types", () => {
    assert.equal(deno.exports, "./src/index.ts");
    assert.deepEqual(npm.exports["."], { types: "./dist/lib/index.d.ts", import: "./dist/lib/index.js" });
    assert.match(readFileSync(`${root}scripts/build-lib.mjs`, "utf8"), /index: "src\/index\.ts"/);
  });

  it("the same dependencies at the same versions", () => {
    const fromDeno = Object.fromEntries(
      Object.entries(deno.imports as Record<string, string>).map(([name, spec]) => [name, spec.replace(`npm:${name}@`, "")]),
    );
    assert.deepEqual(fromDeno, npm.dependencies);
  });

  it("the bins exist, and the package ships only what runs", () => {
    assert.deepEqual(Object.keys(npm.bin).sort(), ["resque", "resque-worker"]);
    for (const file of Object.values(npm.bin) as string[]) assert.ok(existsSync(`${root}${file}`), file);
    assert.deepEqual(npm.files, ["dist/lib", "bin"]);
    assert.equal(npm.dependencies.tsx, undefined, "tsx is not needed to run the package");
  });
});
