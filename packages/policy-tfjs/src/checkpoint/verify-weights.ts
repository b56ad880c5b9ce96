import { PolicyTfjsError } from "../errors.js";
import { countParameters, type ResolvedTransformerConfig } from "../model/transformer-config.js";
import type { NamedWeight } from "../model/transformer-model.js";

/** Largest fixed position table (contextLength x modelDimension floats) a config may ask for: 1 GiB of float32. */
const MAX_POSITION_TABLE_VALUES = 2 ** 28;

/**
 * Throw naming the file and tensor at the first NaN or infinite value: a checkpoint with one
 * would load and then answer NaN log-probs, or sample forever.
 *
 * @example
 * verifyFinite(weights, "step-000010/model.safetensors");
 */
export function verifyFinite(weights: readonly NamedWeight[], source: string): void {
  for (const weight of weights) {
    const { data } = weight;
    for (let index = 0; index < data.length; index++) {
      if (!Number.isFinite(data[index] as number)) {
        throw new PolicyTfjsError(
          `value ${index} is ${data[index]}; every weight must be finite (the checkpoint was saved from a diverged run or is damaged)`,
          `${source} tensor "${weight.name}"`,
        );
      }
    }
  }
}

/**
 * Check, before a model of `config` is allocated, that the weights file holds as many values as
 * the config needs: a config that does not belong to its weights (a huge `modelDimension`, a
 * wrong `layers`) fails here by name instead of running out of memory. The per-tensor names and
 * shapes are checked when the weights are loaded.
 */
export function verifyWeightCount(
  config: ResolvedTransformerConfig,
  weights: readonly NamedWeight[],
  configSource: string,
  weightsSource: string,
): void {
  const held = weights.reduce((sum, weight) => sum + weight.data.length, 0);
  const needed = countParameters(config);
  if (needed !== held) {
    throw new PolicyTfjsError(
      `describes a model of ${needed} parameters but ${weightsSource} holds ${held} values; the config and the weights do not belong together`,
      configSource,
    );
  }
  if (config.positional === "sinusoidal" && config.contextLength * config.modelDimension > MAX_POSITION_TABLE_VALUES) {
    throw new PolicyTfjsError(
      `contextLength ${config.contextLength} x modelDimension ${config.modelDimension} is a position table above ${MAX_POSITION_TABLE_VALUES} values`,
      `${configSource} contextLength`,
    );
  }
}
