import * as tf from "@tensorflow/tfjs";
import { PolicyTfjsError } from "../errors.js";
import { writeColumnOnHeap } from "./heap-attention.js";
import { heapView, hostData } from "./wasm-heap.js";

/** Columns added at a time when the cache is full, so it is reallocated once per this many steps. */
export const CACHE_GROWTH_COLUMNS = 8;

/**
 * One sequence's keys and values for its first `length` positions, off the tensors: per layer,
 * keys `[heads, headDimension, length]` and values `[heads, length, headDimension]` (the cache's
 * own layouts without the batch axis), so copying them in and out is a few contiguous runs.
 */
export interface RowKeyValues {
  readonly length: number;
  readonly keys: readonly Float32Array[];
  readonly values: readonly Float32Array[];
}

/** Columns `[from, from + length)` of the cache row at `position`. */
export interface RowColumns {
  readonly position: number;
  readonly from: number;
  readonly length: number;
}

/** Where one step's keys and values lie in host rows: see {@link KeyValueCache.writeColumnFrom}. */
export interface ColumnLayout {
  readonly stride: number;
  readonly keys: number;
  readonly values: number;
}

/**
 * A row of {@link KeyValueCache.rearranged}: the last `length` columns of row `position` of the
 * cache, or the first `length` positions of keys and values held off the tensors.
 */
export type RearrangedRow =
  | { readonly position: number; readonly length: number }
  | { readonly source: RowKeyValues; readonly length: number };

/**
 * Keys and values of every layer for the columns seen so far, in tensors preallocated beyond
 * them so that a decode step writes its column instead of concatenating (a copy of the whole
 * cache per layer and token). Keys are kept transposed, `[batch, heads, headDimension, capacity]`,
 * and values are `[batch, heads, capacity, headDimension]`, so that both attention products of a
 * single query (`singleQueryAttention`, on the host) run along contiguous memory. Columns from
 * `length` to `capacity` are zeros and must be masked by the attention bias.
 *
 * On the wasm backend a column is written in place into the heap; the cache owns its tensors
 * (never exposed, never reshaped), so no other tensor sees the write. Other backends replace the
 * tensor with `tf.where` over a column mask, which gives the same values.
 */
export class KeyValueCache {
  private readonly keyTensors: tf.Tensor4D[];
  private readonly valueTensors: tf.Tensor4D[];
  private filled: number;

  private constructor(keys: tf.Tensor4D[], values: tf.Tensor4D[], length: number) {
    this.keyTensors = keys.map((tensor) => tf.keep(tensor));
    this.valueTensors = values.map((tensor) => tf.keep(tensor));
    this.filled = length;
  }

  /**
   * A cache holding prefill keys and values `[batch * time, d]` of each layer (rows of one
   * sequence consecutive), with room for {@link CACHE_GROWTH_COLUMNS} more columns. There is no
   * upper limit: in a left-padded batch the columns can outnumber any one row's positions (a row
   * with a short prefix keeps generating after a long-prefix row stopped at the context).
   */
  static fromRows(
    keys: readonly tf.Tensor2D[],
    values: readonly tf.Tensor2D[],
    shape: { readonly batch: number; readonly time: number; readonly heads: number },
  ): KeyValueCache {
    const { batch, time, heads } = shape;
    const capacity = time + CACHE_GROWTH_COLUMNS;
    const tensors = tf.tidy(() => {
      const split = (rows: tf.Tensor2D) => tf.reshape(rows, [batch, time, heads, rows.shape[1] / heads]);
      const room = capacity - time;
      const keyTensors = keys.map(
        (rows) =>
          tf.pad(tf.transpose(split(rows), [0, 2, 3, 1]), [
            [0, 0],
            [0, 0],
            [0, 0],
            [0, room],
          ]) as tf.Tensor4D,
      );
      const valueTensors = values.map(
        (rows) =>
          tf.pad(tf.transpose(split(rows), [0, 2, 1, 3]), [
            [0, 0],
            [0, 0],
            [0, room],
            [0, 0],
          ]) as tf.Tensor4D,
      );
      return { keyTensors, valueTensors };
    });
    return new KeyValueCache(tensors.keyTensors, tensors.valueTensors, time);
  }

