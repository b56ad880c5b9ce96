import { leftPaddedLayout } from "../model/batch-layout.js";
import { CACHE_GROWTH_COLUMNS, KeyValueCache, type RowKeyValues } from "../model/key-value-cache.js";
import type { TransformerModel } from "../model/transformer-model.js";
import {
  type DecodedRow,
  type DecodeOptions,
  type DecodeRow,
  decodedRow,
  distinctSequences,
  drawNext,
  forward,
  keepDecoded,
  prefillRows,
  type RowState,
  startRow,
} from "./batch-decoder.js";

/**
 * Wall time between yields to the event loop (timers, I/O, an abort), so a long batch does not
 * starve them. By time rather than by steps: on a loaded machine each yield can cost a time slice.
 */
const YIELD_MILLISECONDS = 50;

/**
 * A row of the continuous batch: its number (the order it was fed in), its decoding state, and
 * once looked up or prefilled, the keys and values of its prefix but the last token.
 */
interface RunningRow {
  readonly number: number;
  readonly state: RowState;
  source?: RowKeyValues;
}

/** Rows that finished in a step, by number; the feed answers with the rows to add. */
export type RowFeed = (finished: readonly { number: number; decoded: DecodedRow }[]) => Promise<readonly DecodeRow[]>;

/**
 * Decode the rows of `feed` in one running batch (continuous batching): a cached step per token
 * for every running row, and whenever rows finish, the feed is told and the rows it returns join
 * the batch at the next step. Every row keeps the keys and values of its sequence but its last
 * token right-aligned in the cache, and feeds that token at the next column; a joining row starts
 * from its prefix's keys and values in the prefix cache, or from a prefill of its prefix but the
 * last token. Rows draw from their own seeded streams, so a row's tokens are those of
 * `decodeRows` for it alone. Finished rows are kept in the prefix cache before the feed is told,
 * so the rows it returns can continue them. At most `maxBatchSize` rows run at once; later rows wait.
 *
 * A row joining when another finished is written into the finished row's slot (in place on wasm).
 * A finished row no row replaces keeps its slot (fed a placeholder, its output ignored) until the
 * free slots are half the batch; then the cache is rebuilt without them.
 */
export async function decodeContinuously(
  model: TransformerModel,
  feed: RowFeed,
  options: DecodeOptions & { readonly maxBatchSize: number },
): Promise<void> {
  const { vocabSize, contextLength } = model.config;
  const waiting: RunningRow[] = [];
  let batch: Batch | null = null;
  let fed = 0;
  let finished: { number: number; decoded: DecodedRow }[] = [];
  let lastYield = performance.now();
  try {
    for (let step = 0; ; step++) {
      options.signal?.throwIfAborted();
      if (step === 0 || finished.length > 0) {
        for (const row of await feed(finished)) waiting.push({ number: fed++, state: startRow(row) });
        finished = [];
      }
      const running = batch?.slots.filter((slot) => slot !== null).length ?? 0;
      const joining = waiting.splice(0, Math.max(0, options.maxBatchSize - running));
      if (running === 0 && joining.length === 0) return;
      // The rows next in line get their prefixes' keys and values in the same prefill as the
      // joining ones: rows joining a few at a time would otherwise each take a small prefill.
      if (joining.length > 0) findSources(model, [...joining, ...waiting.slice(0, options.maxBatchSize)], options);
      // Free slots stay (their outputs ignored) until they are half the batch, as in decodeRows:
      // dropping each finished row at once rebuilt the cache at almost every step of short rows.
      const free = (batch?.slots.length ?? 0) - running;
      if (batch === null || joining.length > 0 || free * 2 >= batch.slots.length) {
        batch = place(model, batch, joining);
      }
      const { cache, slots, leftPad } = batch;
      slideWhenFull(batch);
      const filled = cache.length;
      const layout = leftPaddedLayout(
        leftPad.map((pad) => filled - pad),
        filled,
      );
      // A free slot's position can pass the context; its output is ignored, its input must stay valid.
      const positions = (start: number, count: number) =>
        layout.positions(start, count).map((position) => Math.min(position, contextLength - 1));
      const inputs = Int32Array.from(slots, (slot) => (slot === null ? 0 : pendingToken(slot.state)));
      const { logits } = forward(model, inputs, { ...layout, positions }, filled, 1, cache, true);
      const leaving: number[] = [];
      slots.forEach((slot, position) => {
        if (slot === null) return;
        drawNext(slot.state, logits, position, vocabSize, options.eosToken);
        if (slot.state.finishReason !== null) leaving.push(position);
      });
      if (leaving.length > 0 && options.prefixCache !== undefined) {
        // Only the leaving slots' states are read; free slots have none.
        const states = slots.map((slot) => slot?.state) as RowState[];
        keepDecoded(
          options.prefixCache,
          cache,
          states,
          states.map((_, position) => position),
          layout,
          leaving,
          (position) => slots[position]!.source,
        );
      }
      finished = leaving.map((position) => ({
        number: slots[position]!.number,
        decoded: decodedRow(slots[position]!.state),
      }));
      for (const position of leaving) slots[position] = null;
      if (performance.now() - lastYield >= YIELD_MILLISECONDS) {
        await new Promise((resolve) => setImmediate(resolve));
        lastYield = performance.now();
      }
    }
  } finally {
    batch?.cache.dispose();
  }
}

/** The cache and what each of its rows (slots) holds: a running row, or null once it finished; its left padding. */
interface Batch {
  readonly cache: KeyValueCache;
  readonly slots: (RunningRow | null)[];
  readonly leftPad: number[];
}

