import { Mulberry32, scrambleSeed } from "@ibtpo/random";
import * as tf from "@tensorflow/tfjs";
import { PolicyTfjsError } from "../errors.js";
import {
  type AttentionShape,
  type AttentionWeights,
  attendToCache,
  attendWithinRows,
  attentionOutput,
  queryKeyValue,
  splitQueryKeyValue,
} from "./causal-attention.js";
import { addSameShape } from "./copy-free-ops.js";
import {
  disposeFoldedLayer,
  type FoldedLayer,
  foldLayer,
  foldOutputProjection,
  type LayerVariables,
  type RowsProjection,
} from "./folded-weights.js";
import { recordingGradients } from "./gradient-mode.js";
import { KeyValueCache } from "./key-value-cache.js";
import { embeddingLookup, fusedAffine, linear } from "./linear.js";
import { addStandardised, gelu, layerNorm, standardised } from "./normalization.js";
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
  /** Per layer, the folded products for passes without gradients, and the weights they came from. */
  private readonly foldedLayers = new Map<number, { sources: object[]; folded: FoldedLayer }>();
  /** Per layer, its variables by role (the same variables for the model's life; their data changes). */
  private readonly variablesByLayer = new Map<number, LayerVariables>();
  /** Host copies of the embedding tables for passes without gradients, and the weights they came from. */
  private hostTables: { sources: object[]; token: Float32Array; position: Float32Array } | null = null;
  /** The output product with the final LayerNorm folded in, and the weights it came from. */
  private foldedOutput: { sources: object[]; folded: RowsProjection } | null = null;

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
   * `cache` is null (training and scoring skip the cache's copies). Both caching forms run
   * without gradients only.
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
    const finalGain = this.weight("final_norm.gain") as tf.Tensor1D;
    const finalBias = this.weight("final_norm.bias") as tf.Tensor1D;
    if (recordingGradients()) {
      this.checkPass(tokens, bias, past, options.keepCache === true);
      const x = this.layersWithGradients(this.embed(tokens, positions), queryMajor(bias), {
        batch,
        time,
        heads: c.heads,
      });
      return { hidden: layerNorm(x, finalGain, finalBias, c.layerNormEpsilon), cache: null };
    }
    const { standardised, cache } = this.standardisedRows(tokens, positions, bias, past, options.keepCache === true);
    const normed = tf.add(tf.mul(standardised, finalGain), finalBias);
    return { hidden: tf.reshape(normed, [batch * time, c.modelDimension]) as tf.Tensor2D, cache };
  }

  /**
   * The next-token logits `[batch, vocab]` of each row's last column: {@link hiddenStates} then
   * {@link logits}, with the final LayerNorm folded into the output product (one product where a
   * decode step took four kernels). Without gradients only; same values up to float32 rounding.
   */
  lastLogits(
    tokens: tf.Tensor2D,
    positions: tf.Tensor2D,
    bias: tf.Tensor4D,
    past: KeyValueCache | null,
    options: { readonly keepCache?: boolean } = {},
  ): { logits: tf.Tensor2D; cache: KeyValueCache | null } {
    if (recordingGradients()) {
      throw new PolicyTfjsError("lastLogits runs without gradients; use hiddenStates and logits under a gradient tape");
    }
    const [batch, time] = tokens.shape;
    const d = this.config.modelDimension;
    const { standardised, cache } = this.standardisedRows(tokens, positions, bias, past, options.keepCache === true);
    const last =
      time === 1
        ? standardised
        : (tf.reshape(tf.slice(tf.reshape(standardised, [batch, time, d]), [0, time - 1, 0], [-1, 1, -1]), [
            1,
            batch,
            d,
          ]) as tf.Tensor3D);
    const { weight, bias: outputBias } = this.foldedOutputProjection();
    return { logits: tf.reshape(fusedAffine(last, weight, outputBias), [batch, -1]) as tf.Tensor2D, cache };
  }

  /** The checks every pass makes of its inputs; errors name the argument. */
  private checkPass(tokens: tf.Tensor2D, bias: tf.Tensor4D, past: KeyValueCache | null, keepCache: boolean): void {
    const [batch, time] = tokens.shape;
    if (past !== null && (time !== 1 || past.batch !== batch)) {
      throw new PolicyTfjsError(
        `a cached step takes one column for each of the cache's ${past.batch} rows, got [${batch}, ${time}]`,
        "tokens",
      );
    }
    if (recordingGradients() && (past !== null || keepCache)) {
      throw new PolicyTfjsError(
        "a cached step or a prefill that keeps its cache runs without gradients; call it outside a gradient tape",
        past !== null ? "past" : "keepCache",
      );
    }
    if (past !== null && bias.size !== batch * (past.length + 1)) {
      throw new PolicyTfjsError(
        `a cached step's bias is [${batch}, 1, 1, ${past.length + 1}] (the cache's columns and this one), got [${bias.shape}]`,
        "bias",
      );
    }
  }

  /**
   * Embedding and every layer without gradients, ending at the standardised rows before the final
   * LayerNorm's gain and shift `[1, batch * time, d]`, with the cache as {@link hiddenStates} describes.
   */
  private standardisedRows(
    tokens: tf.Tensor2D,
    positions: tf.Tensor2D,
    bias: tf.Tensor4D,
    past: KeyValueCache | null,
    keepCache: boolean,
  ): { standardised: tf.Tensor3D; cache: KeyValueCache | null } {
    this.checkPass(tokens, bias, past, keepCache);
    const [batch, time] = tokens.shape;
    past?.reserveColumn();
    const shape = { batch, time, heads: this.config.heads };
    const prefill = keepCache ? { keys: [] as tf.Tensor2D[], values: [] as tf.Tensor2D[] } : null;
    const standardised = this.layersWithoutGradients(this.embedOnHost(tokens, positions), bias, shape, past, prefill);
    past?.advance();
    if (past !== null) return { standardised, cache: past };
    const cache = prefill === null ? null : KeyValueCache.fromRows(prefill.keys, prefill.values, shape);
    return { standardised, cache };
  }

  /** The output product with the final LayerNorm folded in, kept while its weights hold the same data. */
  private foldedOutputProjection(): RowsProjection {
    const gain = this.weight("final_norm.gain") as tf.Tensor1D;
    const shift = this.weight("final_norm.bias") as tf.Tensor1D;
    const output = this.weight(this.config.tieEmbeddings ? "token_embedding" : "output.weight") as tf.Tensor2D;
    const sources = [gain.dataId, shift.dataId, output.dataId];
    if (this.foldedOutput !== null && sameSources(this.foldedOutput.sources, sources)) return this.foldedOutput.folded;
    this.releaseFoldedOutput();
    const folded = foldOutputProjection(gain, shift, output, this.config.tieEmbeddings);
    this.foldedOutput = { sources, folded };
    return folded;
  }

  /** Every layer on rows `[batch * time, d]` from the variables, differentiable (training). */
  private layersWithGradients(x: tf.Tensor2D, biasByQuery: tf.Tensor4D, shape: AttentionShape): tf.Tensor2D {
    const c = this.config;
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
      const { queries, keys, values } = queryKeyValue(normed, splitQueryKeyValue(weights, c.heads));
      x = addSameShape(x, attentionOutput(attendWithinRows(queries, keys, values, shape, biasByQuery), weights));
      const normed2 = layerNorm(x, vector("norm2.gain"), vector("norm2.bias"), c.layerNormEpsilon);
      const up = gelu(linear(normed2, matrix("mlp.up.weight"), vector("mlp.up.bias")));
      x = addSameShape(x, linear(up, matrix("mlp.down.weight"), vector("mlp.down.bias")));
    }
    return x;
  }

  /**
   * Every layer from the folded products (scoring, prefill, decode steps): the residual stream is
   * kept as `[1, rows, d]`, the fused product kernel's rank, so no product needs a reshape. With a
   * `past` cache this is one decode step; otherwise the prefill's keys and values are collected
   * when `prefill` is given. Returns the last residual stream standardised (the final LayerNorm
   * without its gain and shift) `[1, batch * time, d]`.
   */
  private layersWithoutGradients(
    rows: tf.Tensor2D,
    bias: tf.Tensor4D,
    shape: AttentionShape,
    past: KeyValueCache | null,
    prefill: { keys: tf.Tensor2D[]; values: tf.Tensor2D[] } | null,
  ): tf.Tensor3D {
    const { heads, layerNormEpsilon } = this.config;
    const [count, d] = rows.shape;
    // A decode step's bias `[batch, columns]` is read on the host; other passes attend query-major.
    const stepBias = past === null ? null : (bias.dataSync() as Float32Array);
    const biasByQuery = past === null ? queryMajor(bias) : null;
    let x = tf.reshape(rows, [1, count, d]) as tf.Tensor3D;
    let normed = standardised(x, layerNormEpsilon);
    for (let layer = 0; layer < this.config.layers; layer++) {
      const folded = this.foldedLayer(layer);
      let merged: tf.Tensor3D;
      if (stepBias !== null && past !== null) {
        merged = attendToCache(normed, folded.queryKeyValue, past, layer, heads, stepBias);
      } else {
        const project = ({ weight, bias }: RowsProjection) =>
          tf.reshape(fusedAffine(normed, weight, bias), [count, d]) as tf.Tensor2D;
        const [queries, keys, values] = [project(folded.query), project(folded.key), project(folded.value)];
        merged = tf.reshape(attendWithinRows(queries, keys, values, shape, biasByQuery!), [1, count, d]) as tf.Tensor3D;
        prefill?.keys.push(keys);
        prefill?.values.push(values);
      }
      const attended = addStandardised(
        x,
        fusedAffine(merged, folded.output.weight, folded.output.bias),
        layerNormEpsilon,
      );
      const up = gelu(fusedAffine(attended.standardised, folded.up.weight, folded.up.bias));
      // The next layer's LayerNorm input, or the final LayerNorm's after the last layer.
      ({ sum: x, standardised: normed } = addStandardised(
        attended.sum,
        fusedAffine(up, folded.down.weight, folded.down.bias),
        layerNormEpsilon,
      ));
    }
    return normed;
  }

  /**
   * The layer's folded products ({@link foldLayer}), kept from the last pass while the variables
   * hold the same data: tfjs gives a variable a new data id on every assignment, so comparing data
   * ids catches every change.
   */
  private foldedLayer(layer: number): FoldedLayer {
    const variables = this.layerVariables(layer);
    const sources = Object.values(variables).map((variable) => variable.dataId);
    const kept = this.foldedLayers.get(layer);
    if (kept !== undefined && sameSources(kept.sources, sources)) return kept.folded;
    if (kept !== undefined) disposeFoldedLayer(kept.folded);
    const folded = foldLayer(variables, this.config.heads);
    this.foldedLayers.set(layer, { sources, folded });
    return folded;
  }

  /** A layer's variables by role, looked up once (a decode step asks for them every layer). */
  private layerVariables(layer: number): LayerVariables {
    const known = this.variablesByLayer.get(layer);
    if (known !== undefined) return known;
    const vector = (name: string) => this.weight(`layers.${layer}.${name}`) as tf.Tensor as tf.Tensor1D;
    const matrix = (name: string) => this.weight(`layers.${layer}.${name}`) as tf.Tensor as tf.Tensor2D;
    const variables = {
      norm1Gain: vector("norm1.gain"),
      norm1Bias: vector("norm1.bias"),
      qkvWeight: matrix("attention.qkv.weight"),
      qkvBias: vector("attention.qkv.bias"),
      outputWeight: matrix("attention.output.weight"),
      outputBias: vector("attention.output.bias"),
      norm2Gain: vector("norm2.gain"),
      norm2Bias: vector("norm2.bias"),
      upWeight: matrix("mlp.up.weight"),
      upBias: vector("mlp.up.bias"),
      downWeight: matrix("mlp.down.weight"),
      downBias: vector("mlp.down.bias"),
    };
    this.variablesByLayer.set(layer, variables);
    return variables;
  }

  /** Token plus position embeddings of every column, as one-hot products (differentiable). */
  private embed(tokens: tf.Tensor2D, positions: tf.Tensor2D): tf.Tensor2D {
    const x = embeddingLookup(tf.reshape(tokens, [-1]), this.weight("token_embedding") as tf.Tensor2D);
    const flatPositions = tf.reshape(positions, [-1]) as tf.Tensor1D;
    return addSameShape(
      x,
      this.positionTable === null
        ? embeddingLookup(flatPositions, this.weight("position_embedding") as tf.Tensor2D)
        : tf.gather(this.positionTable, flatPositions),
    );
  }

  /**
   * The same sums read from host copies of the tables, without a kernel: a row of a one-hot
   * product is exactly the table's row, and a float32 sum computed in float64 and stored as
   * float32 is the float32 sum, so the values are identical.
   */
  private embedOnHost(tokens: tf.Tensor2D, positions: tf.Tensor2D): tf.Tensor2D {
    const { vocabSize, contextLength, modelDimension: d } = this.config;
    const tables = this.hostEmbeddingTables();
    const ids = tokens.dataSync();
    const at = positions.dataSync();
    const rows = new Float32Array(ids.length * d);
    for (let row = 0; row < ids.length; row++) {
      const id = ids[row]!;
      const position = at[row]!;
      if (!(id >= 0 && id < vocabSize))
        throw new PolicyTfjsError(`${id} is outside the vocabulary of ${vocabSize}`, "tokens");
      const token = id * d;
      // A finished row still in a decode batch can step past the context; its output is never
      // read, and like the one-hot product it gets no position term.
      if (!(position >= 0 && position < contextLength)) {
        rows.set(tables.token.subarray(token, token + d), row * d);
        continue;
      }
      const place = position * d;
      for (let column = 0; column < d; column++) {
        rows[row * d + column] = tables.token[token + column]! + tables.position[place + column]!;
      }
    }
    return tf.tensor2d(rows, [ids.length, d]);
  }

  private hostEmbeddingTables(): { token: Float32Array; position: Float32Array } {
    const token = this.weight("token_embedding");
    const position = this.positionTable ?? this.weight("position_embedding");
    const sources = [token.dataId, position.dataId];
    if (this.hostTables === null || !sameSources(this.hostTables.sources, sources)) {
      this.hostTables = {
        sources,
        token: Float32Array.from(token.dataSync() as Float32Array),
        position: Float32Array.from(position.dataSync() as Float32Array),
      };
    }
    return this.hostTables;
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
    for (const { folded } of this.foldedLayers.values()) disposeFoldedLayer(folded);
    this.releaseFoldedOutput();
    this.positionTable?.dispose();
  }

  private releaseFoldedOutput(): void {
    if (this.foldedOutput !== null) tf.dispose([this.foldedOutput.folded.weight, this.foldedOutput.folded.bias]);
    this.foldedOutput = null;
  }
}

function sameSources(kept: readonly object[], current: readonly object[]): boolean {
  return kept.length === current.length && kept.every((source, index) => source === current[index]);
}

/**
 * The additive attention bias `[batch, 1, time, keys]` query-major, `[time, batch, 1, keys]`,
 * as the grouped products take it.
 */
function queryMajor(bias: tf.Tensor4D): tf.Tensor4D {
  return tf.transpose(bias, [2, 0, 1, 3]);
}

function createVariable(data: Float32Array, shape: readonly number[]): tf.Variable {
  const initial = tf.tensor(data, [...shape], "float32");
  const variable = tf.variable(initial, true);
  initial.dispose();
  return variable;
}