  /**
   * A left-padded cache of `width` columns from rows held off the tensors: row b takes the first
   * `length` positions of its source, right-aligned (columns `[width - length, width)`); the
   * columns before are zeros, to be masked by the attention bias as in a prefill's layout.
   */
  static fromRowKeyValues(
    rows: readonly { readonly source: RowKeyValues; readonly length: number }[],
    width: number,
    shape: { readonly heads: number; readonly headDimension: number },
    capacity = width + CACHE_GROWTH_COLUMNS,
  ): KeyValueCache {
    const { heads, headDimension } = shape;
    const layers = rows[0]?.source.keys.length ?? 0;
    const keys: tf.Tensor4D[] = [];
    const values: tf.Tensor4D[] = [];
    for (let layer = 0; layer < layers; layer++) {
      const keyData = new Float32Array(rows.length * heads * headDimension * capacity);
      const valueData = new Float32Array(rows.length * heads * capacity * headDimension);
      rows.forEach(({ source, length }, row) => {
        const pad = width - length;
        const sourceKeys = source.keys[layer]!;
        const sourceValues = source.values[layer]!;
        for (let run = 0; run < heads * headDimension; run++) {
          const from = run * source.length;
          keyData.set(sourceKeys.subarray(from, from + length), (row * heads * headDimension + run) * capacity + pad);
        }
        for (let head = 0; head < heads; head++) {
          const from = head * source.length * headDimension;
          valueData.set(
            sourceValues.subarray(from, from + length * headDimension),
            ((row * heads + head) * capacity + pad) * headDimension,
          );
        }
      });
      keys.push(tf.tensor4d(keyData, [rows.length, heads, headDimension, capacity]));
      values.push(tf.tensor4d(valueData, [rows.length, heads, capacity, headDimension]));
    }
    return new KeyValueCache(keys, values, width);
  }

  /** Copy columns of some rows off the tensors (the inverse of {@link KeyValueCache.fromRowKeyValues}). */
  readRows(rows: readonly RowColumns[]): RowKeyValues[] {
    const [, heads, headDimension, capacity] = this.keyTensors[0]!.shape;
    const read = rows.map(({ length }) => ({
      length,
      keys: [] as Float32Array[],
      values: [] as Float32Array[],
    }));
    this.keyTensors.forEach((keyTensor, layer) => {
      const keyData = hostData(keyTensor);
      const valueData = hostData(this.valueTensors[layer]!);
      rows.forEach(({ position, from, length }, index) => {
        const keys = new Float32Array(heads * headDimension * length);
        for (let run = 0; run < heads * headDimension; run++) {
          const start = (position * heads * headDimension + run) * capacity + from;
          keys.set(keyData.subarray(start, start + length), run * length);
        }
        const values = new Float32Array(heads * length * headDimension);
        for (let head = 0; head < heads; head++) {
          const start = ((position * heads + head) * capacity + from) * headDimension;
          values.set(valueData.subarray(start, start + length * headDimension), head * length * headDimension);
        }
        read[index]!.keys.push(keys);
        read[index]!.values.push(values);
      });
    });
    return read;
  }

  /**
   * A cache of `width` written columns (and at least `capacity` columns in all) holding `rows` in
   * order, each right-aligned: its columns `[width - length, width)`; this cache is disposed. A
   * row of this cache keeps its last `length` columns; when `width` and the capacity are this
   * cache's, it is copied as one contiguous block, as in {@link KeyValueCache.keepRows}. The
   * columns before a row's own are zeros, to be masked by the attention bias.
   */
  rearranged(rows: readonly RearrangedRow[], width: number, capacity = width + CACHE_GROWTH_COLUMNS): KeyValueCache {
    const [, heads, headDimension, oldCapacity] = this.keyTensors[0]!.shape;
    const columns = Math.max(capacity, width);
    const inPlace = width === this.filled && columns === oldCapacity;
    const runs = heads * headDimension;
    const build = (tensor: tf.Tensor4D, layer: number, isKeys: boolean) => {
      const data = new Float32Array(rows.length * runs * columns);
      const heap = rows.some((row) => "position" in row) ? hostData(tensor) : null;
      rows.forEach((row, index) => {
        const pad = width - row.length;
        if (pad < 0) throw new PolicyTfjsError(`row ${index} has ${row.length} columns, more than ${width}`, "rows");
        if ("position" in row && inPlace) {
          const block = runs * columns;
          data.set(heap!.subarray(row.position * block, (row.position + 1) * block), index * block);
          return;
        }
        // Keys run along columns (one run per head and dimension), values along a head's columns.
        const [source, sourceColumns, from, sourceRow] =
          "position" in row
            ? [heap!, oldCapacity, this.filled - row.length, row.position]
            : [isKeys ? row.source.keys[layer]! : row.source.values[layer]!, row.source.length, 0, 0];
        if (isKeys) {
          for (let run = 0; run < runs; run++) {
            const start = (sourceRow * runs + run) * sourceColumns + from;
            data.set(source.subarray(start, start + row.length), (index * runs + run) * columns + pad);
          }
        } else {
          for (let head = 0; head < heads; head++) {
            const start = ((sourceRow * heads + head) * sourceColumns + from) * headDimension;
            data.set(
              source.subarray(start, start + row.length * headDimension),
              ((index * heads + head) * columns + pad) * headDimension,
            );
          }
        }
      });
      return isKeys
        ? tf.tensor4d(data, [rows.length, heads, headDimension, columns])
        : tf.tensor4d(data, [rows.length, heads, columns, headDimension]);
    };
    const keys = this.keyTensors.map((tensor, layer) => build(tensor, layer, true));
    const values = this.valueTensors.map((tensor, layer) => build(tensor, layer, false));
    this.dispose();
    return new KeyValueCache(keys, values, width);
  }

