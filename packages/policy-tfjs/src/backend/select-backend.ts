import * as tf from "@tensorflow/tfjs";
import { PolicyTfjsError } from "../errors.js";

/** Backends in the order they are tried: CUDA libtensorflow, CPU libtensorflow, WebAssembly, pure JS. */
export const BACKEND_ORDER = ["node-gpu", "node", "wasm", "cpu"] as const;
export type BackendChoice = (typeof BACKEND_ORDER)[number];

/** The environment variable that overrides the default backend choice. */
export const BACKEND_ENVIRONMENT_VARIABLE = "IBTPO_BACKEND";

export interface SelectBackendOptions {
  /** Force one backend (or "auto" for the order above); defaults to `IBTPO_BACKEND`, then "auto". */
  readonly backend?: BackendChoice | "auto";
  /** Where the one line naming the backend goes; defaults to `console.info`. Pass `() => {}` to silence. */
  readonly log?: (line: string) => void;
  /** Loads a package by name; replaceable so tests can simulate absent packages. */
  readonly importModule?: (specifier: string) => Promise<unknown>;
  /** Environment to read `IBTPO_BACKEND` from; defaults to `process.env`. */
  readonly environment?: Readonly<Record<string, string | undefined>>;
}

export interface BackendSelection {
  /** The backend that runs: one of {@link BACKEND_ORDER}. */
  readonly choice: BackendChoice;
  /** tfjs's own name for it (`tensorflow`, `wasm`, `cpu`). */
  readonly tfjsName: string;
  /** Why each earlier backend was skipped, in order. */
  readonly skipped: readonly { readonly choice: BackendChoice; readonly reason: string }[];
  /**
   * For the libtensorflow backends, whether TensorFlow found a GPU device (false is the silent
   * CPU fallback of tfjs-node-gpu without CUDA 11.2 / cuDNN 8.1); null for wasm and cpu.
   */
  readonly usingGpu: boolean | null;
  /** The log line that was written. */
  readonly line: string;
}

const PACKAGE_OF: Record<BackendChoice, string | null> = {
  "node-gpu": "@tensorflow/tfjs-node-gpu",
  node: "@tensorflow/tfjs-node",
  wasm: "@tensorflow/tfjs-backend-wasm",
  cpu: null,
};
const TFJS_NAME_OF: Record<BackendChoice, string> = {
  "node-gpu": "tensorflow",
  node: "tensorflow",
  wasm: "wasm",
  cpu: "cpu",
};

/**
 * Pick and initialise the fastest tfjs backend present, writing one line that names it and says
 * why each earlier one was skipped. A forced backend that cannot start throws instead of falling back.
 *
 * @example
 * const selection = await selectBackend(); // logs e.g. "policy-tfjs backend: wasm (skipped node-gpu: ...; node: ...)"
 * await selectBackend({ backend: "cpu", log: () => {} });
 */
export async function selectBackend(options: SelectBackendOptions = {}): Promise<BackendSelection> {
  const environment = options.environment ?? process.env;
  const requested = options.backend ?? parseEnvironmentChoice(environment[BACKEND_ENVIRONMENT_VARIABLE]);
  const importModule = options.importModule ?? ((specifier: string) => import(specifier));
  const candidates = requested === "auto" ? BACKEND_ORDER : [requested];
  const skipped: { choice: BackendChoice; reason: string }[] = [];
  for (const choice of candidates) {
    const reason = await tryBackend(choice, importModule);
    if (reason === null) {
      const why =
        requested === "auto" ? "" : ` (forced by ${options.backend ? "option" : BACKEND_ENVIRONMENT_VARIABLE})`;
      const skippedText =
        skipped.length === 0 ? "" : ` (skipped ${skipped.map((s) => `${s.choice}: ${s.reason}`).join("; ")})`;
      const usingGpu = TFJS_NAME_OF[choice] === "tensorflow" ? reportsGpuDevice() : null;
      const gpuNote =
        choice === "node-gpu" && usingGpu !== true
          ? " [WARNING: TensorFlow found no GPU device, so this runs on the CPU; tfjs-node-gpu needs CUDA 11.2 and cuDNN 8.1]"
          : "";
      const line = `policy-tfjs backend: ${choice}${why}${skippedText}${gpuNote}`;
      (options.log ?? console.info)(line);
      return { choice, tfjsName: TFJS_NAME_OF[choice], skipped, usingGpu, line };
    }
    if (requested !== "auto") {
      throw new PolicyTfjsError(`the requested backend "${choice}" is not usable: ${reason}`, "backend");
    }
    skipped.push({ choice, reason });
  }
  throw new PolicyTfjsError(`no backend could start: ${skipped.map((s) => `${s.choice}: ${s.reason}`).join("; ")}`);
}

/** tfjs-node's backend exposes whether libtensorflow opened a GPU device. */
function reportsGpuDevice(): boolean {
  return (tf.backend() as { isUsingGpuDevice?: unknown }).isUsingGpuDevice === true;
}

function parseEnvironmentChoice(value: string | undefined): BackendChoice | "auto" {
  if (value === undefined || value === "" || value === "auto") return "auto";
  if ((BACKEND_ORDER as readonly string[]).includes(value)) return value as BackendChoice;
  throw new PolicyTfjsError(
    `unknown backend "${value}"; expected one of auto, ${BACKEND_ORDER.join(", ")}`,
    BACKEND_ENVIRONMENT_VARIABLE,
  );
}

/** Returns null when the backend is active, else the reason it is not usable. */
async function tryBackend(
  choice: BackendChoice,
  importModule: (specifier: string) => Promise<unknown>,
): Promise<string | null> {
  const specifier = PACKAGE_OF[choice];
  if (specifier !== null) {
    try {
      await withoutDuplicateKernelWarnings(() => importModule(specifier));
    } catch (error) {
      return describeImportFailure(specifier, error);
    }
  }
  const tfjsName = TFJS_NAME_OF[choice];
  if (tf.findBackendFactory(tfjsName) === null && tf.findBackend(tfjsName) === null) {
    return `${specifier ?? "tfjs"} loaded but registered no "${tfjsName}" backend`;
  }
  try {
    const ready = await tf.setBackend(tfjsName);
    if (!ready) return `the "${tfjsName}" backend failed to initialise`;
    await tf.ready();
  } catch (error) {
    return `the "${tfjsName}" backend failed to initialise: ${(error as Error).message}`;
  }
  return null;
}

/**
 * tfjs-node and tfjs-node-gpu register the same "tensorflow" kernels when their modules load,
 * even when their native binding is missing and the load then fails; trying the second after the
 * first would print one "already registered" warning per kernel (about 150 lines).
 */
async function withoutDuplicateKernelWarnings<T>(load: () => Promise<T>): Promise<T> {
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    if (typeof args[0] === "string" && /^The kernel '.*' for backend 'tensorflow' is already registered/.test(args[0]))
      return;
    warn(...args);
  };
  try {
    return await load();
  } finally {
    console.warn = warn;
  }
}

function describeImportFailure(specifier: string, error: unknown): string {
  const code = (error as { code?: string }).code;
  if (code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND") return `${specifier} is not installed`;
  const message = (error as Error).message ?? String(error);
  return `${specifier} failed to load (${message.split("\n")[0]})`;
}
