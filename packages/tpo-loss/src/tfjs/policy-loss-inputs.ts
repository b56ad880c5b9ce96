import type * as tf from "@tensorflow/tfjs";
import { TpoLossInputError } from "../errors.js";

/**
 * Tensors of one loss call, all [batch, time] float32 over response positions (padding has mask 0).
 */
export interface PolicyLossInputs {
  /** log pi_theta(token) under the current parameters (differentiable). */
  readonly logp: tf.Tensor2D;
  /** Log-probs of the policy that sampled the tokens. Omit for a single update per batch: stopgrad(logp), ratio 1. */
  readonly oldLogp?: tf.Tensor2D | null;
  readonly advantages: tf.Tensor2D;
  /** Per-token train weights (0 on padding and on tokens trained on another row). */
  readonly mask: tf.Tensor2D;
  /** Full-distribution entropy per token (differentiable); needed by the entropy bonus. */
  readonly entropy?: tf.Tensor2D | null;
  /** Log-probs under the reference policy; needed by the KL term. */
  readonly refLogp?: tf.Tensor2D | null;
}

/** Check ranks, shapes and dtypes, naming the tensor and its shape. */
export function checkPolicyLossInputs(inputs: PolicyLossInputs): void {
  const { logp } = inputs;
  if (logp === undefined || logp === null || logp.rank !== 2) {
    throw new TpoLossInputError(`must be a [batch, time] tensor, got shape [${logp?.shape ?? ""}]`, "input logp");
  }
  const named: [string, tf.Tensor | null | undefined][] = [
    ["oldLogp", inputs.oldLogp],
    ["advantages", inputs.advantages],
    ["mask", inputs.mask],
    ["entropy", inputs.entropy],
    ["refLogp", inputs.refLogp],
  ];
  for (const [name, tensor] of named) {
    const optional = name === "oldLogp" || name === "entropy" || name === "refLogp";
    if (tensor === undefined || tensor === null) {
      if (optional) continue;
      throw new TpoLossInputError("is missing", `input ${name}`);
    }
    if (tensor.rank !== 2 || tensor.shape[0] !== logp.shape[0] || tensor.shape[1] !== logp.shape[1]) {
      throw new TpoLossInputError(`has shape [${tensor.shape}], expected [${logp.shape}] like logp`, `input ${name}`);
    }
  }
  for (const [name, tensor] of [["logp", logp] as const, ...named]) {
    if (tensor && tensor.dtype !== "float32") {
      throw new TpoLossInputError(`has dtype ${tensor.dtype}, expected float32`, `input ${name}`);
    }
  }
}
