import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

/**
 * Where a separately built module of this package lives, seen from the calling module's URL: in
 * `dist`, the `.js` or `.cjs` build matching the caller's format; in `src` (tests, benchmarks run
 * through tsx), the `.ts` source.
 */
export function siblingModule(callerUrl: string, name: string): { path: string; typeScript: boolean } {
  const here = fileURLToPath(callerUrl);
  const extension = here.endsWith(".ts") ? ".ts" : here.endsWith(".cjs") ? ".cjs" : ".js";
  return { path: join(dirname(here), `${name}${extension}`), typeScript: extension === ".ts" };
}

/** A worker script that registers tsx and then imports a TypeScript module (source runs only). */
export function typeScriptWorkerBootstrap(callerUrl: string, path: string): string {
  // require.resolve finds tsx's CommonJS build; its ES module build sits beside it.
  const tsxCommonJs = createRequire(callerUrl).resolve("tsx/esm/api");
  const tsx = pathToFileURL(tsxCommonJs.replace(/\.cjs$/, ".mjs")).href;
  const source = pathToFileURL(path).href;
  return `import(${JSON.stringify(tsx)}).then((api) => { api.register(); return import(${JSON.stringify(source)}); });`;
}
