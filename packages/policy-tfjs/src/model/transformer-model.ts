import { Mulberry32, scrambleSeed } from "@ibtpo/random";
import * as tf from "@tensorflow/tfjs";
import { PolicyTfjsError } from "../errors.js";
import { MASKED_SCORE } from "./batch-layout.js";
import {
  type AttentionWeights,
  attendToCache,
  attendWithinRows,
  attentionOutput,
  type QueryKeyValueProjections,
  queryKeyValue,
  splitQueryKeyValue,
} from "./causal-attention.js";
import { recordingGradients } from "./gradient-mode.js";
import { KeyValueCache } from "./key-value-cache.js";
import { embeddingLookup, linear } from "./linear.js";
import { gelu, layerNorm } from "./normalization.js";
import { type ParameterSpec, parameterLayout, sinusoidalTable } from "./parameter-layout.js";
import {
  type ResolvedTransformerConfig,
  resolveTransformerConfig,
  type TransformerConfig,
} from "./transformer-config.js";

/** One weight as plain numbers, for checkpoints: float32, row-major. */
export interface NamedWeight {
  readonly name: string;
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

/**
 * A decoder-only transformer (pre-LayerNorm, causal multi-head attention, GELU MLP) over raw tfjs
 * ops and `tf.variable` weights. Rows of the residual stream are kept 2-D (`[batch * time, d]`)
 * so every dense layer is one plain matMul.
 *
 * @example
 * const model = TransformerModel.create({ vocabSize: 20, contextLength: 32, modelDimension: 32, layers: 2, heads: 2 }, { seed: 1 });
 * model.parameterCount; // 27,264
 * model.dispose();
 */
export class TransformerModel {
  readonly config: ResolvedTransformerConfig;
  readonly specs: readonly ParameterSpec[];
  private readonly weights: Map<string, tf.Variable>;
  private readonly positionTable: tf.Tensor2D | null;
  private version = 0;
  /** Per layer, the split projections for passes without gradients, and the weights they came from. */
  private readonly splitProjections = new Map<number, { sources: object[]; projections: QueryKeyValueProjections }>();

  private constructor(config: ResolvedTransformerConfig, weights: Map<string, tf.Variable>) {
    this.config = config;
    this.specs = parameterLayout(config);
    this.weights = weights;
    this.positionTable =
      config.positional === "sinusoidal"
        ? tf.tensor2d(sinusoidalTable(config.contextLength, config.modelDimension), [
            config.contextLength,
            config.modelDimension,
          ])
        : null;
  }

  /** Build a model with weights drawn from `seed` (same config and seed, same weights, on any backend). */
  static create(config: TransformerConfig, options: { readonly seed: number }): TransformerModel {
    const resolved = resolveTransformerConfig(config);
    const random = new Mulberry32(scrambleSeed(options.seed));
    const residualScale = resolved.initScale / Math.sqrt(2 * resolved.layers);
    const weights = new Map<string, tf.Variable>();
    for (const spec of parameterLayout(resolved)) {
      const data = new Float32Array(spec.shape.reduce((a, b) => a * b, 1));
      if (spec.init === "ones") data.fill(1);
      if (spec.init === "normal" || spec.init === "residual") {
        const scale = spec.init === "normal" ? resolved.initScale : residualScale;
        for (let index = 0; index < data.length; index++) data[index] = random.nextNormal() * scale;
      }
      weights.set(spec.name, createVariable(data, spec.shape));
    }
    return new TransformerModel(resolved, weights);
  }

  /** An independent copy with the same config and weights (for example a frozen reference policy). */
  clone(): TransformerModel {
    const copy = TransformerModel.create(this.config, { seed: 0 });
    copy.loadWeights(this.exportWeights());
    return copy;
  }

  /** Number of trainable scalars. */
  get parameterCount(): number {
    let count = 0;
    for (const variable of this.weights.values()) count += variable.size;
    return count;
  }

  /**
   * A counter that changes whenever the weights change through this package (loading, optimizer
   * steps); samplers in worker threads use it to resend weights only when needed. Call
   * {@link TransformerModel.markWeightsChanged} after assigning variables yourself.
   */
  get weightsVersion(): number {
    return this.version;
  }

  markWeightsChanged(): void {
    this.version++;
  }

  /** Trainable variables in layout order (what an optimizer updates). */
  variables(): tf.Variable[] {
    return this.specs.map((spec) => this.weight(spec.name));
  }

