import { describe, expect, it } from "vitest";
import type { ChartRow } from "./chart-rows.js";
import { balanceChartSpec, lineChartSpec } from "./chart-specs.js";
import { BALANCE_METRICS, IB_PART_METRICS } from "./write-report.js";

const row = (step: number, metrics: Record<string, number | null>, seed = "1"): ChartRow => ({
  algorithm: "ib-tpo",
  seed,
  step,
  tokens: 100 * step,
  ...metrics,
});

type FacetSpec = { facet: { column: { sort: string[] } }; data: { values: { part: string; mean: number }[] } };

describe("balanceChartSpec", () => {
  it("draws J with Cov beside it, and leaves out the panels without data", () => {
    const spec = balanceChartSpec(
      [row(1, { ibScore: -0.4, ibCov: 0.02, ibH: null }), row(2, { ibScore: -0.3 })],
      ["ib-tpo"],
      BALANCE_METRICS,
      { smoothing: 1 },
    ) as FacetSpec;
    expect(spec.facet.column.sort).toEqual(["IB-Score J", "Cov(eta1, eta2)"]);
    expect(spec.data.values.filter((value) => value.part === "IB-Score J").map((value) => value.mean)).toEqual([
      -0.4, -0.3,
    ]);
  });

  it("draws the Shannon parts when a run logged them, and nothing without any of its metrics", () => {
    const spec = balanceChartSpec([row(1, { ibH: 0.4, ibI: 0.1 })], ["grpo"], IB_PART_METRICS) as FacetSpec;
    expect(spec.facet.column.sort).toEqual(["H (step diversity)", "I (information on the answer)"]);
    expect(balanceChartSpec([row(1, { accuracy: 0.5 })], ["grpo"], BALANCE_METRICS)).toBeNull();
  });
});

describe("lineChartSpec", () => {
  const rows = [row(1, { accuracy: 0.2 }, "1"), row(1, { accuracy: 0.4 }, "2")];
  const chart = { title: "t", metric: "accuracy", metricTitle: "accuracy", x: "step" } as const;

  it("draws the mean over seeds with its band by default", () => {
    const spec = lineChartSpec(rows, ["ib-tpo"], chart) as { data: { values: { mean: number; seeds: number }[] } };
    expect(spec.data.values).toHaveLength(1);
    expect(spec.data.values[0]?.mean).toBeCloseTo(0.3, 12);
    expect(spec.data.values[0]?.seeds).toBe(2);
  });

  it("draws every run raw with smoothing 0", () => {
    const spec = lineChartSpec(rows, ["ib-tpo"], chart, { smoothing: 0 }) as { data: { values: unknown[] } };
    expect(spec.data.values).toHaveLength(2);
  });
});
