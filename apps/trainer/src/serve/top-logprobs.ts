import { leftPaddedLayout, type TransformerModel } from "@ibtpo/policy-tfjs";
import * as tf from "@tensorflow/tfjs";

/** One entry of a position's top list. */
export interface TokenLogprob {
  readonly token: number;
  readonly logprob: number;
}

/**
 * The `k` most likely next tokens, with log-probs, at every generated position of one
 * generation, plus the sampled token where it is not among them (as vLLM reports). One forward
 * pass over the prefix and the generated tokens (all but the last) gives every position's full
 * distribution at `temperature` (greedy rows use 1, as the policy reports their log-probs). A
 * second pass in another batch shape can differ from the decode's own log-probs by float32
 * rounding (about 1e-7).
 *
 * @example
 * const lists = topLogprobs(model, prefix, generation.tokens, 1, 5);
 * lists[0][0]; // { token: 7, logprob: -0.31 }, the likeliest first token
 */
export function topLogprobs(
  model: TransformerModel,
  prefix: Int32Array,
  tokens: Int32Array,
  temperature: number,
  k: number,
): TokenLogprob[][] {
  const input = new Int32Array(prefix.length + tokens.length - 1);
  input.set(prefix);
  input.set(tokens.subarray(0, tokens.length - 1), prefix.length);
  const length = input.length;
  const layout = leftPaddedLayout([length]);
  const vocab = model.config.vocabSize;
  const scale = temperature > 0 ? temperature : 1;
  const distributions = tf.tidy(() => {
    const { hidden } = model.hiddenStates(
      tf.tensor2d(input, [1, length], "int32"),
      tf.tensor2d(layout.positions(0, length), [1, length], "int32"),
      tf.tensor4d(layout.attentionBias(0, length), [1, 1, length, length]),
      null,
    );
    const logits = model.logits(tf.slice(hidden, [prefix.length - 1, 0], [tokens.length, -1]));
    return tf.logSoftmax(scale === 1 ? logits : tf.div(logits, scale));
  });
  const values = distributions.dataSync();
  distributions.dispose();
  return Array.from(tokens, (sampled, position) => {
    const row = values.subarray(position * vocab, (position + 1) * vocab);
    const order = Array.from({ length: vocab }, (_, token) => token).sort(
      (a, b) => (row[b] as number) - (row[a] as number) || a - b,
    );
    const top = order.slice(0, k);
    if (!top.includes(sampled)) top.push(sampled);
    return top.map((token) => ({ token, logprob: row[token] as number }));
  });
}