  /** The variable behind a checkpoint name. */
  weight(name: string): tf.Variable {
    const variable = this.weights.get(name);
    if (variable === undefined) throw new PolicyTfjsError(`the model has no weight "${name}"`);
    return variable;
  }

  /**
   * Embedding, every layer and the final LayerNorm for `tokens [batch, time]` (int32) at
   * `positions [batch, time]`, with additive attention `bias [batch, 1, time, past + time]`.
   * Returns the normalised hidden rows `[batch * time, d]`.
   *
   * Caching: with `past` null and `keepCache` set, the returned cache holds these columns' keys
   * and values (a prefill); with a `past` cache, `time` must be 1 and the column is written into
   * `past`, which is returned (a decode step; `bias` covers `past.length + 1` columns). Otherwise
   * `cache` is null (training and scoring skip the cache's copies).
   */
  hiddenStates(
    tokens: tf.Tensor2D,
    positions: tf.Tensor2D,
    bias: tf.Tensor4D,
    past: KeyValueCache | null,
    options: { readonly keepCache?: boolean } = {},
  ): { hidden: tf.Tensor2D; cache: KeyValueCache | null } {
    const c = this.config;
    const [batch, time] = tokens.shape;
    if (past !== null && (time !== 1 || past.batch !== batch)) {
      throw new PolicyTfjsError(
        `a cached step takes one column for each of the cache's ${past.batch} rows, got [${batch}, ${time}]`,
        "tokens",
      );
    }
    let x = embeddingLookup(tf.reshape(tokens, [-1]), this.weight("token_embedding") as tf.Tensor2D);
    const flatPositions = tf.reshape(positions, [-1]) as tf.Tensor1D;
    x = tf.add(
      x,
      this.positionTable === null
        ? embeddingLookup(flatPositions, this.weight("position_embedding") as tf.Tensor2D)
        : tf.gather(this.positionTable, flatPositions),
    );
    past?.reserveColumn();
    // Query-major for the grouped products, or padded to the cache's capacity for a decode step.
    const layerBias =
      past === null
        ? (tf.transpose(bias, [2, 0, 1, 3]) as tf.Tensor4D)
        : (tf.pad(
            bias,
            [
              [0, 0],
              [0, 0],
              [0, 0],
              [0, past.capacity - bias.shape[3]],
            ],
            MASKED_SCORE,
          ) as tf.Tensor4D);
    const prefillKeys: tf.Tensor2D[] = [];
    const prefillValues: tf.Tensor2D[] = [];
    for (let layer = 0; layer < c.layers; layer++) {
      const matrix = (name: string) => this.weight(`layers.${layer}.${name}`) as tf.Tensor as tf.Tensor2D;
      const vector = (name: string) => this.weight(`layers.${layer}.${name}`) as tf.Tensor as tf.Tensor1D;
      const weights: AttentionWeights = {
        qkvWeight: matrix("attention.qkv.weight"),
        qkvBias: vector("attention.qkv.bias"),
        outputWeight: matrix("attention.output.weight"),
        outputBias: vector("attention.output.bias"),
      };
      const normed = layerNorm(x, vector("norm1.gain"), vector("norm1.bias"), c.layerNormEpsilon);
      const { queries, keys, values } = queryKeyValue(normed, this.queryKeyValueProjections(layer, weights));
      let merged: tf.Tensor2D;
      if (past === null) {
        merged = attendWithinRows(queries, keys, values, { batch, time, heads: c.heads }, layerBias);
        if (options.keepCache) {
          prefillKeys.push(keys);
          prefillValues.push(values);
        }
      } else {
        past.writeColumn(layer, keys, values);
        merged = attendToCache(queries, past, layer, c.heads, layerBias as tf.Tensor4D);
      }
      x = tf.add(x, attentionOutput(merged, weights));
      const normed2 = layerNorm(x, vector("norm2.gain"), vector("norm2.bias"), c.layerNormEpsilon);
      const up = gelu(linear(normed2, matrix("mlp.up.weight"), vector("mlp.up.bias")));
      x = tf.add(x, linear(up, matrix("mlp.down.weight"), vector("mlp.down.bias")));
    }
    past?.advance();
    const hidden = layerNorm(
      x,
      this.weight("final_norm.gain") as tf.Tensor1D,
      this.weight("final_norm.bias") as tf.Tensor1D,
      c.layerNormEpsilon,
    );
    if (past !== null) return { hidden, cache: past };
    const cache = options.keepCache
      ? KeyValueCache.fromRows(prefillKeys, prefillValues, { batch, time, heads: c.heads })
      : null;
    return { hidden, cache };
  }

