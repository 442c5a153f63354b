/** A job's arguments as typed: JSON when they parse as JSON (42, -1.5, {"a":1}), strings otherwise. */
import { decodeJson } from "../protocol/json-decode.ts";

export const parseArg = (text: string): unknown => {
  try {
    return decodeJson(text);
  } catch {
    return text;
  }
};
