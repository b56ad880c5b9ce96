import { describe, expect, it } from "vitest";
import type { ChartRow } from "./chart-rows.js";
import { ibScoreChartSpec } from "./chart-specs.js";

const row = (step: number, metrics: Record<string, number | null>): ChartRow => ({
  algorithm: "ib-tpo",
  seed: "1",
  step,
  tokens: 100 * step,
  ...metrics,
});

describe("ibScoreChartSpec", () => {
  it("draws J with Cov and confidence beside it, and leaves out the panels without data", () => {
    const spec = ibScoreChartSpec(
      [row(1, { ibScore: -0.4, ibCov: 0.02, ibConfidence: 0.6, ibH: null, ibI: null }), row(2, { ibScore: -0.3 })],
      ["ib-tpo"],
    ) as { facet: { column: { sort: string[] } }; data: { values: { part: string; value: number }[] } };
    expect(spec.facet.column.sort).toEqual(["IB-Score", "Cov(eta1, eta2)", "confidence"]);
    expect(spec.data.values.filter((value) => value.part === "IB-Score").map((value) => value.value)).toEqual([
      -0.4, -0.3,
    ]);
  });

  it("draws the Shannon parts when a run logged them, and nothing without any IB metric", () => {
    const spec = ibScoreChartSpec([row(1, { ibScore: 0.5, ibH: 0.4, ibI: 0.1 })], ["grpo"]) as {
      facet: { column: { sort: string[] } };
    };
    expect(spec.facet.column.sort).toEqual(["IB-Score", "H (step diversity)", "I (information on the answer)"]);
    expect(ibScoreChartSpec([row(1, { accuracy: 0.5 })], ["grpo"])).toBeNull();
  });
});
