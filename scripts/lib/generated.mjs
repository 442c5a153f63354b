// Writes a generated module, or with `--check` fails when the one on disk differs (so CI catches a
// source edited without regenerating).
import { readFileSync, writeFileSync } from "node:fs";

export function writeOrCheck(out, text, advice) {
  if (!process.argv.includes("--check")) {
    writeFileSync(out, text);
    return;
  }
  let current = "";
  try {
    current = readFileSync(out, "utf8");
  } catch {}
  if (current !== text) {
    console.error(`${out.replace(/^.*\/src\//, "src/")} is stale: ${advice}.`);
    process.exit(1);
  }
}
