import * as tf from "@tensorflow/tfjs";
import { PolicyTfjsError } from "../errors.js";
import { writeColumnOnHeap } from "./heap-attention.js";
import { RunCopier, type Runs } from "./run-copier.js";
import { heapView, hostData } from "./wasm-heap.js";

/** Columns added at a time when the cache is full, so it is reallocated once per this many steps. */
export const CACHE_GROWTH_COLUMNS = 8;

/**
 * One sequence's keys and values for its first `length` positions, off the tensors: per layer,
 * keys `[heads, headDimension, columns]` and values `[heads, columns, headDimension]` (the cache's
 * own layouts without the batch axis), so copying them in and out is a few contiguous runs.
 *
 * A sequence that continues another holds only its own positions: with a `head`, the first
 * `head.length` positions are those of `head.source` and the arrays hold positions
 * `[head.length, length)`, so the branches of a tree share their common start instead of each
 * holding a copy of it. Without one, the arrays hold every position.
 */
export interface RowKeyValues {
  readonly length: number;
  readonly keys: readonly Float32Array[];
  readonly values: readonly Float32Array[];
  readonly head?: { readonly source: RowKeyValues; readonly length: number };
}

/** Positions a row's own arrays hold (those after its head's). */
function ownPositions(row: RowKeyValues): number {
  return row.length - (row.head?.length ?? 0);
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
    const copier = RunCopier.open(stagedFloats(rows, heads * headDimension));
    const blank = blankLayers(layers, [rows.length, heads, headDimension, capacity]);
    for (let layer = 0; layer < layers; layer++) {
      rows.forEach(({ source, length }, row) => {
        copySourceLayer(copier, source, layer, shape, cacheTarget(blank, layer, row, width - length), length);
      });
    }
    const { keys, values } = blank.finish();
    return new KeyValueCache(keys, values, width);
  }

  /**
   * Copy columns of some rows off the tensors (the inverse of {@link KeyValueCache.fromRowKeyValues}):
   * each row in one array, which its layers' keys and values are views of.
   */
  readRows(rows: readonly RowColumns[]): RowKeyValues[] {
    const [, heads, headDimension] = this.keyTensors[0]!.shape;
    const runs = heads * headDimension;
    const layers = this.keyTensors.length;
    const copier = RunCopier.open(runs * Math.max(0, ...rows.map(({ length }) => length)));
    const cache = this.layerData();
    return rows.map(({ position, from, length }) => {
      const block = new Float32Array(2 * layers * runs * length);
      const part = (index: number) => block.subarray(index * runs * length, (index + 1) * runs * length);
      const read = {
        length,
        keys: Array.from({ length: layers }, (_, layer) => part(2 * layer)),
        values: Array.from({ length: layers }, (_, layer) => part(2 * layer + 1)),
      };
      for (let layer = 0; layer < layers; layer++) {
        copyRowLayer(
          copier,
          cacheRuns(cache, layer, position, from),
          ownRuns(read, layer, { heads, headDimension }),
          length,
        );
      }
      return read;
    });
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
    const shape = { heads, headDimension };
    rows.forEach((row, index) => {
      if (row.length > width)
        throw new PolicyTfjsError(`row ${index} has ${row.length} columns, more than ${width}`, "rows");
    });
    const copier = RunCopier.open(stagedFloats(rows, heads * headDimension));
    const blank = blankLayers(this.keyTensors.length, [rows.length, heads, headDimension, columns]);
    const old = this.layerData();
    for (let layer = 0; layer < this.keyTensors.length; layer++) {
      rows.forEach((row, index) => {
        if ("position" in row && inPlace) {
          copyWholeRow(copier, old, row.position, blank, index, layer);
          return;
        }
        const target = cacheTarget(blank, layer, index, width - row.length);
        if ("position" in row) {
          copyRowLayer(copier, cacheRuns(old, layer, row.position, this.filled - row.length), target(0), row.length);
        } else {
          copySourceLayer(copier, row.source, layer, shape, target, row.length);
        }
      });
    }
    const { keys, values } = blank.finish();
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
    const [, heads, headDimension] = this.keyTensors[0]!.shape;
    const copier = RunCopier.open(stagedFloats(rows, heads * headDimension));
    const cache = this.layerData();
    const block = heads * headDimension * cache.columns;
    for (let layer = 0; layer < this.keyTensors.length; layer++) {
      for (const { position, source, length } of rows) {
        cache.keys[layer]!.fill(0, position * block, (position + 1) * block);
        cache.values[layer]!.fill(0, position * block, (position + 1) * block);
        copySourceLayer(
          copier,
          source,
          layer,
          { heads, headDimension },
          cacheTarget(cache, layer, position, width - length),
          length,
        );
      }
    }
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
    this.reserveColumns(1);
  }

  /**
   * Make room for `columns` more columns at once, growing by a multiple of
   * {@link CACHE_GROWTH_COLUMNS}: a batch that knows how many steps it may take grows once, where
   * growing as it goes copies the whole cache every {@link CACHE_GROWTH_COLUMNS} steps.
   */
  reserveColumns(columns: number): void {
    const missing = this.filled + columns - this.capacity;
    if (missing <= 0) return;
    const room = Math.ceil(missing / CACHE_GROWTH_COLUMNS) * CACHE_GROWTH_COLUMNS;
    this.replaceAll((tensor, axis) =>
      tf.pad(
        tensor,
        tensor.shape.map((_, index) => [0, index === axis ? room : 0] as [number, number]),
      ),
    );
  }

  /**
   * Drop the first `count` written columns of every row, which no row may use (each row's left
   * padding is at least `count`): the rest shift left, in place on wasm, and the columns freed at
   * the end become zeros. A running batch whose rows joined at different times slides this way
   * when it is full, instead of growing by {@link CACHE_GROWTH_COLUMNS} columns it does not need.
   */
  dropLeadingColumns(count: number): void {
    if (!(Number.isInteger(count) && count >= 0 && count <= this.filled)) {
      throw new PolicyTfjsError(`must be an integer in [0, ${this.filled}], got ${count}`, "count");
    }
    if (count === 0) return;
    const kept = this.filled - count;
    const [batch, heads, headDimension, capacity] = this.keyTensors[0]!.shape;
    if (heapView(this.keyTensors[0]!) !== undefined) {
      // Keys: a run of columns per row, head and channel; values: a run of columns x channels per row and head.
      const copier = RunCopier.open(count * headDimension);
      const cache = this.layerData();
      const zeros = new Float32Array(count * headDimension);
      const shift = (data: Float32Array, runs: number, width: number, stride: number) => {
        copier.copy({ array: data, at: count * width, stride }, { array: data, at: 0, stride }, runs, kept * width);
        copier.copy({ array: zeros, at: 0, stride: 0 }, { array: data, at: kept * width, stride }, runs, count * width);
      };
      for (let layer = 0; layer < this.keyTensors.length; layer++) {
        shift(cache.keys[layer]!, batch * heads * headDimension, 1, capacity);
        shift(cache.values[layer]!, batch * heads, headDimension, capacity * headDimension);
      }
    } else {
      this.replaceAll((tensor, axis) => {
        const begin = tensor.shape.map((_, index) => (index === axis ? count : 0));
        const size = tensor.shape.map((length, index) => (index === axis ? kept : length));
        return tf.pad(
          tf.slice(tensor, begin, size),
          tensor.shape.map((_, index) => [0, index === axis ? capacity - kept : 0] as [number, number]),
        );
      });
    }
    this.filled = kept;
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
      // One literal: a spread followed by new properties costs about a microsecond each in V8.
      const write = {
        rows,
        stride,
        keysAt: layout.keys,
        valuesAt: layout.values,
        keys: keyHeap,
        values: valueHeap,
        batch,
        heads,
        headDimension,
        capacity,
        column,
      };
      if (writeColumnOnHeap(write)) return;
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
      // Same columns, so each kept row is copied as one block of keys and one of values.
      return this.rearranged(
        positions.map((position) => ({ position, length: this.filled })),
        this.filled,
        this.capacity,
      );
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

  /** Each layer's keys and values for reading and writing in place on wasm (copies elsewhere). */
  private layerData(): CacheData {
    const [, heads, headDimension, columns] = this.keyTensors[0]!.shape;
    return {
      keys: this.keyTensors.map((tensor) => hostData(tensor)),
      values: this.valueTensors.map((tensor) => hostData(tensor)),
      heads,
      headDimension,
      columns,
    };
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

/** Per layer, the data of keys `[batch, heads, headDimension, columns]` and values `[batch, heads, columns, headDimension]`. */
interface CacheData {
  readonly keys: readonly Float32Array[];
  readonly values: readonly Float32Array[];
  readonly heads: number;
  readonly headDimension: number;
  readonly columns: number;
}

/** One layer of one row as runs: keys one run per head and channel, values one per head. */
interface RowLayerRuns {
  readonly keys: Runs;
  readonly values: Runs;
  readonly heads: number;
  readonly headDimension: number;
}

/** Row `row` of `data` in `layer`, from column `from` on. */
function cacheRuns(data: CacheData, layer: number, row: number, from: number): RowLayerRuns {
  const { heads, headDimension, columns } = data;
  return {
    keys: { array: data.keys[layer]!, at: row * heads * headDimension * columns + from, stride: columns },
    values: {
      array: data.values[layer]!,
      at: (row * heads * columns + from) * headDimension,
      stride: columns * headDimension,
    },
    heads,
    headDimension,
  };
}

/** A row held off the tensors, in `layer`: its own arrays in a cache row's layouts with one column per own position. */
function ownRuns(
  source: RowKeyValues,
  layer: number,
  shape: { readonly heads: number; readonly headDimension: number },
): RowLayerRuns {
  const { heads, headDimension } = shape;
  return cacheRuns(
    { keys: source.keys, values: source.values, heads, headDimension, columns: ownPositions(source) },
    layer,
    0,
    0,
  );
}

/** Where position `position` of a row goes: runs of row `row` of `data` in `layer` from column `from + position`. */
function cacheTarget(data: CacheData, layer: number, row: number, from: number): (position: number) => RowLayerRuns {
  return (position) => cacheRuns(data, layer, row, from + position);
}

/** Copy the first `length` positions of `source` in `layer`, its head's first (recursively), then its own. */
function copySourceLayer(
  copier: RunCopier,
  source: RowKeyValues,
  layer: number,
  shape: { readonly heads: number; readonly headDimension: number },
  target: (position: number) => RowLayerRuns,
  length: number,
): void {
  const start = source.head?.length ?? 0;
  if (source.head !== undefined && start > 0) {
    copySourceLayer(copier, source.head.source, layer, shape, target, Math.min(length, start));
  }
  if (length > start) copyRowLayer(copier, ownRuns(source, layer, shape), target(start), length - start);
}

/** Copy `length` columns of one layer of a row. */
function copyRowLayer(copier: RunCopier, source: RowLayerRuns, target: RowLayerRuns, length: number): void {
  const { heads, headDimension } = source;
  copier.copy(source.keys, target.keys, heads * headDimension, length);
  copier.copy(source.values, target.values, heads, length * headDimension);
}

/** Copy row `from` of `source` to row `to` of `target` in `layer` when both have the same columns: one run of keys, one of values. */
function copyWholeRow(
  copier: RunCopier,
  source: CacheData,
  from: number,
  target: CacheData,
  to: number,
  layer: number,
): void {
  const block = source.heads * source.headDimension * source.columns;
  for (const part of ["keys", "values"] as const) {
    copier.copy(
      { array: source[part][layer]!, at: from * block, stride: block },
      { array: target[part][layer]!, at: to * block, stride: block },
      1,
      block,
    );
  }
}

/** Scratch a {@link RunCopier} needs to write rows held off the tensors: one layer's keys of the longest. */
function stagedFloats(rows: readonly ({ readonly source: RowKeyValues } | object)[], runs: number): number {
  const lengths = rows.map((row) => ("source" in row ? row.source.length : 0));
  return runs * Math.max(0, ...lengths);
}

/**
 * Zeroed keys and values for `layers` layers of a cache of `shape` `[batch, heads, headDimension,
 * columns]`, to write into before `finish` gives the tensors: on wasm the tensors are allocated
 * first (filled by the backend's kernel: `tf.zeros` fills a host array and copies it in) and
 * written in place in the heap (take other heap views after this), elsewhere host arrays become
 * tensors at the end.
 */
function blankLayers(
  layers: number,
  shape: readonly [number, number, number, number],
): CacheData & { finish(): { keys: tf.Tensor4D[]; values: tf.Tensor4D[] } } {
  const [batch, heads, headDimension, columns] = shape;
  const keyShape: [number, number, number, number] = [batch, heads, headDimension, columns];
  const valueShape: [number, number, number, number] = [batch, heads, columns, headDimension];
  const layout = { heads, headDimension, columns };
  if (tf.getBackend() === "wasm") {
    const keyTensors = Array.from({ length: layers }, () => tf.fill(keyShape, 0) as tf.Tensor4D);
    const valueTensors = Array.from({ length: layers }, () => tf.fill(valueShape, 0) as tf.Tensor4D);
    const keys = keyTensors.map((tensor) => heapView(tensor));
    const values = valueTensors.map((tensor) => heapView(tensor));
    if (keys.every((view) => view !== undefined) && values.every((view) => view !== undefined)) {
      return { keys, values, ...layout, finish: () => ({ keys: keyTensors, values: valueTensors }) };
    }
    tf.dispose([...keyTensors, ...valueTensors]);
  }
  const size = batch * heads * headDimension * columns;
  const keys = Array.from({ length: layers }, () => new Float32Array(size));
  const values = Array.from({ length: layers }, () => new Float32Array(size));
  return {
    keys,
    values,
    ...layout,
    finish: () => ({
      keys: keys.map((data) => tf.tensor4d(data, keyShape)),
      values: values.map((data) => tf.tensor4d(data, valueShape)),
    }),
  };
}
