import { existsSync } from "node:fs";
import { appendFile, mkdir, readdir, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import type { StepMetrics } from "@ibtpo/bench-harness";
import { writeFileAtomic, writeJsonAtomic } from "../runtime/atomic-file.js";

/** Files of a training run folder; config.json, metrics.jsonl and eval.json are what reports read. */
export const RUN_LAYOUT = {
  config: "config.json",
  metrics: "metrics.jsonl",
  evaluation: "eval.json",
  checkpoints: "checkpoints",
  latest: "checkpoints/latest.json",
} as const;

export interface LatestCheckpoint {
  readonly step: number;
  readonly directory: string;
}

const checkpointName = (step: number) => `step-${String(step).padStart(6, "0")}`;

/** Where a run keeps its config, metrics and checkpoints; every write is atomic or append-only. */
export class RunFolder {
  constructor(readonly directory: string) {}

  path(name: string): string {
    return join(this.directory, name);
  }

  hasMetrics(): boolean {
    return existsSync(this.path(RUN_LAYOUT.metrics));
  }

  async create(config: object): Promise<void> {
    await mkdir(this.path(RUN_LAYOUT.checkpoints), { recursive: true });
    await writeJsonAtomic(this.path(RUN_LAYOUT.config), config);
    await writeFileAtomic(this.path(RUN_LAYOUT.metrics), "");
  }

  async readConfig(): Promise<unknown> {
    return JSON.parse(await readFile(this.path(RUN_LAYOUT.config), "utf8"));
  }

  /** Append one step's metrics as one JSON line. */
  async appendMetrics(metrics: StepMetrics): Promise<void> {
    await appendFile(this.path(RUN_LAYOUT.metrics), `${JSON.stringify(metrics)}\n`);
  }

  /**
   * Keep only the metrics of steps up to `step` (those the checkpoint being resumed has seen),
   * dropping later steps and a line cut short by a kill.
   */
  async truncateMetrics(step: number): Promise<StepMetrics[]> {
    const text = existsSync(this.path(RUN_LAYOUT.metrics)) ? await readFile(this.path(RUN_LAYOUT.metrics), "utf8") : "";
    const kept: StepMetrics[] = [];
    for (const line of text.split("\n")) {
      if (line.trim() === "") continue;
      let metrics: StepMetrics;
      try {
        metrics = JSON.parse(line) as StepMetrics;
      } catch {
        break; // a partial last line from an interrupted append
      }
      if (metrics.step > step) break;
      kept.push(metrics);
    }
    await writeFileAtomic(
      this.path(RUN_LAYOUT.metrics),
      kept.map((metrics) => `${JSON.stringify(metrics)}\n`).join(""),
    );
    return kept;
  }

  checkpointDirectory(step: number): string {
    return this.path(join(RUN_LAYOUT.checkpoints, checkpointName(step)));
  }

  /** Record `step` as the latest complete checkpoint, then drop all but the newest `keep`. */
  async markLatest(step: number, keep = 2): Promise<void> {
    // The folder name, not a path, so a run folder can be moved and still resume.
    await writeJsonAtomic(this.path(RUN_LAYOUT.latest), { step, checkpoint: checkpointName(step) });
    const names = (await readdir(this.path(RUN_LAYOUT.checkpoints))).filter((name) => /^step-\d+$/.test(name)).sort();
    for (const name of names.slice(0, Math.max(0, names.length - keep))) {
      await rm(this.path(join(RUN_LAYOUT.checkpoints, name)), { recursive: true, force: true });
    }
  }

  async latestCheckpoint(): Promise<LatestCheckpoint | null> {
    if (!existsSync(this.path(RUN_LAYOUT.latest))) return null;
    const latest = JSON.parse(await readFile(this.path(RUN_LAYOUT.latest), "utf8")) as {
      step: number;
      checkpoint: string;
    };
    return { step: latest.step, directory: this.path(join(RUN_LAYOUT.checkpoints, latest.checkpoint)) };
  }
}
