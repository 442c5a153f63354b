/** The CLI's console. Its level is fixed: consola's default goes quiet when NODE_ENV=test, and a CLI's output must not depend on that. */
import { createConsola } from "consola";

export const say = createConsola({ level: 3 });
