import { PolicyTfjsError } from "../errors.js";

/**
 * Left-padded layout of rows of different lengths in one batch. Row b's tokens end at the same
 * column for every row, which lets incremental decoding append one column per step for all rows
 * at once. Each row keeps its own positions (column - leftPad), so a padded row computes the same
 * values as the row alone; padding columns are hidden from attention by an additive bias.
 *
 * @example
 * const layout = leftPaddedLayout([2, 4]); // leftPad [2, 0], width 4
 * layout.positions(0, 4); // Int32Array [0, 0, 0, 1,  0, 1, 2, 3]
 */
export interface LeftPaddedLayout {
  readonly rows: number;
  /** Columns taken by the longest row. */
  readonly width: number;
  readonly leftPad: Int32Array;
  /** Position ids `[rows, count]` for columns `[start, start + count)`; padding columns get 0. */
  positions(start: number, count: number): Int32Array;
  /**
   * Additive attention bias `[rows, 1, count, start + count]` for query columns `[start, start + count)`
   * over key columns `[0, start + count)`: 0 where a key is visible (causal and not padding), else -1e9.
   */
  attentionBias(start: number, count: number): Float32Array;
}

/** Masked scores get -1e9 rather than -Infinity so a padding query (all keys masked) stays finite. */
export const MASKED_SCORE = -1e9;

export function leftPaddedLayout(
  lengths: ArrayLike<number>,
  width = Math.max(0, ...Array.from(lengths)),
): LeftPaddedLayout {
  const rows = lengths.length;
  const leftPad = new Int32Array(rows);
  for (let row = 0; row < rows; row++) {
    const length = lengths[row]!;
    if (!Number.isInteger(length) || length < 0 || length > width) {
      throw new PolicyTfjsError(`length ${length} must be an integer in [0, ${width}]`, `lengths[${row}]`);
    }
    leftPad[row] = width - length;
  }
  return {
    rows,
    width,
    leftPad,
    positions(start, count) {
      const positions = new Int32Array(rows * count);
      for (let row = 0; row < rows; row++) {
        for (let offset = 0; offset < count; offset++) {
          positions[row * count + offset] = Math.max(0, start + offset - leftPad[row]!);
        }
      }
      return positions;
    },
    attentionBias(start, count) {
      const keys = start + count;
      const bias = new Float32Array(rows * count * keys);
      for (let row = 0; row < rows; row++) {
        for (let offset = 0; offset < count; offset++) {
          const base = (row * count + offset) * keys;
          for (let key = 0; key < keys; key++) {
            if (key < leftPad[row]! || key > start + offset) bias[base + key] = MASKED_SCORE;
          }
        }
      }
      return bias;
    },
  };
}