  /**
   * The layer's query, key and value projections. Inside a gradient tape they are sliced from the
   * variables on every pass (so gradients flow to them); otherwise (decoding, scoring) they are
   * kept from the last pass while the variables hold the same data: tfjs gives a variable a new
   * data id on every assignment, so comparing data ids catches every change.
   */
  private queryKeyValueProjections(layer: number, weights: AttentionWeights): QueryKeyValueProjections {
    if (recordingGradients()) return splitQueryKeyValue(weights, this.config.heads);
    const sources = [weights.qkvWeight.dataId, weights.qkvBias.dataId];
    const kept = this.splitProjections.get(layer);
    if (kept?.sources.every((source, index) => source === sources[index])) return kept.projections;
    if (kept !== undefined) disposeProjections(kept.projections);
    const projections = tf.tidy(() => {
      const split = splitQueryKeyValue(weights, this.config.heads);
      return [split.query, split.key, split.value].flatMap(({ weight, bias }) => [tf.keep(weight), tf.keep(bias)]);
    });
    const [queryWeight, queryBias, keyWeight, keyBias, valueWeight, valueBias] = projections as [
      tf.Tensor2D,
      tf.Tensor1D,
      tf.Tensor2D,
      tf.Tensor1D,
      tf.Tensor2D,
      tf.Tensor1D,
    ];
    const split: QueryKeyValueProjections = {
      query: { weight: queryWeight, bias: queryBias },
      key: { weight: keyWeight, bias: keyBias },
      value: { weight: valueWeight, bias: valueBias },
    };
    this.splitProjections.set(layer, { sources, projections: split });
    return split;
  }

  /** Next-token logits `[rows, vocab]` of hidden rows `[rows, d]`. */
  logits(hidden: tf.Tensor2D): tf.Tensor2D {
    if (this.config.tieEmbeddings) return linear(hidden, tf.transpose(this.weight("token_embedding") as tf.Tensor2D));
    return linear(hidden, this.weight("output.weight") as tf.Tensor2D);
  }

  /** Copy every weight out as float32 arrays, in layout order. */
  exportWeights(): NamedWeight[] {
    return this.specs.map((spec) => ({
      name: spec.name,
      shape: spec.shape,
      data: Float32Array.from(this.weight(spec.name).dataSync() as Float32Array),
    }));
  }

  /**
   * Replace every weight. The names must be exactly this config's layout and every shape must
   * match; otherwise nothing is changed and the error names the first mismatch.
   */
  loadWeights(weights: readonly NamedWeight[]): void {
    const byName = new Map(weights.map((weight) => [weight.name, weight]));
    for (const spec of this.specs) {
      const weight = byName.get(spec.name);
      if (weight === undefined) throw new PolicyTfjsError("missing from the loaded weights", `weight "${spec.name}"`);
      if (weight.shape.join(",") !== spec.shape.join(",")) {
        throw new PolicyTfjsError(
          `shape [${weight.shape}] does not match the config's [${spec.shape}]`,
          `weight "${spec.name}"`,
        );
      }
      if (weight.data.length !== spec.shape.reduce((a, b) => a * b, 1)) {
        throw new PolicyTfjsError(
          `holds ${weight.data.length} values for shape [${spec.shape}]`,
          `weight "${spec.name}"`,
        );
      }
    }
    const known = new Set(this.specs.map((spec) => spec.name));
    const extra = weights.find((weight) => !known.has(weight.name));
    if (extra !== undefined) throw new PolicyTfjsError("is not a weight of this config", `weight "${extra.name}"`);
    for (const spec of this.specs) {
      const weight = byName.get(spec.name)!;
      tf.tidy(() => this.weight(spec.name).assign(tf.tensor(weight.data, [...spec.shape], "float32")));
    }
    this.markWeightsChanged();
  }

  /** Free every weight; the model is unusable afterwards. */
  dispose(): void {
    for (const variable of this.weights.values()) variable.dispose();
    for (const { projections } of this.splitProjections.values()) disposeProjections(projections);
    this.positionTable?.dispose();
  }
}

function disposeProjections(projections: QueryKeyValueProjections): void {
  for (const { weight, bias } of [projections.query, projections.key, projections.value]) tf.dispose([weight, bias]);
}

function createVariable(data: Float32Array, shape: readonly number[]): tf.Variable {
  const initial = tf.tensor(data, [...shape], "float32");
  const variable = tf.variable(initial, true);
  initial.dispose();
  return variable;
}
