// Reading a comparison folder (the output of `ibtpo compare` or `ibtpo report`), shared by the
// experiment scripts so each reads runs and their step figures the same way.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { readRunFolder, runFolderPath } from "../packages/bench-harness/dist/index.js";

/**
 * A comparison folder's results.json (its run list and summary). Throws an Error whose message
 * names the file when it is missing, not JSON, or has no run list.
 *
 * @param {string} folder
 */
export function readComparisonResults(folder) {
  const file = join(folder, "results.json");
  if (!existsSync(file)) throw new Error(`${file} does not exist (run \`ibtpo report ${folder}\` to write it)`);
  let results;
  try {
    results = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new Error(`${file} is not readable JSON: ${error.message}`);
  }
  if (!Array.isArray(results?.runs)) throw new Error(`${file} has no "runs" list`);
  return results;
}

/**
 * The runs of a comparison folder with their step histories (results.json keeps only each run's
 * summary): all of them, or the given entries of its run list. Throws an Error naming a run folder
 * that results.json lists but that cannot be read.
 *
 * @param {string} folder
 * @param {{ config: object }[]} [runs] entries of the folder's results.json run list
 */
export async function loadComparisonRuns(folder, runs = readComparisonResults(folder).runs) {
  return Promise.all(
    runs.map(async (run) => {
      const path = runFolderPath(folder, run.config);
      try {
        return await readRunFolder(path);
      } catch (error) {
        throw new Error(`${path}: ${error.message} (results.json lists a run this folder no longer holds whole)`);
      }
    }),
  );
}

/**
 * Mean over a run's training steps of one step metric (null when no step has it).
 *
 * @param {{ history: Record<string, unknown>[] }} run
 * @param {string} metric
 */
export function stepMean(run, metric) {
  const values = run.history.map((step) => step[metric]).filter((value) => typeof value === "number");
  return values.length === 0 ? null : values.reduce((a, b) => a + b, 0) / values.length;
}
