/**
 * Which code points Ruby's String#inspect escapes (as \uXXXX / \u{XXXXX}) in a UTF-8 string: the
 * ones that are not printable in Ruby's own Unicode tables (controls, U+2028/U+2029, unassigned
 * code points...; format characters such as U+200B and private use stay raw). A fixed table
 * generated from Ruby (see ruby-printable.generated.ts), not the JS engine's Unicode data, so
 * every runtime builds the same resque-retry key that Ruby does.
 */
import { ESCAPED_RANGES, RUBY_UNICODE_VERSION } from "./ruby-printable.generated.ts";

export { RUBY_UNICODE_VERSION };

/** Sorted starts and ends of the escaped ranges. */
const starts: number[] = [];
const ends: number[] = [];
for (const range of ESCAPED_RANGES.split(" ")) {
  if (!range) continue;
  const [a, b = a] = range.split("-") as [string, string?];
  starts.push(Number.parseInt(a, 36));
  ends.push(Number.parseInt(b, 36));
}

/** True when String#inspect writes `code` as an escape rather than as itself. */
export function rubyEscapes(code: number): boolean {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (code < starts[mid]!) hi = mid - 1;
    else if (code > ends[mid]!) lo = mid + 1;
    else return true;
  }
  return false;
}
