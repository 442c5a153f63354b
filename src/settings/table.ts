/** Every setting, once: the tables of each role joined, a row shared by two roles counted once. */
import { CONNECTION_SETTINGS } from "./connection.ts";
import { SCHEDULER_SETTINGS } from "./scheduler.ts";
import type { Role, Setting } from "./setting.ts";
import { WEB_SETTINGS } from "./web.ts";
import { WORK_SETTINGS } from "./work.ts";

export const SETTINGS: readonly Setting[] = [
  ...new Set<Setting>([
    ...Object.values(CONNECTION_SETTINGS),
    ...Object.values(WORK_SETTINGS),
    ...Object.values(SCHEDULER_SETTINGS),
    ...Object.values(WEB_SETTINGS),
  ]),
];

/** The settings any of these roles reads. */
export const settingsOf = (...roles: Role[]): Setting[] => SETTINGS.filter((s) => s.roles.some((r) => roles.includes(r)));

/** The environment variables any of these roles reads, each once, in table order. */
export const envVarsOf = (...roles: Role[]): string[] => [...new Set(settingsOf(...roles).flatMap((s) => [...s.env]))];
