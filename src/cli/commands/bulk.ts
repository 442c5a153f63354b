/**
 * `resque enqueue --bulk`: newline-delimited payloads from a file or stdin, checked line by line
 * and pipelined in batches. A refused line is named and not pushed; if Redis goes away part-way,
 * the error says how far it got and from which line to push the rest.
 */
import { createReadStream } from "node:fs";
import process from "node:process";
import type { Resque } from "../../client/resque.ts";
import { ResqueError } from "../../errors.ts";
import { decodePayload, isMalformed } from "../../protocol/payload.ts";
import { connectionFailure } from "../../store/connection.ts";
import { printJson, say, UsageError } from "../kit/context.ts";
import { readLines } from "../kit/lines.ts";
import { plural } from "../../protocol/plural.ts";

const BATCH = 1000;

const isJsonSpace = (code: number) => code === 0x20 || code === 0x09 || code === 0x0d;

/**
 * JSON's own whitespace only: String.trim would also take U+2028, U+00A0 and others. A loop, not
 * /[ \t\r]+$/, which retries from every space of a run that does not end the line: quadratic.
 */
export function trimJson(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && isJsonSpace(text.charCodeAt(start))) start++;
  while (end > start && isJsonSpace(text.charCodeAt(end - 1))) end--;
  return start === 0 && end === text.length ? text : text.slice(start, end);
}

interface Rejected {
  line: number;
  problem: string;
}

export async function bulk(resque: Resque, queue: string, source: string, json: boolean): Promise<void> {
  const input = source === "-" ? process.stdin : createReadStream(source);
  const tty = Boolean(process.stderr.isTTY) && !json;
  const rejected: Rejected[] = [];
  let batch: { line: number; payload: string }[] = [];
  let pushed = 0;
  const flush = async () => {
    if (batch.length === 0) return;
    // Not connected before the call means the batch was never sent; a failure after sending leaves it unknown.
    const sent = resque.db.redis.status === "ready";
    try {
      await resque.pushMany(
        queue,
        batch.map((b) => b.payload),
      );
    } catch (error) {
      throw interrupted(error, { resque, queue, source, json, pushed, rejected, from: batch[0]!.line, to: batch.at(-1)!.line, sent });
    }
    pushed += batch.length;
    batch = [];
    if (tty) process.stderr.write(`\r${pushed} pushed${rejected.length ? `, ${rejected.length} rejected` : ""}`);
  };
  try {
    for await (const { number, text } of readLines(input as AsyncIterable<Uint8Array>)) {
      const line = text === undefined ? undefined : trimJson(text);
      if (line === "") continue;
      if (line === undefined) {
        rejected.push({ line: number, problem: "not valid UTF-8 (Redis and Ruby's JSON need UTF-8 text)" });
        continue;
      }
      const payload = decodePayload(line);
      if (isMalformed(payload)) rejected.push({ line: number, problem: payload.problem });
      else batch.push({ line: number, payload: line });
      if (batch.length >= BATCH) await flush();
    }
    await flush();
  } catch (error) {
    if (error instanceof ResqueError || error instanceof UsageError) throw error;
    const code = (error as { code?: string }).code;
    const why = code === "ENOENT" ? "no such file" : code === "EISDIR" ? "it is a directory" : (error as Error).message;
    throw new UsageError(
      `Cannot read --bulk ${source === "-" ? "input" : `file ${source}`}: ${why}. ${plural(pushed, "job was", "jobs were")} pushed before that.`,
    );
  } finally {
    if (tty) process.stderr.write("\n");
    if (source !== "-") input.destroy();
  }
  if (json) printJson({ queue, pushed, rejected });
  else {
    say.success(`Pushed ${plural(pushed, "job")} to ${queue}.`);
    warnRejected(rejected);
  }
  if (rejected.length > 0)
    throw new UsageError(
      rejected.length === 1
        ? "1 line was not a valid payload and was not pushed; fix it and push that line again."
        : `${rejected.length} lines were not valid payloads and were not pushed; fix them and push those lines again.`,
    );
}

function warnRejected(rejected: readonly Rejected[]): void {
  for (const r of rejected.slice(0, 20)) say.warn(`line ${r.line} not pushed: ${r.problem}`);
  if (rejected.length > 20) say.warn(`... and ${plural(rejected.length - 20, "more line", "more lines")} not pushed`);
}

interface Progress {
  resque: Resque;
  queue: string;
  source: string;
  json: boolean;
  pushed: number;
  rejected: Rejected[];
  /** The batch that failed, by line number. */
  from: number;
  to: number;
  sent: boolean;
}

/** The connection's advice, then what was pushed and where to pick up. */
function interrupted(error: unknown, p: Progress): unknown {
  const advice = connectionFailure(p.resque.db, error);
  if (!(advice instanceof ResqueError)) return error;
  if (p.json)
    printJson({
      queue: p.queue,
      pushed: p.pushed,
      rejected: p.rejected,
      resumeFromLine: p.from,
      unknownLines: p.sent ? [p.from, p.to] : null,
    });
  else warnRejected(p.rejected);
  const file = p.source === "-" ? "YOUR_FILE" : p.source;
  const fate = p.sent
    ? `Lines ${p.from} to ${p.to} were being pushed when it failed and may or may not be in ${p.queue}; nothing after line ${p.to} was pushed.`
    : `Nothing from line ${p.from} on was pushed.`;
  return new ResqueError(
    advice.code,
    `${advice.message}\n${plural(p.pushed, "job", "jobs")} from the lines before ${p.from} ${p.pushed === 1 ? "was" : "were"} pushed to ${p.queue}. ${fate} ` +
      `To push the rest: tail -n +${p.from} ${file} | resque enqueue --queue ${p.queue} --bulk -`,
    { cause: error },
  );
}
