import { TpoLossInputError } from "./errors.js";

/**
 * Check that `groupSizes` tiles `rewards` (responses laid out group after group) and that
 * every reward is finite; return the sizes as integers.
 */
export function checkGroupLayout(rewards: ArrayLike<number>, groupSizes: ArrayLike<number>): Int32Array {
  const sizes = new Int32Array(groupSizes.length);
  let total = 0;
  for (let group = 0; group < groupSizes.length; group++) {
    const size = groupSizes[group] as number;
    if (!Number.isInteger(size) || size < 1) {
      throw new TpoLossInputError(`size is ${size}, expected an integer >= 1`, `group ${group}`);
    }
    sizes[group] = size;
    total += size;
  }
  if (total !== rewards.length) {
    throw new TpoLossInputError(`group sizes add up to ${total} but there are ${rewards.length} rewards`, "groupSizes");
  }
  for (let index = 0; index < rewards.length; index++) {
    const reward = rewards[index] as number;
    if (!Number.isFinite(reward)) throw new TpoLossInputError(`reward is ${reward}`, `response ${index}`);
  }
  return sizes;
}

/** Mean and Bessel-corrected standard deviation of `values[start, start + count)`; std is 0 for count < 2. */
export function meanAndStd(values: ArrayLike<number>, start: number, count: number): { mean: number; std: number } {
  let sum = 0;
  for (let index = start; index < start + count; index++) sum += values[index] as number;
  const mean = sum / count;
  if (count < 2) return { mean, std: 0 };
  let squares = 0;
  for (let index = start; index < start + count; index++) {
    const deviation = (values[index] as number) - mean;
    squares += deviation * deviation;
  }
  return { mean, std: Math.sqrt(squares / (count - 1)) };
}
