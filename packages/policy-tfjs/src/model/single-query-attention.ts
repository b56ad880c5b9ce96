/** One decode step's queries, keys, values and bias on the host: see {@link singleQueryAttention}. */
export interface SingleQueryInputs {
  /** Row b's query, heads consecutive, at `queries[b * queryStride + i]`, `i < heads * headDimension`. */
  readonly queries: Float32Array;
  readonly queryStride: number;
  /** The cache's keys `[batch, heads, headDimension, capacity]`. */
  readonly keys: Float32Array;
  /** The cache's values `[batch, heads, capacity, headDimension]`. */
  readonly values: Float32Array;
  /** Additive scores `[batch, columns]` over the first `columns` columns of the cache (a mask). */
  readonly bias: Float32Array;
  readonly batch: number;
  readonly heads: number;
  readonly headDimension: number;
  readonly capacity: number;
  readonly columns: number;
}

/**
 * Attention of each row's single query over the first `columns` columns of its cache:
 * `softmax(q · k_j + bias_j) @ v` per row and head, in plain TypeScript (float64 sums of float32
 * data). Returns the merged heads `[batch, heads * headDimension]`.
 *
 * A decode step's two attention products are about 2.6 MFLOP for the reference model. On wasm
 * every batched matMul runs in a scalar loop (about 0.7 GFLOP/s on these shapes, measured), slower
 * than this loop, and with the bias add, softmax and reshape it took four kernels per layer; the
 * depthwise-convolution forms are slower still for one query (XNNPACK packs a fresh filter on
 * every call). Here the cache is read where it lies (the wasm heap) and the queries from the host
 * copy of the step's projection, so the layer uploads its merged heads and runs no kernel.
 */
export function singleQueryAttention(inputs: SingleQueryInputs): Float32Array {
  const { queries, queryStride, keys, values, bias, batch, heads, headDimension, capacity, columns } = inputs;
  const d = heads * headDimension;
  const merged = new Float32Array(batch * d);
  const scores = new Float64Array(columns);
  const context = new Float64Array(headDimension);
  for (let row = 0; row < batch; row++) {
    const rowBias = row * columns;
    for (let head = 0; head < heads; head++) {
      const query = row * queryStride + head * headDimension;
      const keyBlock = (row * heads + head) * headDimension * capacity;
      for (let column = 0; column < columns; column++) scores[column] = 0;
      // Four key rows per pass: a quarter of the loads and stores of the scores.
      let index = 0;
      for (; index + 4 <= headDimension; index += 4) {
        const q0 = queries[query + index]!;
        const q1 = queries[query + index + 1]!;
        const q2 = queries[query + index + 2]!;
        const q3 = queries[query + index + 3]!;
        const run0 = keyBlock + index * capacity;
        const run1 = run0 + capacity;
        const run2 = run1 + capacity;
        const run3 = run2 + capacity;
        for (let column = 0; column < columns; column++) {
          scores[column]! +=
            q0 * keys[run0 + column]! +
            q1 * keys[run1 + column]! +
            q2 * keys[run2 + column]! +
            q3 * keys[run3 + column]!;
        }
      }
      for (; index < headDimension; index++) {
        const q = queries[query + index]!;
        const keyRun = keyBlock + index * capacity;
        for (let column = 0; column < columns; column++) scores[column]! += q * keys[keyRun + column]!;
      }
      let largest = Number.NEGATIVE_INFINITY;
      for (let column = 0; column < columns; column++) {
        const score = Math.fround(scores[column]!) + bias[rowBias + column]!;
        scores[column] = score;
        if (score > largest) largest = score;
      }
      let total = 0;
      for (let column = 0; column < columns; column++) {
        const weight = Math.exp(scores[column]! - largest);
        scores[column] = weight;
        total += weight;
      }
      context.fill(0);
      const valueBlock = (row * heads + head) * capacity * headDimension;
      // Four value rows per pass: a quarter of the loads and stores of the context.
      let column = 0;
      for (; column + 4 <= columns; column += 4) {
        const w0 = scores[column]! / total;
        const w1 = scores[column + 1]! / total;
        const w2 = scores[column + 2]! / total;
        const w3 = scores[column + 3]! / total;
        const run0 = valueBlock + column * headDimension;
        const run1 = run0 + headDimension;
        const run2 = run1 + headDimension;
        const run3 = run2 + headDimension;
        for (let index = 0; index < headDimension; index++) {
          context[index]! +=
            w0 * values[run0 + index]! +
            w1 * values[run1 + index]! +
            w2 * values[run2 + index]! +
            w3 * values[run3 + index]!;
        }
      }
      for (; column < columns; column++) {
        const weight = scores[column]! / total;
        const valueRun = valueBlock + column * headDimension;
        for (let index = 0; index < headDimension; index++) context[index]! += weight * values[valueRun + index]!;
      }
      merged.set(context, row * d + head * headDimension);
    }
  }
  return merged;
}
