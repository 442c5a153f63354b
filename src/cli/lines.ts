/**
 * Lines of a byte stream for `enqueue --bulk`: split at "\n" only (a "\r" before it dropped), each
 * decoded as strict UTF-8. readline will not do: under Bun and Deno it also splits at U+2028 and
 * U+2029, which Ruby's JSON leaves raw inside strings, and it turns bad bytes into U+FFFD.
 */

export interface Line {
  /** 1-based, as `tail -n +N` and editors count. */
  number: number;
  /** The line without its ending; undefined when its bytes are not UTF-8. */
  text: string | undefined;
}

const NEWLINE = 0x0a;
const CR = 0x0d;
// fatal: refuse bad bytes instead of substituting U+FFFD; ignoreBOM: keep every byte the line had.
const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const encoder = new TextEncoder();

function decode(number: number, bytes: Uint8Array): Line {
  const body = bytes.length > 0 && bytes[bytes.length - 1] === CR ? bytes.subarray(0, -1) : bytes;
  try {
    return { number, text: decoder.decode(body) };
  } catch {
    return { number, text: undefined };
  }
}

function join(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

export async function* readLines(chunks: AsyncIterable<Uint8Array | string>): AsyncGenerator<Line> {
  let carry: Uint8Array = new Uint8Array(0);
  let number = 0;
  for await (const chunk of chunks) {
    const bytes = typeof chunk === "string" ? encoder.encode(chunk) : chunk;
    let start = 0;
    for (let end = bytes.indexOf(NEWLINE); end !== -1; end = bytes.indexOf(NEWLINE, start)) {
      const piece = bytes.subarray(start, end);
      yield decode(++number, carry.length > 0 ? join(carry, piece) : piece);
      carry = new Uint8Array(0);
      start = end + 1;
    }
    // A copy: the stream may reuse its chunk's memory.
    if (start < bytes.length) carry = join(carry, bytes.subarray(start));
  }
  if (carry.length > 0) yield decode(++number, carry);
}
