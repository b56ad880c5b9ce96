import { Presets, SingleBar } from "cli-progress";

/** Live metrics shown beside a bar, already formatted. */
export type ProgressMetrics = Record<string, string>;

/**
 * A progress bar with ETA and live metrics on a terminal; on a pipe or a CI log, one plain line
 * every few seconds instead, so logs stay readable.
 *
 * @example
 * const progress = new Progress("train", 30);
 * progress.update(1, { reward: "0.31", "IB": "0.52" });
 * progress.stop();
 */
export class Progress {
  private readonly bar: SingleBar;

  constructor(label: string, total: number, stream: NodeJS.WriteStream = process.stderr) {
    this.bar = new SingleBar(
      {
        stream,
        format: `${label.padEnd(8)} {bar} {value}/{total} | ETA {eta_formatted} | {metrics}`,
        noTTYOutput: true,
        notTTYSchedule: 5000,
        etaBuffer: 20,
        hideCursor: true,
        barsize: 24,
      },
      Presets.shades_classic,
    );
    this.bar.start(total, 0, { metrics: "" });
  }

  update(value: number, metrics: ProgressMetrics = {}): void {
    const text = Object.entries(metrics)
      .map(([name, shown]) => `${name} ${shown}`)
      .join("  ");
    this.bar.update(value, { metrics: text });
  }

  stop(): void {
    this.bar.stop();
  }
}

/** Format a number for the progress line (null and NaN as "-"). */
export function shown(value: number | null | undefined, digits = 3): string {
  return value === null || value === undefined || Number.isNaN(value) ? "-" : value.toFixed(digits);
}
