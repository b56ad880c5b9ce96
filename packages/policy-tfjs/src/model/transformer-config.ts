import { PolicyTfjsError } from "../errors.js";

/**
 * Shape of a decoder-only transformer, as a plain object (stored as `config.json` in checkpoints).
 *
 * @example
 * const config = resolveTransformerConfig({ vocabSize: 64, contextLength: 64, modelDimension: 128, layers: 4, heads: 4 });
 * config.mlpDimension; // 512 (4 x modelDimension unless given)
 */
export interface TransformerConfig {
  readonly vocabSize: number;
  /** Longest sequence (prompt + response tokens) the model accepts; positions run 0..contextLength-1. */
  readonly contextLength: number;
  readonly modelDimension: number;
  readonly layers: number;
  readonly heads: number;
  /** Hidden width of the GELU MLP; default 4 x modelDimension. */
  readonly mlpDimension?: number;
  /** "learned" position embeddings (trained) or fixed "sinusoidal" ones; default "learned". */
  readonly positional?: "learned" | "sinusoidal";
  /** Share the token embedding with the output projection; default false. */
  readonly tieEmbeddings?: boolean;
  /** LayerNorm epsilon; default 1e-5. */
  readonly layerNormEpsilon?: number;
  /** Standard deviation of the initial weights; default 0.02 (residual projections are scaled by 1/sqrt(2 layers)). */
  readonly initScale?: number;
}

/** A config with every default filled in. */
export type ResolvedTransformerConfig = Required<TransformerConfig>;

const positiveIntegerKeys = [
  "vocabSize",
  "contextLength",
  "modelDimension",
  "layers",
  "heads",
  "mlpDimension",
] as const;

/** Fill defaults and validate; throws {@link PolicyTfjsError} naming the offending key. */
export function resolveTransformerConfig(config: TransformerConfig): ResolvedTransformerConfig {
  const resolved: ResolvedTransformerConfig = {
    vocabSize: config.vocabSize,
    contextLength: config.contextLength,
    modelDimension: config.modelDimension,
    layers: config.layers,
    heads: config.heads,
    mlpDimension: config.mlpDimension ?? 4 * config.modelDimension,
    positional: config.positional ?? "learned",
    tieEmbeddings: config.tieEmbeddings ?? false,
    layerNormEpsilon: config.layerNormEpsilon ?? 1e-5,
    initScale: config.initScale ?? 0.02,
  };
  for (const key of positiveIntegerKeys) {
    const value = resolved[key];
    if (!Number.isInteger(value) || value < 1) {
      throw new PolicyTfjsError(`must be a positive integer, got ${String(value)}`, `config.${key}`);
    }
  }
  if (resolved.modelDimension % resolved.heads !== 0) {
    throw new PolicyTfjsError(
      `modelDimension ${resolved.modelDimension} is not divisible by heads ${resolved.heads}`,
      "config.heads",
    );
  }
  if (resolved.positional !== "learned" && resolved.positional !== "sinusoidal") {
    throw new PolicyTfjsError(
      `must be "learned" or "sinusoidal", got ${String(resolved.positional)}`,
      "config.positional",
    );
  }
  for (const key of ["layerNormEpsilon", "initScale"] as const) {
    if (!(resolved[key] > 0) || !Number.isFinite(resolved[key])) {
      throw new PolicyTfjsError(`must be a positive number, got ${String(resolved[key])}`, `config.${key}`);
    }
  }
  return resolved;
}

/** Number of trainable parameters of a config, computed without building the model. */
export function countParameters(config: TransformerConfig): number {
  const c = resolveTransformerConfig(config);
  const d = c.modelDimension;
  const perLayer =
    2 * (2 * d) + (d * 3 * d + 3 * d) + (d * d + d) + (d * c.mlpDimension + c.mlpDimension) + (c.mlpDimension * d + d);
  const positions = c.positional === "learned" ? c.contextLength * d : 0;
  const output = c.tieEmbeddings ? 0 : d * c.vocabSize;
  return c.vocabSize * d + positions + c.layers * perLayer + 2 * d + output;
}