  /**
   * Replace rows of this cache by rows held off the tensors, each right-aligned at the written
   * columns (`[length - row.length, length)`, zeros before). On wasm the rows are written in place
   * into the heap and this cache is returned; elsewhere a rearranged copy replaces it.
   */
  overwriteRows(
    rows: readonly { readonly position: number; readonly source: RowKeyValues; readonly length: number }[],
  ): KeyValueCache {
    const width = this.filled;
    for (const { position, length } of rows) {
      if (length > width) throw new PolicyTfjsError(`${length} columns do not fit in ${width}`, `row ${position}`);
    }
    if (tf.getBackend() !== "wasm") {
      const replaced = new Map(rows.map((row) => [row.position, row]));
      const all = Array.from({ length: this.batch }, (_, position): RearrangedRow => {
        const row = replaced.get(position);
        return row === undefined ? { position, length: width } : { source: row.source, length: row.length };
      });
      return this.rearranged(all, width, this.capacity);
    }
    const [, heads, headDimension, capacity] = this.keyTensors[0]!.shape;
    const runs = heads * headDimension;
    const block = runs * capacity;
    this.keyTensors.forEach((keyTensor, layer) => {
      const keyHeap = hostData(keyTensor);
      const valueHeap = hostData(this.valueTensors[layer]!);
      for (const { position, source, length } of rows) {
        const pad = width - length;
        keyHeap.fill(0, position * block, (position + 1) * block);
        valueHeap.fill(0, position * block, (position + 1) * block);
        const keys = source.keys[layer]!;
        const values = source.values[layer]!;
        for (let run = 0; run < runs; run++) {
          const from = run * source.length;
          keyHeap.set(keys.subarray(from, from + length), (position * runs + run) * capacity + pad);
        }
        for (let head = 0; head < heads; head++) {
          const from = head * source.length * headDimension;
          valueHeap.set(
            values.subarray(from, from + length * headDimension),
            ((position * heads + head) * capacity + pad) * headDimension,
          );
        }
      }
    });
    return this;
  }

  /** Columns written so far. */
  get length(): number {
    return this.filled;
  }

  /** Columns the tensors hold (written or not). */
  get capacity(): number {
    return this.valueTensors[0]!.shape[2];
  }

  get batch(): number {
    return this.keyTensors[0]!.shape[0];
  }

  /** Keys of one layer, transposed: `[batch, heads, headDimension, capacity]`. */
  keys(layer: number): tf.Tensor4D {
    return this.keyTensors[layer]!;
  }

  /** Values of one layer, `[batch, heads, capacity, headDimension]`. */
  values(layer: number): tf.Tensor4D {
    return this.valueTensors[layer]!;
  }

  /**
   * One layer's keys and values for reading on the host (layouts as in {@link KeyValueCache.keys}
   * and {@link KeyValueCache.values}): on wasm views of the heap, valid until the next tfjs
   * allocation; elsewhere the backend's data.
   */
  hostLayer(layer: number): { keys: Float32Array; values: Float32Array } {
    return { keys: hostData(this.keyTensors[layer]!), values: hostData(this.valueTensors[layer]!) };
  }

  /** Make room for one more column, growing by {@link CACHE_GROWTH_COLUMNS} when full. */
  reserveColumn(): void {
    if (this.filled < this.capacity) return;
    const room = CACHE_GROWTH_COLUMNS;
    this.replaceAll((tensor, axis) =>
      tf.pad(
        tensor,
        tensor.shape.map((_, index) => [0, index === axis ? room : 0] as [number, number]),
      ),
    );
  }

  /**
   * Write column `length` of one layer from this step's keys and values `[batch, d]` (one row per
   * sequence, heads consecutive). Call for every layer, then {@link KeyValueCache.advance}.
   */
  writeColumn(layer: number, keys: tf.Tensor2D, values: tf.Tensor2D): void {
    const d = keys.shape[1];
    const rows = new Float32Array(keys.shape[0] * 2 * d);
    const keyData = keys.dataSync() as Float32Array;
    const valueData = values.dataSync() as Float32Array;
    for (let row = 0; row < keys.shape[0]; row++) {
      rows.set(keyData.subarray(row * d, (row + 1) * d), row * 2 * d);
      rows.set(valueData.subarray(row * d, (row + 1) * d), row * 2 * d + d);
    }
    this.writeColumnFrom(layer, rows, { stride: 2 * d, keys: 0, values: d });
  }

