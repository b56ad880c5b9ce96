import type { VegaLiteSpec } from "./chart-specs.js";

/**
 * Compiles a Vega-Lite spec and renders it to an SVG string in Node, without a browser or a
 * canvas (Vega's headless SVG renderer). The libraries load on first use, so importing this
 * package stays light.
 *
 * @example
 * const svg = await renderSvg({ mark: "point", data: { values: [{ x: 1 }] }, encoding: { x: { field: "x" } } });
 */
export async function renderSvg(spec: VegaLiteSpec): Promise<string> {
  const [vega, vegaLite] = await Promise.all([import("vega"), import("vega-lite")]);
  const compiled = vegaLite.compile(spec as unknown as Parameters<typeof vegaLite.compile>[0]).spec;
  // No loader access: every chart carries its data inline, so the report never fetches anything.
  const view = new vega.View(vega.parse(compiled), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
