/**
 * A job's arguments as typed on the command line: JSON when they are JSON (42, 2.0, null,
 * {"a":1}), strings otherwise (report.pdf). Text that starts like a JSON object, array or string
 * but does not parse is refused, not sent as a string: it is most likely a typo ('{bad'). With
 * --strings every argument is a string as typed; one string can also be written as JSON ('"{x"').
 */
import type { JsonValue } from "../../protocol/json.ts";
import { UsageError } from "./errors.ts";
import { decodeTypedJson, TypedJsonError } from "./typed-json.ts";

/** The flag that turns JSON reading off, for commands that take job arguments. */
export const stringsArg = {
  strings: { type: "boolean", description: "Take every argument as a string, as typed (no JSON reading)" },
} as const;

/** What the help of those commands says about arguments. */
export const ARGS_HELP =
  'Arguments are JSON when they are JSON (42, 2.0, {"a":1}) and strings otherwise (report.pdf); numbers go out as typed (2.0 a Ruby Float, 2 an Integer). One that starts with {, [ or " but is not JSON is refused: write a string in JSON quotes (\'"{not json"\') or pass --strings to take every argument as typed. Put -- before arguments that start with --.';

// JSON's own whitespace, which JSON.parse allows around a document.
const LEADING_SPACE = /^[ \t\r\n]*/;

/** One argument; `position` (1-based) names it in a refusal. */
export function parseArg(text: string, position: number): JsonValue {
  const opener = text.slice(LEADING_SPACE.exec(text)![0].length, undefined)[0];
  const looksLikeJson = opener === "{" || opener === "[" || opener === '"';
  try {
    return decodeTypedJson(text);
  } catch (error) {
    const why = (error as Error).message;
    const asString = `write it in JSON quotes (${shellQuote(JSON.stringify(text))}) or pass --strings`;
    // 1e400 is JSON, but no Float holds it.
    if (error instanceof TypedJsonError && error.outOfRange)
      throw new UsageError(`Argument ${position} (${clip(text)}): ${why}. Nothing was done. To send it as a string, ${asString}.`);
    if (looksLikeJson) {
      throw new UsageError(
        `Argument ${position} (${clip(text)}) starts like JSON but is not JSON: ${why}. Nothing was done. Fix the JSON, or to send it as a string ${asString}.`,
      );
    }
    // Anything else that is not JSON is a string: report.pdf, 1.2.3, 007.
    return text;
  }
}

/** Every argument, as typed (`strings`) or read as above. */
export const parseArgs = (texts: readonly string[], strings = false): JsonValue[] =>
  strings ? [...texts] : texts.map((text, i) => parseArg(text, i + 1));

const clip = (text: string) => (text.length > 60 ? `${text.slice(0, 57)}...` : text);

/** For a shell: '...' with any ' inside closed and escaped. */
const shellQuote = (text: string) => `'${clip(text).replaceAll("'", "'\\''")}'`;
