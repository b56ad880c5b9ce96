import * as tf from "@tensorflow/tfjs";

/**
 * Whether tfjs is recording a gradient tape right now (inside `tf.grads`, `tf.variableGrads`...).
 * Outside one, the custom-gradient wrappers only add bookkeeping, so layers run their plain
 * forward ops instead: a few percent of every decode step.
 */
export function recordingGradients(): boolean {
  return tf.engine().state.gradientDepth > 0;
}
