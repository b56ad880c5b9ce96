/**
 * `@ibtpo/bench-harness/testing`: checks for tests and CI, kept out of the main entry so an
 * application that only runs tasks and comparisons does not load them.
 */
export type { PlotCheck, ReportRenderCheck, ReportRenderCheckOptions } from "./report/chromium-check.js";
export { checkReportInChromium, DEFAULT_CHROMIUM_PATH } from "./report/chromium-check.js";
