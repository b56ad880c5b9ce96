import { Mulberry32, scrambleSeed } from "@ibtpo/random";
import * as tf from "@tensorflow/tfjs";
import { type LeftPaddedLayout, leftPaddedLayout } from "../model/batch-layout.js";
import { KeyValueCache, type RowKeyValues } from "../model/key-value-cache.js";
import type { TransformerModel } from "../model/transformer-model.js";
import { type DrawSettings, drawToken } from "./draw-token.js";
import type { KeyValuePrefixCache } from "./key-value-prefix-cache.js";

/** One row to continue, already validated. */
export interface DecodeRow {
  readonly prefix: Int32Array;
  readonly settings: DrawSettings;
  /** Tokens this row may still emit (maxTokens capped by the context). */
  readonly limit: number;
  readonly seed: number;
  /** Draws of the seed's stream to skip first (made by an earlier chunk of the same generation). */
  readonly drawOffset: number;
  readonly stopTokens: ReadonlySet<number>;
}

export interface DecodedRow {
  readonly tokens: Int32Array;
  readonly logprobs: Float64Array;
  readonly entropies: Float64Array;
  readonly finishReason: "eos" | "stop" | "length";
}

export interface DecodeOptions {
  readonly eosToken: number;
  readonly useCache: boolean;
  readonly signal?: AbortSignal | undefined;
  /** Start rows from the keys and values of their cached prefixes, and keep what they decode there. */
  readonly prefixCache?: KeyValuePrefixCache | undefined;
}

/** A row being decoded: its request, its seeded stream and what it has drawn. */
export interface RowState {
  readonly row: DecodeRow;
  readonly random: Mulberry32;
  readonly tokens: number[];
  readonly logprobs: number[];
  readonly entropies: number[];
  finishReason: DecodedRow["finishReason"] | null;
}

/**
 * Decode a batch of rows together: one prefill over the left-padded prefixes, then one column per
 * step. Logits come back to the CPU once per step and every row draws from its own seeded stream,
 * so a row's tokens do not depend on its batch mates. Without the cache every step re-runs the
 * whole sequence (for benchmarks and checks). Rows that finish are dropped from the cache once
 * they are half of the batch, so long stragglers do not pay for finished rows. With a prefix
 * cache, rows whose prefix it holds skip their prefill, and every row's keys and values are kept
 * there when it leaves the batch.
 */
async function decodeBatch(
  model: TransformerModel,
  rows: readonly DecodeRow[],
  options: DecodeOptions,
): Promise<DecodedRow[]> {
  const states = rows.map(startRow);
  const vocab = model.config.vocabSize;
  let active = states.map((_, index) => index);
  let layout = leftPaddedLayout(rows.map((row) => row.prefix.length));
  const width = layout.width;
  const prefixCache = options.useCache ? options.prefixCache : undefined;
  // With the cache, step 0 is the opening (cached prefixes or a prefill); without it every step
  // runs the whole columns, the first from these.
  let inputs = options.useCache ? new Int32Array(0) : prefixColumns(states, active, layout, width);
  let start = 0;
  let cache = null as KeyValueCache | null;
  try {
    const cached = prefixCache === undefined ? null : openFromPrefixCache(model, states, prefixCache);
    // A row that started from cached keys and values is kept as those and its own positions.
    const headOf = (stateIndex: number) => cached?.sources[stateIndex] ?? undefined;
    const prefixes = rows.map((row) => row.prefix);
    const opening = options.useCache ? (cached ?? prefill(model, prefixes, layout)) : null;
    cache = opening?.cache ?? null;
    // Every step the batch can take, reserved at once (the first token comes from the opening).
    cache?.reserveColumns(Math.max(0, ...rows.map((row) => row.limit - 1)));
    for (let step = 0; ; step++) {
      options.signal?.throwIfAborted();
      let logits: Float32Array;
      if (step === 0 && opening !== null) {
        logits = opening.logits;
      } else {
        ({ logits, cache } = forward(model, inputs, layout, start, width + step - start, cache, options.useCache));
      }
      active.forEach((stateIndex, position) => {
        const state = states[stateIndex]!;
        if (state.finishReason === null) drawNext(state, logits, position, vocab, options.eosToken);
      });
      const stillActive = active.filter((stateIndex) => states[stateIndex]!.finishReason === null);
      if (stillActive.length === 0) {
        if (prefixCache !== undefined) keepDecoded(prefixCache, cache!, states, active, layout, active, headOf);
        break;
      }
      if (options.useCache && stillActive.length * 2 <= active.length) {
        const leaving = active.filter((stateIndex) => !stillActive.includes(stateIndex));
        if (prefixCache !== undefined) keepDecoded(prefixCache, cache!, states, active, layout, leaving, headOf);
        cache = cache!.keepRows(stillActive.map((stateIndex) => active.indexOf(stateIndex)));
        active = stillActive;
        layout = leftPaddedLayout(
          active.map((index) => rows[index]!.prefix.length),
          width,
        );
      }
      if (options.useCache) {
        start = width + step;
        inputs = Int32Array.from(active, (index) => lastToken(states[index]!));
      } else {
        inputs = prefixColumns(states, active, layout, width + step + 1);
      }
      if (step % 8 === 7) await new Promise((resolve) => setImmediate(resolve));
    }
  } finally {
    cache?.dispose();
  }
  return states.map(decodedRow);
}

