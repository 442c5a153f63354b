// The line splitter behind `resque enqueue --bulk`: linear in a line's length however it is chunked.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { readLines, type Line } from "../../src/cli/kit/lines.ts";
import { trimJson } from "../../src/cli/commands/bulk.ts";

async function* chunked(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
}

async function collect(chunks: AsyncIterable<Uint8Array | string>): Promise<Line[]> {
  const lines: Line[] = [];
  for await (const line of readLines(chunks)) lines.push(line);
  return lines;
}

/** Bytes copied through Uint8Array#set while `run` runs: how the splitter joins the pieces of a line. */
async function bytesCopied(run: () => Promise<unknown>): Promise<number> {
  const original = Uint8Array.prototype.set;
  let copied = 0;
  Uint8Array.prototype.set = function (this: Uint8Array, source: ArrayLike<number>, offset?: number) {
    copied += source.length;
    return original.call(this, source, offset);
  } as typeof original;
  try {
    await run();
  } finally {
    Uint8Array.prototype.set = original;
  }
  return copied;
}

describe("readLines", () => {
  it("copies a long line's bytes a bounded number of times, not once per chunk (4 MB in 64 KB chunks)", async () => {
    const length = 4 * 1024 * 1024;
    const bytes = new Uint8Array(length + 1).fill(0x78);
    bytes[length] = 0x0a;
    let lines: Line[] = [];
    const copied = await bytesCopied(async () => (lines = await collect(chunked(bytes, 64 * 1024))));
    assert.equal(lines.length, 1);
    assert.equal(lines[0]!.text!.length, length);
    // Each piece copied once as it is kept, once more when the line is joined. Joining at every
    // chunk (the regression) copies the line so far 64 times: about 32 times its length.
    assert.ok(copied <= 2 * length + 64 * 1024, `copied ${copied} bytes for a line of ${length}`);
  });

  it("splits at \\n only, drops a \\r before it, and numbers lines across chunk boundaries", async () => {
    const text = "one\r\ntwo\u2028still two\n\nfour";
    const bytes = new TextEncoder().encode(text);
    for (const size of [1, 2, 3, 7, bytes.length]) {
      const lines = await collect(chunked(bytes, size));
      assert.deepEqual(
        lines,
        [
          { number: 1, text: "one" },
          { number: 2, text: "two\u2028still two" },
          { number: 3, text: "" },
          { number: 4, text: "four" },
        ],
        `chunks of ${size}`,
      );
    }
  });

  it("keeps a chunk's bytes even when the stream reuses its buffer", async () => {
    const buffer = new Uint8Array(3);
    async function* reused(): AsyncGenerator<Uint8Array> {
      for (const part of ["abc", "def", "g\nh"]) {
        buffer.set(new TextEncoder().encode(part));
        yield buffer;
      }
    }
    assert.deepEqual(await collect(reused()), [
      { number: 1, text: "abcdefg" },
      { number: 2, text: "h" },
    ]);
  });

  it("refuses a line that is not UTF-8, even when its bad bytes straddle two chunks", async () => {
    const bytes = Uint8Array.from([0x61, 0xe2, 0x82, 0x0a, 0xe2, 0x82, 0xac, 0x0a]);
    assert.deepEqual(await collect(chunked(bytes, 2)), [
      { number: 1, text: undefined },
      { number: 2, text: "\u20ac" },
    ]);
  });
});

describe("trimJson", () => {
  it("takes JSON's whitespace from both ends and nothing else", () => {
    assert.equal(trimJson(" \t\r{} \t\r"), "{}");
    assert.equal(trimJson("\u2028{}\u00a0"), "\u2028{}\u00a0");
    assert.equal(trimJson("   "), "");
    assert.equal(trimJson(`[1,${" ".repeat(100_000)}2]`), `[1,${" ".repeat(100_000)}2]`);
  });
});
