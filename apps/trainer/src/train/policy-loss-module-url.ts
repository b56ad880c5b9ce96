import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";

/**
 * The URL every thread imports the RL loss from (`policy-loss-module.ts`). In the bundle it is
 * the module's own build entry beside this code in dist/. Run from the sources (through tsx), a
 * worker thread cannot import TypeScript by itself, so the URL is a small ES module that
 * registers tsx when the import fails and then re-exports the source module's `loss`.
 */
export const POLICY_LOSS_MODULE: string = policyLossModuleUrl(import.meta.url);

function policyLossModuleUrl(here: string): string {
  if (!here.endsWith(".ts")) return new URL("./policy-loss-module.js", here).href;
  const source = new URL("./policy-loss-module.ts", here).href;
  // tsx's CommonJS entry is what require.resolve finds; its ES module build sits beside it.
  const tsx = pathToFileURL(
    createRequire(here)
      .resolve("tsx/esm/api")
      .replace(/\.cjs$/, ".mjs"),
  ).href;
  const code = [
    "let module;",
    `try { module = await import(${JSON.stringify(source)}); }`,
    `catch { (await import(${JSON.stringify(tsx)})).register(); module = await import(${JSON.stringify(`${source}?tsx`)}); }`,
    "export const loss = module.loss;",
  ].join("\n");
  return `data:text/javascript,${encodeURIComponent(code)}`;
}
