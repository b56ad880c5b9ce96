import type { PairedDifference } from "../comparison/paired-difference.js";
import type { SummaryRow } from "../comparison/summarize-runs.js";
import type { ChartRow } from "./chart-rows.js";
import { seedBands } from "./seed-bands.js";

/** A Vega-Lite specification, as plain JSON. */
export type VegaLiteSpec = Record<string, unknown>;

const SIZE = { width: 300, height: 180 };
const SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json";

function colorBy(algorithms: readonly string[]) {
  return { field: "algorithm", type: "nominal", title: "algorithm", scale: { domain: [...algorithms] } };
}

/** How the training curves are drawn: the mean over seeds with its band, or every run raw. */
export interface CurveStyle {
  /**
   * Trailing-mean window in RL steps applied to each run before the mean over seeds is taken;
   * 0 draws one raw line per run (per seed) instead of the mean and its band.
   */
  readonly smoothing: number;
}

/** The default curve style of reports: a 5-step trailing mean, mean over seeds with its 95% band. */
export const DEFAULT_CURVE_STYLE: CurveStyle = { smoothing: 5 };

function xEncoding(x: "step" | "tokens") {
  return { field: x, type: "quantitative", title: x === "step" ? "RL step" : "generated tokens" };
}

/** Mean line and 95% band layers of pre-aggregated points (fields mean, low, high). */
function bandLayers(x: "step" | "tokens", yTitle: string, algorithms: readonly string[]) {
  return [
    {
      mark: { type: "area", opacity: 0.18 },
      encoding: {
        x: xEncoding(x),
        y: { field: "low", type: "quantitative", title: yTitle },
        y2: { field: "high" },
        color: colorBy(algorithms),
      },
    },
    {
      mark: { type: "line", strokeWidth: 1.8 },
      encoding: {
        x: xEncoding(x),
        y: { field: "mean", type: "quantitative", title: yTitle },
        color: colorBy(algorithms),
      },
    },
  ];
}

/**
 * `metric` against steps or cumulative generated tokens, one curve per algorithm: the mean over
 * seeds with its 95% band after a trailing mean (`style.smoothing`), or with smoothing 0 one
 * raw line per run. Null when no row has the metric, so the report shows no empty chart.
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
  style: CurveStyle = DEFAULT_CURVE_STYLE,
): VegaLiteSpec | null {
  const values = rows.filter((row) => typeof row[chart.metric] === "number");
  if (values.length === 0) return null;
  if (style.smoothing === 0) {
    return {
      $schema: SCHEMA,
      title: chart.title,
      ...SIZE,
      data: { values },
      mark: { type: "line", point: values.length <= 60, strokeWidth: 1.6, opacity: 0.85 },
      encoding: {
        x: xEncoding(chart.x),
        y: { field: chart.metric, type: "quantitative", title: chart.metricTitle },
        color: colorBy(algorithms),
        detail: { field: "seed", type: "nominal" },
      },
    };
  }
  return {
    $schema: SCHEMA,
    title: chart.title,
    ...SIZE,
    data: { values: seedBands(values, chart.metric, style.smoothing) },
    layer: bandLayers(chart.x, chart.metricTitle, algorithms),
  };
}

/**
 * The balance the paper tracks, side by side over training: IB-Score, its parts and Eff-Rate
 * (whichever of `parts` the runs logged), each as the mean over seeds with its 95% band.
 */
export function balanceChartSpec(
  rows: readonly ChartRow[],
  algorithms: readonly string[],
  parts: readonly (readonly [metric: string, title: string])[],
  style: CurveStyle = DEFAULT_CURVE_STYLE,
  title = "The balance over training (mean over seeds, 95% band)",
): VegaLiteSpec | null {
  const window = Math.max(1, style.smoothing);
  const values = parts.flatMap(([metric, part]) =>
    seedBands(rows, metric, window).map((point) => ({ ...point, part })),
  );
  if (values.length === 0) return null;
  const present = parts.map(([, part]) => part).filter((part) => values.some((value) => value.part === part));
  return {
    $schema: SCHEMA,
    title,
    data: { values },
    facet: { column: { field: "part", type: "nominal", title: null, sort: present } },
    spec: { width: Math.floor(900 / present.length) - 60, height: 170, layer: bandLayers("step", "value", algorithms) },
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

/**
 * Bars of each algorithm's mean paired difference against the baseline (same seed, same
 * problems) with the 95% interval, and a rule at zero: a bar whose interval clears zero is a
 * difference the seeds support.
 */
export function pairedDifferenceChartSpec(
  differences: readonly PairedDifference[],
  algorithms: readonly string[],
  metricTitle: string,
): VegaLiteSpec | null {
  if (differences.length === 0) return null;
  const baseline = differences[0]?.baseline ?? "";
  const values = differences.map((row) => ({
    algorithm: row.algorithm,
    mean: row.interval.mean,
    low: row.interval.low ?? row.interval.mean,
    high: row.interval.high ?? row.interval.mean,
  }));
  const x = { field: "algorithm", type: "nominal", title: null, sort: algorithms.filter((name) => name !== baseline) };
  return {
    $schema: SCHEMA,
    title: `Test ${metricTitle} minus ${baseline} (paired by seed, 95% CI)`,
    ...SIZE,
    layer: [
      {
        data: { values },
        mark: { type: "bar", opacity: 0.8 },
        encoding: {
          x,
          y: { field: "mean", type: "quantitative", title: `difference in ${metricTitle}` },
          color: colorBy(algorithms),
        },
      },
      {
        data: { values },
        mark: { type: "rule", strokeWidth: 2 },
        encoding: { x, y: { field: "low", type: "quantitative" }, y2: { field: "high" } },
      },
      {
        data: { values: [{ zero: 0 }] },
        mark: { type: "rule", color: "#333" },
        encoding: { y: { field: "zero", type: "quantitative" } },
      },
    ],
  };
}
