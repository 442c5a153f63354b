/** `resque web`'s settings that have a variable (its other flags, --host, --port, ..., are flags only). */
import { settings } from "./setting.ts";

export const WEB_SETTINGS = settings({
  auth: {
    env: ["RESQUE_WEB_AUTH"],
    flag: "auth",
    kind: "string",
    valueHint: "USER:PASSWORD",
    help: "Require HTTP Basic authentication (RESQUE_WEB_AUTH)",
    roles: ["web"],
  },
  token: {
    env: ["RESQUE_WEB_TOKEN"],
    flag: "token",
    kind: "string",
    valueHint: "TOKEN",
    help: "Require this token: Authorization: Bearer TOKEN, or ?token=TOKEN once (RESQUE_WEB_TOKEN)",
    roles: ["web"],
  },
});