export function startRow(row: DecodeRow): RowState {
  return {
    row,
    random: resumedStream(row.seed, row.drawOffset),
    tokens: [],
    logprobs: [],
    entropies: [],
    finishReason: null,
  };
}

/** Draw a row's next token from row `position` of a step's logits `[rows, vocab]`; it finishes on eos, a stop token or its limit. */
export function drawNext(
  state: RowState,
  logits: Float32Array,
  position: number,
  vocab: number,
  eosToken: number,
): void {
  const draw = drawToken(logits, position * vocab, vocab, state.row.settings, state.random.next());
  state.tokens.push(draw.token);
  state.logprobs.push(draw.logprob);
  state.entropies.push(draw.entropy);
  if (draw.token === eosToken) state.finishReason = "eos";
  else if (state.row.stopTokens.has(draw.token)) state.finishReason = "stop";
  else if (state.tokens.length >= state.row.limit) state.finishReason = "length";
}

export function decodedRow(state: RowState): DecodedRow {
  return {
    tokens: Int32Array.from(state.tokens),
    logprobs: Float64Array.from(state.logprobs),
    entropies: Float64Array.from(state.entropies),
    finishReason: state.finishReason ?? "length",
  };
}

/**
 * One forward over columns `[start, start + count)` of the rows of `layout` (a prefill when
 * `cache` is null, else one cached step), returning the logits `[rows, vocab]` of the last column.
 */
export function forward(
  model: TransformerModel,
  inputs: Int32Array,
  layout: LeftPaddedLayout,
  start: number,
  count: number,
  cache: KeyValueCache | null,
  keepCache: boolean,
): { logits: Float32Array; cache: KeyValueCache | null } {
  const rows = layout.rows;
  let next = cache;
  const logitsTensor = tf.tidy(() => {
    const result = model.lastLogits(
      tf.tensor2d(inputs, [rows, count], "int32"),
      tf.tensor2d(layout.positions(start, count), [rows, count], "int32"),
      tf.tensor4d(layout.attentionBias(start, count), [rows, 1, count, start + count]),
      cache,
      { keepCache },
    );
    // A prefill returns a new cache; a cached step writes into the one it was given.
    next = result.cache;
    return result.logits;
  });
  const logits = logitsTensor.dataSync() as Float32Array;
  logitsTensor.dispose();
  return { logits, cache: next };
}

/** The first row of each distinct sequence (in order), and for each row the index of its sequence there. */
export function distinctSequences(sequences: readonly Int32Array[]): { firsts: number[]; distinctOf: number[] } {
  const indexOf = new Map<string, number>();
  const firsts: number[] = [];
  const distinctOf = sequences.map((sequence, row) => {
    const key = sequence.join(",");
    let index = indexOf.get(key);
    if (index === undefined) {
      index = firsts.push(row) - 1;
      indexOf.set(key, index);
    }
    return index;
  });
  return { firsts, distinctOf };
}

