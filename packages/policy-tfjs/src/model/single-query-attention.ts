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
 * every batched matMul runs in a scalar loop, slower on these shapes than this one (measured), and
 * with the bias add, softmax and reshape it took five kernels per layer; the
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
      // Eight key rows per pass: an eighth of the loads and stores of the scores.
      let index = 0;
      for (; index + 8 <= headDimension; index += 8) {
        const at = query + index;
        const q0 = queries[at]!;
        const q1 = queries[at + 1]!;
        const q2 = queries[at + 2]!;
        const q3 = queries[at + 3]!;
        const q4 = queries[at + 4]!;
        const q5 = queries[at + 5]!;
        const q6 = queries[at + 6]!;
        const q7 = queries[at + 7]!;
        const run0 = keyBlock + index * capacity;
        for (let column = 0; column < columns; column++) {
          const c = run0 + column;
          scores[column]! +=
            q0 * keys[c]! +
            q1 * keys[c + capacity]! +
            q2 * keys[c + 2 * capacity]! +
            q3 * keys[c + 3 * capacity]! +
            q4 * keys[c + 4 * capacity]! +
            q5 * keys[c + 5 * capacity]! +
            q6 * keys[c + 6 * capacity]! +
            q7 * keys[c + 7 * capacity]!;
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
      const inverseTotal = 1 / total;
      context.fill(0);
      const valueBlock = (row * heads + head) * capacity * headDimension;
      // Eight value rows per pass: an eighth of the loads and stores of the context.
      let column = 0;
      for (; column + 8 <= columns; column += 8) {
        const w0 = scores[column]! * inverseTotal;
        const w1 = scores[column + 1]! * inverseTotal;
        const w2 = scores[column + 2]! * inverseTotal;
        const w3 = scores[column + 3]! * inverseTotal;
        const w4 = scores[column + 4]! * inverseTotal;
        const w5 = scores[column + 5]! * inverseTotal;
        const w6 = scores[column + 6]! * inverseTotal;
        const w7 = scores[column + 7]! * inverseTotal;
        const run0 = valueBlock + column * headDimension;
        for (let index = 0; index < headDimension; index++) {
          const v = run0 + index;
          context[index]! +=
            w0 * values[v]! +
            w1 * values[v + headDimension]! +
            w2 * values[v + 2 * headDimension]! +
            w3 * values[v + 3 * headDimension]! +
            w4 * values[v + 4 * headDimension]! +
            w5 * values[v + 5 * headDimension]! +
            w6 * values[v + 6 * headDimension]! +
            w7 * values[v + 7 * headDimension]!;
        }
      }
      for (; column < columns; column++) {
        const weight = scores[column]! * inverseTotal;
        const valueRun = valueBlock + column * headDimension;
        for (let index = 0; index < headDimension; index++) context[index]! += weight * values[valueRun + index]!;
      }
      merged.set(context, row * d + head * headDimension);
    }
  }
  return merged;
}
