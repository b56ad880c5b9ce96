import * as tf from "@tensorflow/tfjs";

/**
 * The 2 x 3 batch the tfjs tests work by hand. Ratios exp(logp - oldLogp) are
 * [[1.5, 0.5, 1.1], [0.5, 4, 1.1]], advantages [[1, 1, 2], [-1, -1, -1]], the last token of row 1
 * is padding. logp - refLogp is [[0.1, -0.2, 0.3], [0, 0.5, 9]]. All far from the clip edges
 * (0.8, 1.28, 3), so finite differences never straddle a kink.
 */
export const handBatch = {
  shape: [2, 3] as [number, number],
  ratios: [1.5, 0.5, 1.1, 0.5, 4, 1.1],
  oldLogp: [-1, -1.5, -0.5, -2, -1, -0.7],
  advantages: [1, 1, 2, -1, -1, -1],
  mask: [1, 1, 1, 1, 1, 0],
  entropy: [0.5, 1, 1.5, 2, 2.5, 3],
  klGap: [0.1, -0.2, 0.3, 0, 0.5, 9],
};

function handLogp(): number[] {
  return handBatch.oldLogp.map((old, index) => old + Math.log(handBatch.ratios[index] as number));
}

/** The hand batch as tensors (the caller disposes them). */
export function handTensors() {
  const logp = handLogp();
  const tensor = (values: number[]) => tf.tensor2d(values, handBatch.shape, "float32");
  return {
    logp: tensor(logp),
    oldLogp: tensor(handBatch.oldLogp),
    advantages: tensor(handBatch.advantages),
    mask: tensor(handBatch.mask),
    entropy: tensor(handBatch.entropy),
    refLogp: tensor(logp.map((value, index) => value - (handBatch.klGap[index] as number))),
  };
}

export function disposeAll(tensors: Record<string, tf.Tensor>): void {
  for (const tensor of Object.values(tensors)) tensor.dispose();
}
