import * as tf from "@tensorflow/tfjs";
import { maskedSoftmax, reshape } from "./copy-free-ops.js";
import type { RowsProjection } from "./folded-weights.js";
import { groupedProduct } from "./grouped-product.js";
import { attendSingleQuery } from "./heap-attention.js";
import { attendCausalOnHeap } from "./heap-causal-attention.js";
import type { KeyValueCache } from "./key-value-cache.js";
import { fusedAffine, linear, type Projection } from "./linear.js";
import { hostData } from "./wasm-heap.js";

/** One layer's attention weights, `[in, out]` matrices as everywhere in the model. */
export interface AttentionWeights {
  /** `[d, 3d]`: the query, key and value projections side by side (the checkpoint layout). */
  readonly qkvWeight: tf.Tensor2D;
  readonly qkvBias: tf.Tensor1D;
  readonly outputWeight: tf.Tensor2D;
  readonly outputBias: tf.Tensor1D;
}

export interface AttentionShape {
  readonly batch: number;
  readonly time: number;
  readonly heads: number;
}

/** The query (scaled), key and value projections of one layer. */
export interface QueryKeyValueProjections {
  readonly query: Projection;
  readonly key: Projection;
  readonly value: Projection;
}

/**
 * The three column blocks of the fused `[d, 3d]` projection, the query block scaled by
 * `1 / sqrt(headDimension)` (cheaper on the weight than on the queries or the scores). Three
 * matMuls on these blocks are cheaper on wasm than one `[rows, 3d]` product split in three (a
 * strided copy that costs more than the products); slicing the weight is small. Differentiable.
 */
export function splitQueryKeyValue(weights: AttentionWeights, heads: number): QueryKeyValueProjections {
  const d = weights.qkvWeight.shape[0];
  const scale = 1 / Math.sqrt(d / heads);
  const block = (index: number): Projection => ({
    weight: tf.slice(weights.qkvWeight, [0, index * d], [d, d]) as tf.Tensor2D,
    bias: tf.slice(weights.qkvBias, [index * d], [d]) as tf.Tensor1D,
  });
  const query = block(0);
  return {
    query: { weight: tf.mul(query.weight, scale) as tf.Tensor2D, bias: tf.mul(query.bias, scale) as tf.Tensor1D },
    key: block(1),
    value: block(2),
  };
}

/** Queries (scaled), keys and values `[rows, d]` of the normalised rows. */
export function queryKeyValue(
  normed: tf.Tensor2D,
  projections: QueryKeyValueProjections,
): { queries: tf.Tensor2D; keys: tf.Tensor2D; values: tf.Tensor2D } {
  const project = ({ weight, bias }: Projection) => linear(normed, weight, bias);
  return { queries: project(projections.query), keys: project(projections.key), values: project(projections.value) };
}

/**
 * Attention of every column over the columns of its own rows (training, scoring, prefill).
 * `queries`, `keys`, `values` are `[batch * time, d]`; `biasByQuery` is the additive mask
 * `[time, batch, 1, time]` (query column first). Both products are {@link groupedProduct}s with
 * rows and heads as groups, which keeps them on XNNPACK: scores `[query, (batch, head), key]`
 * from queries as `[query, headDimension, (batch, head)]` and keys as `[headDimension, (batch,
 * head), key]`; the weighted values from probabilities as `[query, key, (batch, head)]` and values
 * as `[key, (batch, head), headDimension]`. Returns the merged heads `[batch * time, d]`. On wasm
 * one kernel does all of it in place ({@link attendCausalOnHeap}), which needs the bias to hide
 * every key after its query, as the model's causal mask does.
 */
export function attendWithinRows(
  queries: tf.Tensor2D,
  keys: tf.Tensor2D,
  values: tf.Tensor2D,
  shape: AttentionShape,
  biasByQuery: tf.Tensor4D,
): tf.Tensor2D {
  const { batch, time, heads } = shape;
  const onHeap = attendCausalOnHeap(queries, keys, values, biasByQuery, heads);
  if (onHeap !== undefined) return onHeap;
  const d = queries.shape[1];
  const headDimension = d / heads;
  const groups = batch * heads;
  const split = (rows: tf.Tensor2D) => reshape(rows, [batch, time, heads, headDimension]);
  const queryImage = reshape<tf.Tensor3D>(tf.transpose(split(queries), [1, 3, 0, 2]), [time, headDimension, groups]);
  const keyFilter = reshape<tf.Tensor3D>(tf.transpose(split(keys), [3, 0, 2, 1]), [headDimension, groups, time]);
  const scores = reshape(groupedProduct(queryImage, keyFilter), [time, batch, heads, time]);
  const probabilities = reshape<tf.Tensor3D>(maskedSoftmax(scores, biasByQuery), [time, groups, time]);
  const valueFilter = reshape<tf.Tensor3D>(tf.transpose(reshape(values, [batch, time, d]), [1, 0, 2]), [
    time,
    groups,
    headDimension,
  ]);
  const context = groupedProduct(tf.transpose(probabilities, [0, 2, 1]), valueFilter);
  return reshape(tf.transpose(reshape(context, [time, batch, d]), [1, 0, 2]), [batch * time, d]);
}

/**
 * One decode step's attention: the new column of each row over a cache that then holds it.
 * `standardised [1, batch, d]` (the LayerNorm before it without the gain and shift, which
 * `queryKeyValue` holds, see `foldLayer`) goes through the fused `[d, 3d]` projection in one
 * product, whose keys and values are written into the cache from its data on the host (in place in
 * the heap on wasm). The queries are read from there too, and attention over the cache runs
 * outside tfjs's kernels ({@link attendSingleQuery}: wasm SIMD on the heap, else a host loop).
 * `bias` `[batch, columns]` masks padding. Returns the merged heads `[1, batch, d]`.
 */
export function attendToCache(
  standardised: tf.Tensor3D,
  queryKeyValue: RowsProjection,
  cache: KeyValueCache,
  layer: number,
  heads: number,
  bias: Float32Array,
): tf.Tensor3D {
  const [, batch, d] = standardised.shape;
  // On wasm a view of the product in the heap (no copy), valid while nothing is allocated.
  const projected = hostData(fusedAffine(standardised, queryKeyValue.weight, queryKeyValue.bias));
  const queryStride = 3 * d;
  cache.writeColumnFrom(layer, projected, { stride: queryStride, keys: d, values: 2 * d });
  const { keys, values } = cache.hostLayer(layer);
  const merged = attendSingleQuery({
    queries: projected,
    queryStride,
    keys,
    values,
    bias,
    batch,
    heads,
    headDimension: d / heads,
    capacity: cache.capacity,
    columns: cache.length + 1,
  });
  return tf.tensor3d(merged, [1, batch, d]);
}

/** The attention block's output projection. */
export function attentionOutput(merged: tf.Tensor2D, weights: AttentionWeights): tf.Tensor2D {
  return linear(merged, weights.outputWeight, weights.outputBias);
}
