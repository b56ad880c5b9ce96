import { ConfigError } from "../config/config-error.js";

/** `ibtpo train --workers`: "auto" or a number of worker threads (0: everything on the main thread). */
export type WorkersChoice = "auto" | number;

/** The default of `--workers`. */
export const DEFAULT_WORKERS: WorkersChoice = "auto";

/** Backends whose kernels run on one thread, so a worker thread puts a second core to work. */
const SINGLE_THREADED_BACKENDS: ReadonlySet<string> = new Set(["wasm", "cpu"]);

/** Read the `--workers` flag's text. */
export function parseWorkersFlag(text: string, flag = "--workers"): WorkersChoice {
  if (text === "auto") return "auto";
  const count = Number(text);
  if (text.trim() === "" || !Number.isInteger(count) || count < 0) {
    throw new ConfigError(`${flag} must be auto or an integer >= 0, got "${text}"`);
  }
  return count;
}

/**
 * How many worker threads a training run starts. `auto`: one when the machine has a second core
 * (`cores` is `os.availableParallelism()`) and the backend runs on one thread (wasm, cpu; the
 * libtensorflow backends already use every core), else none. `compare` passes `--workers 0` to
 * its children when they fill the cores (see {@link compareChildWorkers}). An explicit count on
 * a multi-threaded backend is an error.
 */
export function resolveTrainingWorkers(
  choice: WorkersChoice,
  machine: { readonly cores: number; readonly backend: string },
): number {
  const singleThreaded = SINGLE_THREADED_BACKENDS.has(machine.backend);
  if (choice === "auto") return singleThreaded && machine.cores >= 2 ? 1 : 0;
  if (choice > 0 && !singleThreaded) {
    throw new ConfigError(
      `--workers ${choice} needs the wasm or cpu backend; the "${machine.backend}" backend already uses every core (use --workers 0 or auto)`,
    );
  }
  return choice;
}

/**
 * The `--workers` of each `ibtpo train` child of `compare --jobs <jobs>`: a child with a worker
 * keeps two cores busy, so children get one ("auto") only when every child has a spare core
 * (jobs x 2 <= cores); otherwise the jobs fill the cores and children run on one thread (0).
 */
export function compareChildWorkers(jobs: number, cores: number): WorkersChoice {
  return jobs * 2 <= cores ? "auto" : 0;
}
