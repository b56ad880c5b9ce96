import { createHash } from "node:crypto";
import { access, mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { PolicyTfjsError } from "../errors.js";
import { resolveTransformerConfig, type TransformerConfig } from "../model/transformer-config.js";
import { TransformerModel } from "../model/transformer-model.js";
import { SymbolTokenizer } from "../tokenizer/symbol-tokenizer.js";
import type { OptimizerState } from "../training/optimizer-state.js";
import type { PolicyOptimizer } from "../training/policy-optimizer.js";
import { decodeSafetensors, encodeSafetensors } from "./safetensors.js";
import { verifyFinite, verifyWeightCount } from "./verify-weights.js";

/** `manifest.json`: what the folder holds, with a sha256 per file. */
export interface CheckpointManifest {
  readonly format: "ibtpo-policy-tfjs-checkpoint";
  readonly version: 1;
  readonly files: Readonly<Record<string, { readonly sha256: string; readonly bytes: number }>>;
  /** Free-form JSON the caller saved (training step, task, seed...). */
  readonly metadata: Readonly<Record<string, unknown>>;
}

export interface LoadedCheckpoint {
  readonly model: TransformerModel;
  readonly tokenizer: SymbolTokenizer;
  /** Present when the checkpoint was saved with an optimizer; pass to `optimizer.loadState`. */
  readonly optimizerState: OptimizerState | null;
  readonly manifest: CheckpointManifest;
}

const MODEL_FILE = "model.safetensors";
const OPTIMIZER_FILE = "optimizer.safetensors";
let temporaryCounter = 0;

/**
 * Save a checkpoint folder: `model.safetensors`, `config.json`, `tokenizer.json`, optionally
 * `optimizer.safetensors`, and `manifest.json` with each file's sha256. Everything is written to a
 * sibling temporary folder first and then renamed into place, so a crash never leaves a
 * half-written checkpoint under `directory` (an existing one is replaced).
 *
 * @example
 * await saveCheckpoint("runs/sft/step-200", { model, tokenizer, optimizer, metadata: { step: 200 } });
 */
export async function saveCheckpoint(
  directory: string,
  contents: {
    readonly model: TransformerModel;
    readonly tokenizer: SymbolTokenizer;
    readonly optimizer?: PolicyOptimizer;
    readonly metadata?: Record<string, unknown>;
  },
): Promise<CheckpointManifest> {
  const { model, tokenizer, optimizer } = contents;
  if (tokenizer.vocabSize !== model.config.vocabSize) {
    throw new PolicyTfjsError(
      `tokenizer has ${tokenizer.vocabSize} tokens but the model's vocabSize is ${model.config.vocabSize}`,
      "tokenizer",
    );
  }
  const files: Record<string, Uint8Array> = {
    [MODEL_FILE]: encodeSafetensors(model.exportWeights()),
    "config.json": jsonBytes(model.config),
    "tokenizer.json": jsonBytes(tokenizer.toJSON()),
  };
  if (optimizer !== undefined) {
    const state = optimizer.exportState();
    files[OPTIMIZER_FILE] = encodeSafetensors([...state.firstMoments, ...state.secondMoments], {
      step: String(state.step),
    });
  }
  const manifest: CheckpointManifest = {
    format: "ibtpo-policy-tfjs-checkpoint",
    version: 1,
    files: Object.fromEntries(
      Object.entries(files).map(([name, bytes]) => [name, { sha256: sha256(bytes), bytes: bytes.length }]),
    ),
    metadata: contents.metadata ?? {},
  };
  const temporary = `${directory}.tmp-${process.pid}-${Date.now()}-${temporaryCounter++}`;
  await mkdir(temporary, { recursive: true });
  try {
    for (const [name, bytes] of Object.entries(files)) await writeFile(join(temporary, name), bytes);
    await writeFile(join(temporary, "manifest.json"), jsonBytes(manifest));
    const previous = `${temporary}.previous`;
    const replacing = await exists(directory);
    if (replacing) await rename(directory, previous);
    await rename(temporary, directory);
    if (replacing) await rm(previous, { recursive: true, force: true });
  } catch (error) {
    await rm(temporary, { recursive: true, force: true });
    throw error;
  }
  return manifest;
}

/**
 * Load and validate a checkpoint: every file must match its manifest checksum, the tokenizer must
 * fit the config, the weights must have exactly the config's names, shapes and dtype (F32) and
 * finite values (optimizer moments too), and sizes are checked against the files before anything
 * is allocated. Errors name the file, key or tensor that does not match. Pass `expectedConfig` to also insist on
 * a model shape.
 *
 * @example
 * const { model, tokenizer, optimizerState } = await loadCheckpoint("runs/sft/step-200");
 */
export async function loadCheckpoint(
  directory: string,
  options: { readonly expectedConfig?: TransformerConfig } = {},
): Promise<LoadedCheckpoint> {
  const manifest = await readManifest(directory);
  const read = async (name: string): Promise<Uint8Array> => {
    const entry = manifest.files[name];
    if (entry === undefined) throw new PolicyTfjsError(`${name} is not listed in manifest.json`, directory);
    if (typeof entry !== "object" || entry === null || typeof entry.sha256 !== "string") {
      throw new PolicyTfjsError("expected { sha256, bytes }", `${join(directory, "manifest.json")} files["${name}"]`);
    }
    const bytes = new Uint8Array(
      await readFile(join(directory, name)).catch(() => {
        throw new PolicyTfjsError(`${name} is listed in manifest.json but missing`, directory);
      }),
    );
    const actual = sha256(bytes);
    if (actual !== entry.sha256) {
      throw new PolicyTfjsError(
        `checksum mismatch: manifest says ${entry.sha256}, file has ${actual}`,
        join(directory, name),
      );
    }
    return bytes;
  };
  const configPath = join(directory, "config.json");
  const configJson = parseJson(await read("config.json"), configPath);
  const config = inFile(configPath, () => {
    if (typeof configJson !== "object" || configJson === null || Array.isArray(configJson)) {
      throw new PolicyTfjsError("must be a JSON object of model settings");
    }
    return resolveTransformerConfig(configJson as TransformerConfig);
  });
  if (options.expectedConfig !== undefined) {
    const expected = resolveTransformerConfig(options.expectedConfig);
    for (const key of Object.keys(expected) as (keyof typeof expected)[]) {
      if (expected[key] !== config[key]) {
        throw new PolicyTfjsError(
          `checkpoint has ${String(config[key])}, expected ${String(expected[key])}`,
          `config.${key}`,
        );
      }
    }
  }
  const tokenizerPath = join(directory, "tokenizer.json");
  const tokenizerJson = parseJson(await read("tokenizer.json"), tokenizerPath);
  const tokenizer = inFile(tokenizerPath, () => SymbolTokenizer.fromJSON(tokenizerJson));
  if (tokenizer.vocabSize !== config.vocabSize) {
    throw new PolicyTfjsError(
      `has ${tokenizer.vocabSize} tokens but config.vocabSize is ${config.vocabSize}`,
      join(directory, "tokenizer.json"),
    );
  }
  const weightsPath = join(directory, MODEL_FILE);
  const { weights } = decodeSafetensors(await read(MODEL_FILE), weightsPath);
  verifyWeightCount(config, weights, join(directory, "config.json"), MODEL_FILE);
  verifyFinite(weights, weightsPath);
  const model = TransformerModel.create(config, { seed: 0 });
  try {
    model.loadWeights(weights);
  } catch (error) {
    model.dispose();
    throw PolicyTfjsError.isInstance(error) ? new PolicyTfjsError(error.message, weightsPath) : error;
  }
  try {
    const optimizerState =
      manifest.files[OPTIMIZER_FILE] === undefined ? null : await readOptimizerState(read, directory);
    return { model, tokenizer, optimizerState, manifest };
  } catch (error) {
    model.dispose();
    throw error;
  }
}

async function readOptimizerState(
  read: (name: string) => Promise<Uint8Array>,
  directory: string,
): Promise<OptimizerState> {
  const optimizerPath = join(directory, OPTIMIZER_FILE);
  const { weights: moments, metadata } = decodeSafetensors(await read(OPTIMIZER_FILE), optimizerPath);
  verifyFinite(moments, optimizerPath);
  const step = Number(metadata.step);
  if (!Number.isInteger(step) || step < 0) {
    throw new PolicyTfjsError(
      `must be a whole number of optimizer steps, got ${JSON.stringify(metadata.step)}`,
      `${optimizerPath} __metadata__.step`,
    );
  }
  return {
    step,
    firstMoments: moments.filter((moment) => moment.name.startsWith("adam_m.")),
    secondMoments: moments.filter((moment) => moment.name.startsWith("adam_v.")),
  };
}

async function readManifest(directory: string): Promise<CheckpointManifest> {
  const path = join(directory, "manifest.json");
  const bytes = await readFile(path).catch(() => {
    throw new PolicyTfjsError("no manifest.json: not a checkpoint folder, or an unfinished one", directory);
  });
  const manifest = parseJson(new Uint8Array(bytes), path) as Partial<CheckpointManifest> | null;
  if (
    manifest?.format !== "ibtpo-policy-tfjs-checkpoint" ||
    manifest.version !== 1 ||
    typeof manifest.files !== "object" ||
    manifest.files === null
  ) {
    throw new PolicyTfjsError("not an ibtpo-policy-tfjs-checkpoint version 1 manifest", path);
  }
  return manifest as CheckpointManifest;
}

/** Run `check`, putting `path` before the location of a {@link PolicyTfjsError} it throws. */
function inFile<T>(path: string, check: () => T): T {
  try {
    return check();
  } catch (error) {
    if (!PolicyTfjsError.isInstance(error)) throw error;
    throw new PolicyTfjsError(
      error.message.slice(error.location === undefined ? 0 : error.location.length + 2),
      error.location === undefined ? path : `${path} ${error.location}`,
    );
  }
}

function parseJson(bytes: Uint8Array, path: string): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch (error) {
    throw new PolicyTfjsError(`invalid JSON (${(error as Error).message})`, path);
  }
}

function jsonBytes(value: unknown): Uint8Array {
  return new TextEncoder().encode(`${JSON.stringify(value, null, 2)}\n`);
}

function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}
