import type { SummaryRow } from "../comparison/summarize-runs.js";
import type { ChartRow } from "./chart-rows.js";

/** A Vega-Lite specification, as plain JSON. */
export type VegaLiteSpec = Record<string, unknown>;

const SIZE = { width: 300, height: 180 };
const SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json";

function colorBy(algorithms: readonly string[]) {
  return { field: "algorithm", type: "nominal", title: "algorithm", scale: { domain: [...algorithms] } };
}

/**
 * One line per run (colour = algorithm, one line per seed) of `metric` against steps or
 * cumulative generated tokens; rows without the metric are left out.
 */
export function lineChartSpec(
  rows: readonly ChartRow[],
  algorithms: readonly string[],
  chart: {
    readonly title: string;
    readonly metric: string;
    readonly metricTitle: string;
    readonly x: "step" | "tokens";
  },
): VegaLiteSpec | null {
  const values = rows.filter((row) => typeof row[chart.metric] === "number");
  if (values.length === 0) return null;
  return {
    $schema: SCHEMA,
    title: chart.title,
    ...SIZE,
    data: { values },
    mark: { type: "line", point: values.length <= 60, strokeWidth: 1.6, opacity: 0.85 },
    encoding: {
      x: { field: chart.x, type: "quantitative", title: chart.x === "step" ? "RL step" : "generated tokens" },
      y: { field: chart.metric, type: "quantitative", title: chart.metricTitle },
      color: colorBy(algorithms),
      detail: { field: "seed", type: "nominal" },
    },
  };
}

/**
 * The IB-Score over training steps beside what explains it, one panel each: the paper form's
 * Cov(eta1, eta2) and mean confidence, the Shannon form's H and I. Panels without data are left out.
 */
export function ibScoreChartSpec(rows: readonly ChartRow[], algorithms: readonly string[]): VegaLiteSpec | null {
  const parts = [
    ["ibScore", "IB-Score"],
    ["ibCov", "Cov(eta1, eta2)"],
    ["ibConfidence", "confidence"],
    ["ibH", "H (step diversity)"],
    ["ibI", "I (information on the answer)"],
  ] as const;
  const values = rows.flatMap((row) =>
    parts.flatMap(([field, part]) => {
      const value = row[field];
      return typeof value === "number"
        ? [{ algorithm: row.algorithm, seed: row.seed, step: row.step, part, value }]
        : [];
    }),
  );
  if (values.length === 0) return null;
  const shown = parts.map(([, part]) => part).filter((part) => values.some((value) => value.part === part));
  return {
    $schema: SCHEMA,
    title: "IB-Score and what explains it over training",
    data: { values },
    facet: { column: { field: "part", type: "nominal", title: null, sort: shown } },
    spec: {
      width: 180,
      height: 170,
      mark: { type: "line", strokeWidth: 1.6, opacity: 0.85 },
      encoding: {
        x: { field: "step", type: "quantitative", title: "RL step" },
        y: { field: "value", type: "quantitative", title: null },
        color: colorBy(algorithms),
        detail: { field: "seed", type: "nominal" },
      },
    },
    resolve: { scale: { y: "independent" } },
  };
}

/** Bars of a test metric's mean per algorithm with the 95% interval as error bars. */
export function intervalChartSpec(
  summary: readonly SummaryRow[],
  algorithms: readonly string[],
  metric: string,
  metricTitle: string,
): VegaLiteSpec | null {
  const values = summary.flatMap((row) => {
    const interval = row.metrics[metric];
    if (interval === undefined) return [];
    return [
      {
        algorithm: row.algorithm,
        mean: interval.mean,
        low: interval.low ?? interval.mean,
        high: interval.high ?? interval.mean,
      },
    ];
  });
  if (values.length === 0) return null;
  const x = { field: "algorithm", type: "nominal", title: null, sort: [...algorithms] };
  return {
    $schema: SCHEMA,
    title: `Test ${metricTitle} (mean, 95% CI over seeds)`,
    ...SIZE,
    data: { values },
    layer: [
      {
        mark: { type: "bar", opacity: 0.8 },
        encoding: { x, y: { field: "mean", type: "quantitative", title: metricTitle }, color: colorBy(algorithms) },
      },
      {
        mark: { type: "rule", strokeWidth: 2 },
        encoding: { x, y: { field: "low", type: "quantitative" }, y2: { field: "high" } },
      },
    ],
  };
}
