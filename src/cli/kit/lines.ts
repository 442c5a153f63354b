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

/** Copies `length` bytes of `parts` into one array: each byte once, however many parts. */
function concat(parts: readonly Uint8Array[], length: number): Uint8Array {
  const out = new Uint8Array(length);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

export async function* readLines(chunks: AsyncIterable<Uint8Array | string>): AsyncGenerator<Line> {
  // The pieces of a line that spans chunks, joined once when its end comes: joining at every
  // chunk would copy the line so far each time, quadratic in its length.
  let carry: Uint8Array[] = [];
  let carried = 0;
  let number = 0;
  for await (const chunk of chunks) {
    const bytes = typeof chunk === "string" ? encoder.encode(chunk) : chunk;
    let start = 0;
    for (let end = bytes.indexOf(NEWLINE); end !== -1; end = bytes.indexOf(NEWLINE, start)) {
      const piece = bytes.subarray(start, end);
      yield decode(++number, carried > 0 ? concat([...carry, piece], carried + piece.length) : piece);
      carry = [];
      carried = 0;
      start = end + 1;
    }
    if (start < bytes.length) {
      // A copy: the stream may reuse its chunk's memory.
      const rest = bytes.subarray(start);
      carry.push(concat([rest], rest.length));
      carried += rest.length;
    }
  }
  if (carried > 0) yield decode(++number, concat(carry, carried));
}
