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
  /** Bars showing now, so every exit path can stop them (a running bar keeps the process alive). */
  private static readonly showing = new Set<Progress>();
  private readonly bar: SingleBar;

  /** Stop every bar still showing; the error printer calls it before printing. */
  static stopAll(): void {
    for (const progress of [...Progress.showing]) progress.stop();
  }

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
    Progress.showing.add(this);
  }

  update(value: number, metrics: ProgressMetrics = {}): void {
    const text = Object.entries(metrics)
      .map(([name, shown]) => `${name} ${shown}`)
      .join("  ");
    this.bar.update(value, { metrics: text });
  }

  stop(): void {
    if (!Progress.showing.delete(this)) return;
    this.bar.stop();
  }
}

/** Format a number for the progress line (null and NaN as "-"). */
export function shown(value: number | null | undefined, digits = 3): string {
  return value === null || value === undefined || Number.isNaN(value) ? "-" : value.toFixed(digits);
}
