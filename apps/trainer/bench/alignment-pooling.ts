import { type MeanWithInterval, meanConfidenceInterval } from "@ibtpo/bench-harness";

/**
 * Cosine of the angle between two flattened gradients; 0 when either is the zero vector (a batch
 * whose advantages are all 0 moves the policy nowhere, so it is counted as unaligned).
 *
 * @example
 * gradientCosine(Float64Array.of(1, 0), Float64Array.of(1, 1)); // 1 / sqrt(2)
 */
export function gradientCosine(a: Float64Array, b: Float64Array): number {
  if (a.length !== b.length) throw new RangeError(`gradientCosine: lengths ${a.length} and ${b.length} differ`);
  let dot = 0;
  let normA = 0;
  let normB = 0;
  for (let index = 0; index < a.length; index++) {
    const x = a[index]!;
    const y = b[index]!;
    dot += x * y;
    normA += x * x;
    normB += y * y;
  }
  if (normA === 0 || normB === 0) return 0;
  return dot / Math.sqrt(normA * normB);
}

/** One variant's cosines over batches, pooled: their mean with its 95% t interval. */
export interface PooledCosine extends MeanWithInterval {
  /** Batches whose variant gradient was exactly zero (counted with cosine 0). */
  readonly zeroGradientBatches: number;
}

/**
 * The pooled cosine of one variant: the mean of its per-batch cosines (batches from every
 * checkpoint alike) with a two-sided 95% interval from Student's t over batches.
 */
export function poolCosines(cosines: readonly number[], zeroGradientBatches = 0): PooledCosine {
  return { ...meanConfidenceInterval(cosines, 0.95), zeroGradientBatches };
}

/**
 * The paired difference of two variants' cosines over the same batches (same prompts, same
 * reference gradient): the mean of the per-batch differences with its 95% t interval.
 */
export function pairedCosineDifference(cosines: readonly number[], baseline: readonly number[]): MeanWithInterval {
  if (cosines.length !== baseline.length) {
    throw new RangeError(`pairedCosineDifference: ${cosines.length} cosines against ${baseline.length} baseline ones`);
  }
  return meanConfidenceInterval(
    cosines.map((cosine, index) => cosine - baseline[index]!),
    0.95,
  );
}
