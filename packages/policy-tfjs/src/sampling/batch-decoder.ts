import { Mulberry32, scrambleSeed } from "@ibtpo/random";
import * as tf from "@tensorflow/tfjs";
import { type LeftPaddedLayout, leftPaddedLayout } from "../model/batch-layout.js";
import type { KeyValueCache } from "../model/key-value-cache.js";
import type { TransformerModel } from "../model/transformer-model.js";
import { type DrawSettings, drawToken } from "./draw-token.js";

/** One row to continue, already validated. */
export interface DecodeRow {
  readonly prefix: Int32Array;
  readonly settings: DrawSettings;
  /** Tokens this row may still emit (maxTokens capped by the context). */
  readonly limit: number;
  readonly seed: number;
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
}

interface RowState {
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
 * they are half of the batch, so long stragglers do not pay for finished rows.
 */
async function decodeBatch(
  model: TransformerModel,
  rows: readonly DecodeRow[],
  options: DecodeOptions,
): Promise<DecodedRow[]> {
  const states: RowState[] = rows.map((row) => ({
    row,
    random: new Mulberry32(scrambleSeed(row.seed)),
    tokens: [],
    logprobs: [],
    entropies: [],
    finishReason: null,
  }));
  const vocab = model.config.vocabSize;
  let active = states.map((_, index) => index);
  let layout = leftPaddedLayout(rows.map((row) => row.prefix.length));
  const width = layout.width;
  let inputs = prefixColumns(states, active, layout, width);
  let start = 0;
  let cache = null as KeyValueCache | null;
  try {
    for (let step = 0; ; step++) {
      options.signal?.throwIfAborted();
      const count = width + step - start;
      const logitsTensor = tf.tidy(() => {
        const { hidden, cache: next } = model.hiddenStates(
          tf.tensor2d(inputs, [active.length, count], "int32"),
          tf.tensor2d(layout.positions(start, count), [active.length, count], "int32"),
          tf.tensor4d(layout.attentionBias(start, count), [active.length, 1, count, start + count]),
          cache,
          { keepCache: options.useCache },
        );
        // A prefill returns a new cache; a cached step writes into the one it was given.
        cache = next;
        const last = tf.reshape(
          tf.slice(tf.reshape(hidden, [active.length, count, -1]), [0, count - 1, 0], [-1, 1, -1]),
          [active.length, -1],
        ) as tf.Tensor2D;
        return model.logits(last);
      });
      const logits = logitsTensor.dataSync() as Float32Array;
      logitsTensor.dispose();
      active.forEach((stateIndex, position) => {
        const state = states[stateIndex]!;
        if (state.finishReason !== null) return;
        const draw = drawToken(logits, position * vocab, vocab, state.row.settings, state.random.next());
        state.tokens.push(draw.token);
        state.logprobs.push(draw.logprob);
        state.entropies.push(draw.entropy);
        if (draw.token === options.eosToken) state.finishReason = "eos";
        else if (state.row.stopTokens.has(draw.token)) state.finishReason = "stop";
        else if (state.tokens.length >= state.row.limit) state.finishReason = "length";
      });
      const stillActive = active.filter((stateIndex) => states[stateIndex]!.finishReason === null);
      if (stillActive.length === 0) break;
      if (options.useCache && stillActive.length * 2 <= active.length) {
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
  return states.map((state) => ({
    tokens: Int32Array.from(state.tokens),
    logprobs: Float64Array.from(state.logprobs),
    entropies: Float64Array.from(state.entropies),
    finishReason: state.finishReason ?? "length",
  }));
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