  /**
   * {@link KeyValueCache.writeColumn} from rows on the host: row b's keys are
   * `rows[b * stride + keys + i]` and its values `rows[b * stride + values + i]`, `i < d` (so a
   * decode step writes straight from its fused query-key-value product).
   */
  writeColumnFrom(layer: number, rows: Float32Array, layout: ColumnLayout): void {
    const column = this.filled;
    const keyTensor = this.keyTensors[layer]!;
    const valueTensor = this.valueTensors[layer]!;
    const [batch, heads, capacity, headDimension] = valueTensor.shape;
    const d = heads * headDimension;
    const { stride } = layout;
    const keyHeap = heapView(keyTensor);
    const valueHeap = heapView(valueTensor);
    if (keyHeap !== undefined && valueHeap !== undefined) {
      const write = { rows, stride, keysAt: layout.keys, valuesAt: layout.values, keys: keyHeap, values: valueHeap };
      if (writeColumnOnHeap({ ...write, batch, heads, headDimension, capacity, column })) return;
      for (let row = 0; row < batch; row++) {
        const keys = row * stride + layout.keys;
        for (let index = 0; index < d; index++) keyHeap[(row * d + index) * capacity + column] = rows[keys + index]!;
        const values = row * stride + layout.values;
        for (let head = 0; head < heads; head++) {
          valueHeap.set(
            rows.subarray(values + head * headDimension, values + (head + 1) * headDimension),
            ((row * heads + head) * capacity + column) * headDimension,
          );
        }
      }
      return;
    }
    const part = (offset: number) => {
      const data = new Float32Array(batch * d);
      for (let row = 0; row < batch; row++)
        data.set(rows.subarray(row * stride + offset, row * stride + offset + d), row * d);
      return data;
    };
    // The update is shaped like one column of the tensor, and the mask selects that column.
    const replace = (current: tf.Tensor4D, offset: number, columnAxis: number) =>
      tf.tidy(() => {
        const shape = current.shape.map((size, axis) => (axis === columnAxis ? 1 : size)) as [
          number,
          number,
          number,
          number,
        ];
        const maskShape = current.shape.map((size, axis) => (axis === columnAxis ? size : 1));
        const mask = tf.equal(tf.reshape(tf.range(0, capacity, 1, "int32"), maskShape), column);
        return tf.keep(tf.where(mask, tf.tensor4d(part(offset), shape), current) as tf.Tensor4D);
      });
    const nextKeys = replace(keyTensor, layout.keys, 3);
    const nextValues = replace(valueTensor, layout.values, 2);
    tf.dispose([keyTensor, valueTensor]);
    this.keyTensors[layer] = nextKeys;
    this.valueTensors[layer] = nextValues;
  }

  /** Count the column every layer has just written. */
  advance(): void {
    this.filled++;
  }

  /**
   * Keep only the rows at `positions` (in that order); this cache is disposed. On wasm each row is
   * one contiguous block of the heap, copied as such: the backend's gather kernel takes about 7
   * times longer on decode-sized caches (`bench/keep-rows.ts`).
   */
  keepRows(positions: readonly number[]): KeyValueCache {
    if (tf.getBackend() === "wasm") {
      const pick = (tensor: tf.Tensor4D) => {
        const [, ...rowShape] = tensor.shape;
        const block = rowShape[0] * rowShape[1] * rowShape[2];
        const heap = hostData(tensor);
        const data = new Float32Array(positions.length * block);
        positions.forEach((position, row) => {
          data.set(heap.subarray(position * block, (position + 1) * block), row * block);
        });
        return tf.tensor4d(data, [positions.length, ...rowShape]);
      };
      const kept = new KeyValueCache(this.keyTensors.map(pick), this.valueTensors.map(pick), this.filled);
      this.dispose();
      return kept;
    }
    const indices = tf.tensor1d([...positions], "int32");
    const pick = (tensor: tf.Tensor4D) => tf.gather(tensor, indices, 0) as tf.Tensor4D;
    const kept = new KeyValueCache(this.keyTensors.map(pick), this.valueTensors.map(pick), this.filled);
    indices.dispose();
    this.dispose();
    return kept;
  }

  dispose(): void {
    tf.dispose([...this.keyTensors, ...this.valueTensors]);
  }

  private replaceAll(grow: (tensor: tf.Tensor4D, axis: number) => tf.Tensor): void {
    const grown = (tensors: tf.Tensor4D[], axis: number) =>
      tensors.map((tensor) => {
        const next = tf.keep(tf.tidy(() => grow(tensor, axis)) as tf.Tensor4D);
        tensor.dispose();
        return next;
      });
    this.keyTensors.splice(0, this.keyTensors.length, ...grown(this.keyTensors, 3));
    this.valueTensors.splice(0, this.valueTensors.length, ...grown(this.valueTensors, 2));
  }
}
