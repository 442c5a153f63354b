#!/usr/bin/env node
// Builds dist/resque-worker for this machine: one self-contained file (Bun's runtime plus our
// code), the binary the process tests and the fault suite run. Releases: scripts/release.mjs.
import { compileBinary } from "./lib/compile.mjs";

compileBinary("dist/resque-worker");