/**
 * When the cache is full and its first columns are unused by every running row (at least
 * {@link CACHE_GROWTH_COLUMNS} of them, as rows that joined early leave), drop them instead of
 * letting the next step grow the cache: the batch slides along the columns, its width that of the
 * rows in it. Free slots' padding shrinks with it (their outputs are ignored).
 */
function slideWhenFull(batch: Batch): void {
  const { cache, slots, leftPad } = batch;
  if (cache.length < cache.capacity) return;
  const unused = Math.min(...slots.flatMap((slot, position) => (slot === null ? [] : [leftPad[position]!])));
  if (!(unused >= CACHE_GROWTH_COLUMNS && unused <= cache.length)) return;
  cache.dropLeadingColumns(unused);
  leftPad.forEach((pad, position) => {
    leftPad[position] = Math.max(0, pad - unused);
  });
}

/** The token a row feeds next: its last drawn token, or the last of its prefix before its first draw. */
function pendingToken(state: RowState): number {
  const { tokens, row } = state;
  return tokens.length > 0 ? tokens[tokens.length - 1]! : row.prefix[row.prefix.length - 1]!;
}

/** Columns of keys and values a row holds: its sequence so far but the last token. */
function heldColumns(state: RowState): number {
  return state.row.prefix.length + state.tokens.length - 1;
}

/**
 * `batch` with `joining` (their sources found) added: written into free slots when there are
 * enough, the slots still free after them are under half the batch, and the rows fit (no more
 * columns than the cache has written); otherwise a rebuilt cache of the running rows then the
 * joining ones. A rebuild keeps the width while every row fits in it (the running rows are then
 * copied as blocks), else the width becomes the longest row's. Columns no row uses cost a step
 * nothing in attention (it starts at each row's first column); a full cache drops them
 * ({@link slideWhenFull}).
 */
function place(model: TransformerModel, batch: Batch | null, joining: readonly RunningRow[]): Batch {
  const sources = joining.map((row) => row.source!);
  const joiningLengths = joining.map(({ state }) => heldColumns(state));
  const filled = batch?.cache.length ?? 0;
  const freeSlots = batch?.slots.flatMap((slot, position) => (slot === null ? [position] : [])) ?? [];
  const running = (batch?.slots ?? []).flatMap((slot, position) => (slot === null ? [] : [{ slot, position }]));
  const lengths = [...running.map(({ slot }) => heldColumns(slot.state)), ...joiningLengths];
  const longest = Math.max(0, ...lengths);
  const keepWidth = batch !== null && longest <= filled;
  // Joining rows take free slots in place while the slots left free stay under half the batch.
  const freeAfter = freeSlots.length - joining.length;
  const fitsInPlace = joining.length > 0 && freeAfter >= 0 && freeAfter * 2 < (batch?.slots.length ?? 0);
  if (batch !== null && keepWidth && fitsInPlace) {
    const cache = batch.cache.overwriteRows(
      joining.map((_, index) => ({
        position: freeSlots[index]!,
        source: sources[index]!,
        length: joiningLengths[index]!,
      })),
    );
    joining.forEach((row, index) => {
      batch.slots[freeSlots[index]!] = row;
      batch.leftPad[freeSlots[index]!] = filled - joiningLengths[index]!;
    });
    return { ...batch, cache };
  }
  const width = keepWidth ? filled : longest;
  const rows = [
    ...running.map(({ position }, index) => ({ position, length: lengths[index]! })),
    ...sources.map((source, index) => ({ source, length: joiningLengths[index]! })),
  ];
  const capacity = keepWidth ? batch!.cache.capacity : width + CACHE_GROWTH_COLUMNS;
  const { heads, modelDimension } = model.config;
  const cache =
    batch === null
      ? KeyValueCache.fromRowKeyValues(
          rows as { source: RowKeyValues; length: number }[],
          width,
          { heads, headDimension: modelDimension / heads },
          capacity,
        )
      : batch.cache.rearranged(rows, width, capacity);
  return {
    cache,
    slots: [...running.map(({ slot }) => slot), ...joining],
    leftPad: lengths.map((length) => width - length),
  };
}

/**
 * Give each row without one the keys and values of its prefix but the last token: from the prefix
 * cache, else from one prefill of the rest, where rows with the same prefix share one prefilled row.
 */
function findSources(model: TransformerModel, rows: readonly RunningRow[], options: DecodeOptions): void {
  const empty = emptyKeyValues(model.config.layers);
  const misses: RunningRow[] = [];
  for (const row of rows) {
    if (row.source !== undefined) continue;
    const { prefix } = row.state.row;
    const found = prefix.length < 2 ? empty : options.prefixCache?.lookup(prefix);
    if (found !== undefined && found !== null) row.source = found;
    else misses.push(row);
  }
  if (misses.length === 0) return;
  const { firsts, distinctOf } = distinctSequences(misses.map((row) => row.state.row.prefix.subarray(0, -1)));
  const heads = firsts.map((index) => misses[index]!.state.row.prefix.subarray(0, -1));
  const layout = leftPaddedLayout(heads.map((head) => head.length));
  const prefill = prefillRows(model, heads, layout).cache;
  const read = prefill.readRows(
    heads.map((head, position) => ({ position, from: layout.leftPad[position]!, length: head.length })),
  );
  prefill.dispose();
  misses.forEach((row, index) => {
    row.source = read[distinctOf[index]!]!;
  });
}

/** Keys and values of no position (a prefix of one token, or a free slot). */
function emptyKeyValues(layers: number): RowKeyValues {
  return {
    length: 0,
    keys: Array.from({ length: layers }, () => new Float32Array(0)),
    values: Array.from({ length: layers }, () => new Float32Array(0)),
  };
}