/**
 * The prefill of `prefixes` laid out as `layout` (their left-padded layout): its cache and the
 * logits `[rows, vocab]` of each prefix's last position. Rows with the same prefix share one
 * encoded row, whose keys, values and logits are copied to each of them: a prompt's first rows
 * (chains' group, a tree's first chains) would otherwise each encode it.
 */
function prefill(
  model: TransformerModel,
  prefixes: readonly Int32Array[],
  layout: LeftPaddedLayout,
): { logits: Float32Array; cache: KeyValueCache } {
  const { firsts, distinctOf } = distinctSequences(prefixes);
  if (firsts.length === prefixes.length) return prefillRows(model, prefixes, layout);
  const distinct = firsts.map((row) => prefixes[row]!);
  const step = prefillRows(model, distinct, leftPaddedLayout(distinct.map((prefix) => prefix.length)));
  const vocab = model.config.vocabSize;
  const logits = new Float32Array(prefixes.length * vocab);
  distinctOf.forEach((index, row) => {
    logits.set(step.logits.subarray(index * vocab, (index + 1) * vocab), row * vocab);
  });
  return { logits, cache: step.cache.keepRows(distinctOf) };
}

/** One prefill of exactly `prefixes`, left-padded as `layout`: the cache and each one's last-position logits. */
export function prefillRows(
  model: TransformerModel,
  prefixes: readonly Int32Array[],
  layout: LeftPaddedLayout,
): { logits: Float32Array; cache: KeyValueCache } {
  const columns = new Int32Array(prefixes.length * layout.width);
  prefixes.forEach((prefix, position) => {
    columns.set(prefix, position * layout.width + layout.leftPad[position]!);
  });
  const step = forward(model, columns, layout, 0, layout.width, null, true);
  return { logits: step.logits, cache: step.cache! };
}

/**
 * The first step of a batch when the prefix cache holds some rows' prefixes: those rows start
 * from the cached keys and values of all but their last prefix token and run one cached step on
 * it; the others are prefilled as usual. Both parts are then laid out as one left-padded cache,
 * the same layout a prefill of every row gives. Null when no row's prefix is cached; else also
 * each row's cached keys and values (null for the prefilled ones).
 */
function openFromPrefixCache(
  model: TransformerModel,
  states: readonly RowState[],
  prefixCache: KeyValuePrefixCache,
): { logits: Float32Array; cache: KeyValueCache; sources: readonly (RowKeyValues | null)[] } | null {
  const cached = states.map((state) => prefixCache.lookup(state.row.prefix));
  const hits = states.flatMap((_, index) => (cached[index] === null ? [] : [index]));
  if (hits.length === 0) return null;
  const { vocabSize, heads, modelDimension } = model.config;
  const shape = { heads, headDimension: modelDimension / heads };
  const lengths = states.map((state) => state.row.prefix.length);
  const logits = new Float32Array(states.length * vocabSize);
  const hitLayout = leftPaddedLayout(hits.map((index) => lengths[index]!));
  const past = KeyValueCache.fromRowKeyValues(
    hits.map((index) => ({ source: cached[index]!, length: lengths[index]! - 1 })),
    hitLayout.width - 1,
    shape,
  );
  const lastPrefixTokens = Int32Array.from(hits, (index) => lengths[index]! - 1).map(
    (last, position) => states[hits[position]!]!.row.prefix[last]!,
  );
  const hitStep = forward(model, lastPrefixTokens, hitLayout, hitLayout.width - 1, 1, past, true);
  const hitCache = hitStep.cache!;
  hits.forEach((index, position) => {
    logits.set(hitStep.logits.subarray(position * vocabSize, (position + 1) * vocabSize), index * vocabSize);
  });
  const misses = states.flatMap((_, index) => (cached[index] === null ? [index] : []));
  if (misses.length === 0) return { logits, cache: hitCache, sources: cached };
  const missLayout = leftPaddedLayout(misses.map((index) => lengths[index]!));
  const missStep = prefill(
    model,
    misses.map((index) => states[index]!.row.prefix),
    missLayout,
  );
  const missCache = missStep.cache;
  misses.forEach((index, position) => {
    logits.set(missStep.logits.subarray(position * vocabSize, (position + 1) * vocabSize), index * vocabSize);
  });
  const rowsOf = (cache: KeyValueCache, members: number[], layout: LeftPaddedLayout) => {
    const read = cache.readRows(
      members.map((index, position) => ({ position, from: layout.leftPad[position]!, length: lengths[index]! })),
    );
    cache.dispose();
    return read;
  };
  const merged: RowKeyValues[] = [];
  rowsOf(hitCache, hits, hitLayout).forEach((row, position) => {
    merged[hits[position]!] = row;
  });
  rowsOf(missCache, misses, missLayout).forEach((row, position) => {
    merged[misses[position]!] = row;
  });
  const width = Math.max(...lengths);
  const cache = KeyValueCache.fromRowKeyValues(
    merged.map((source, index) => ({ source, length: lengths[index]! })),
    width,
    shape,
  );
  return { logits, cache, sources: cached };
}

