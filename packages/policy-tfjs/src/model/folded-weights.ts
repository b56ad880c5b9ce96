import * as tf from "@tensorflow/tfjs";

/**
 * A dense layer for passes without gradients: weight `[1, in, out]` (as `fusedAffine` takes it)
 * and bias `[out]`.
 */
export interface RowsProjection {
  readonly weight: tf.Tensor3D;
  readonly bias: tf.Tensor1D;
}

/**
 * One layer's products for passes without gradients, each with the LayerNorm before it folded
 * in: `(n * gain + shift) @ W + b = n @ (gain[:, None] * W) + (shift @ W + b)`, so the
 * normalisation ends at the standardised rows `n` and two elementwise kernels per LayerNorm are
 * gone (a decode step is bound by its number of kernels). The query columns carry
 * `1 / sqrt(headDimension)` as well. Same values as the unfolded layer up to float32 rounding.
 * Weights are rank 3, `[1, in, out]`, as the fused product kernel takes them.
 */
export interface FoldedLayer {
  /** `[1, d, 3d]`: queries (scaled), keys and values side by side, for a decode step. */
  readonly queryKeyValue: RowsProjection;
  /** The three column blocks of {@link FoldedLayer.queryKeyValue}, for passes over many columns. */
  readonly query: RowsProjection;
  readonly key: RowsProjection;
  readonly value: RowsProjection;
  readonly output: RowsProjection;
  /** The MLP's first product, after the second LayerNorm. */
  readonly up: RowsProjection;
  readonly down: RowsProjection;
}

/** The variables a {@link FoldedLayer} is computed from. */
export interface LayerVariables {
  readonly norm1Gain: tf.Tensor1D;
  readonly norm1Bias: tf.Tensor1D;
  readonly qkvWeight: tf.Tensor2D;
  readonly qkvBias: tf.Tensor1D;
  readonly outputWeight: tf.Tensor2D;
  readonly outputBias: tf.Tensor1D;
  readonly norm2Gain: tf.Tensor1D;
  readonly norm2Bias: tf.Tensor1D;
  readonly upWeight: tf.Tensor2D;
  readonly upBias: tf.Tensor1D;
  readonly downWeight: tf.Tensor2D;
  readonly downBias: tf.Tensor1D;
}

/** `gain`, `shift` of a LayerNorm folded into the product `weight`, `bias` that follows it. */
function foldNormalisation(
  gain: tf.Tensor1D,
  shift: tf.Tensor1D,
  weight: tf.Tensor2D,
  bias: tf.Tensor1D,
  columnScale?: tf.Tensor1D,
): { weight: tf.Tensor2D; bias: tf.Tensor1D } {
  const [inputs, outputs] = weight.shape;
  let folded = tf.mul(tf.reshape(gain, [inputs, 1]), weight) as tf.Tensor2D;
  let foldedBias = tf.add(
    tf.reshape(tf.matMul(tf.reshape(shift, [1, inputs]), weight), [outputs]),
    bias,
  ) as tf.Tensor1D;
  if (columnScale !== undefined) {
    folded = tf.mul(folded, columnScale);
    foldedBias = tf.mul(foldedBias, columnScale);
  }
  return { weight: folded, bias: foldedBias };
}

/** The folded products of one layer (tensors the caller owns; `heads` sets the query scale). */
export function foldLayer(variables: LayerVariables, heads: number): FoldedLayer {
  const d = variables.qkvWeight.shape[0];
  const queryScale = 1 / Math.sqrt(d / heads);
  const kept = ({ weight, bias }: { weight: tf.Tensor2D; bias: tf.Tensor1D }): RowsProjection => ({
    weight: tf.keep(tf.reshape(weight, [1, ...weight.shape])),
    bias: tf.keep(tf.clone(bias)),
  });
  // Built in a scope that frees the intermediates; only the kept tensors outlive it.
  let folded: FoldedLayer | undefined;
  tf.tidy(() => {
    const columnScale = tf.tensor1d(Float32Array.from({ length: 3 * d }, (_, column) => (column < d ? queryScale : 1)));
    const queryKeyValue = foldNormalisation(
      variables.norm1Gain,
      variables.norm1Bias,
      variables.qkvWeight,
      variables.qkvBias,
      columnScale,
    );
    const block = (index: number) =>
      kept({
        weight: tf.slice(queryKeyValue.weight, [0, index * d], [d, d]),
        bias: tf.slice(queryKeyValue.bias, [index * d], [d]),
      });
    folded = {
      queryKeyValue: kept(queryKeyValue),
      query: block(0),
      key: block(1),
      value: block(2),
      output: kept({ weight: variables.outputWeight, bias: variables.outputBias }),
      up: kept(foldNormalisation(variables.norm2Gain, variables.norm2Bias, variables.upWeight, variables.upBias)),
      down: kept({ weight: variables.downWeight, bias: variables.downBias }),
    };
  });
  return folded!;
}

/**
 * The final LayerNorm folded into the output product (`[d, vocab]`, or the token embedding
 * `[vocab, d]` transposed when `tied`), which has no bias of its own: tensors the caller owns.
 */
export function foldOutputProjection(
  gain: tf.Tensor1D,
  shift: tf.Tensor1D,
  weight: tf.Tensor2D,
  tied: boolean,
): RowsProjection {
  return tf.tidy(() => {
    const product = tied ? (tf.transpose(weight) as tf.Tensor2D) : weight;
    const folded = foldNormalisation(gain, shift, product, tf.zeros([product.shape[1]]) as tf.Tensor1D);
    return {
      weight: tf.keep(tf.reshape(folded.weight, [1, ...folded.weight.shape]) as tf.Tensor3D),
      bias: tf.keep(folded.bias),
    };
  });
}

export function disposeFoldedLayer(layer: FoldedLayer): void {
  const { queryKeyValue, query, key, value, output, up, down } = layer;
  for (const { weight, bias } of [queryKeyValue, query, key, value, output, up, down]) tf.dispose([weight, bias]);
}
