import * as tf from "@tensorflow/tfjs";
import { PolicyTfjsError } from "../errors.js";
import type { NamedWeight } from "../model/transformer-model.js";

/** Optimizer state for checkpoints: the step count and Adam's moments per weight. */
export interface OptimizerState {
  readonly step: number;
  /** Named `adam_m.<weight name>`. */
  readonly firstMoments: readonly NamedWeight[];
  /** Named `adam_v.<weight name>`. */
  readonly secondMoments: readonly NamedWeight[];
}

/** Copy moment variables out under `<prefix>.<weight name>`. */
export function momentsToWeights(
  moments: readonly tf.Variable[],
  names: readonly string[],
  prefix: string,
): NamedWeight[] {
  return moments.map((moment, index) => ({
    name: `${prefix}.${names[index]}`,
    shape: moment.shape,
    data: Float32Array.from(moment.dataSync() as Float32Array),
  }));
}

/**
 * The saved moments in the order of `moments`, after checking that every name is present with the
 * right shape; throws naming the first mismatch, before anything is assigned.
 */
export function matchMoments(
  moments: readonly tf.Variable[],
  saved: readonly NamedWeight[],
  names: readonly string[],
  prefix: string,
): NamedWeight[] {
  const byName = new Map(saved.map((weight) => [weight.name, weight]));
  return moments.map((moment, index) => {
    const name = `${prefix}.${names[index]}`;
    const weight = byName.get(name);
    if (weight === undefined) throw new PolicyTfjsError("missing from the optimizer state", `"${name}"`);
    if (weight.shape.join(",") !== moment.shape.join(",")) {
      throw new PolicyTfjsError(`shape [${weight.shape}] does not match [${moment.shape}]`, `"${name}"`);
    }
    return weight;
  });
}

/** Assign checked moments (from {@link matchMoments}) to their variables. */
export function assignMoments(moments: readonly tf.Variable[], weights: readonly NamedWeight[]): void {
  moments.forEach((moment, index) => {
    tf.tidy(() => moment.assign(tf.tensor(weights[index]!.data, moment.shape, "float32")));
  });
}