/**
 * Keep the decoded sequences of `members` (state indices among `active`) in the prefix cache. A
 * member whose `headOf` is given (the keys and values its row started from, covering all of its
 * prefix but the last token) is kept as that head and its own positions: only those are read.
 */
export function keepDecoded(
  prefixCache: KeyValuePrefixCache,
  cache: KeyValueCache,
  states: readonly RowState[],
  active: readonly number[],
  layout: LeftPaddedLayout,
  members: readonly number[],
  headOf?: (stateIndex: number) => RowKeyValues | undefined,
): void {
  const sequences = members.map((stateIndex) => {
    const state = states[stateIndex]!;
    const tokens = new Int32Array(state.row.prefix.length + state.tokens.length);
    tokens.set(state.row.prefix);
    tokens.set(state.tokens, state.row.prefix.length);
    return tokens;
  });
  const heads = members.map((stateIndex) => {
    const source = headOf?.(stateIndex);
    const length = states[stateIndex]!.row.prefix.length - 1;
    return source === undefined || length === 0 ? undefined : { source, length };
  });
  const read = cache.readRows(
    members.map((stateIndex, index) => {
      const position = active.indexOf(stateIndex);
      const start = heads[index]?.length ?? 0;
      return { position, from: layout.leftPad[position]! + start, length: sequences[index]!.length - 1 - start };
    }),
  );
  read.forEach((own, index) => {
    const head = heads[index];
    const keyValues: RowKeyValues =
      head === undefined ? own : { length: head.length + own.length, keys: own.keys, values: own.values, head };
    prefixCache.store(sequences[index]!, keyValues);
  });
}

/** Decode rows in consecutive batches of at most `maxBatchSize`. */
export async function decodeRows(
  model: TransformerModel,
  rows: readonly DecodeRow[],
  options: DecodeOptions & { readonly maxBatchSize: number },
): Promise<DecodedRow[]> {
  const decoded: DecodedRow[] = [];
  for (let start = 0; start < rows.length; start += options.maxBatchSize) {
    decoded.push(...(await decodeBatch(model, rows.slice(start, start + options.maxBatchSize), options)));
  }
  return decoded;
}

function resumedStream(seed: number, drawOffset: number): Mulberry32 {
  const random = new Mulberry32(scrambleSeed(seed));
  for (let draw = 0; draw < drawOffset; draw++) random.next();
  return random;
}

function lastToken(state: RowState): number {
  // A finished row that is still in the batch feeds its own last token; its output is ignored.
  return state.tokens[state.tokens.length - 1]!;
}

/** Every column from 0 for the active rows: the left-padded prefix followed by what was drawn. */
function prefixColumns(
  states: readonly RowState[],
  active: readonly number[],
  layout: LeftPaddedLayout,
  count: number,
) {
  const columns = new Int32Array(active.length * count);
  active.forEach((stateIndex, position) => {
    const state = states[stateIndex]!;
    const pad = layout.leftPad[position]!;
    const sequence = [...state.row.prefix, ...state.tokens];
    for (let column = pad; column < count; column++) {
      columns[position * count + column] = sequence[column - pad] ?? 0;
    }
  });
  return columns;
}
