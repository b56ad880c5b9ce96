import { Mulberry32, scrambleSeed } from "@ibtpo/random";
import * as tf from "@tensorflow/tfjs";
import { PolicyTfjsError } from "../errors.js";
import { causalAttention } from "./causal-attention.js";
import { embeddingLookup, linear } from "./linear.js";
import { gelu, layerNorm } from "./normalization.js";
import { type ParameterSpec, parameterLayout, sinusoidalTable } from "./parameter-layout.js";
import {
  type ResolvedTransformerConfig,
  resolveTransformerConfig,
  type TransformerConfig,
} from "./transformer-config.js";

/** Keys and values of every layer for the columns seen so far: `[batch, heads, columns, headDimension]`. */
export interface KeyValueCache {
  readonly keys: readonly tf.Tensor4D[];
  readonly values: readonly tf.Tensor4D[];
}

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
   * Returns the normalised hidden rows `[batch * time, d]` and the cache extended by these columns.
   */
  hiddenStates(
    tokens: tf.Tensor2D,
    positions: tf.Tensor2D,
    bias: tf.Tensor4D,
    past: KeyValueCache | null,
  ): { hidden: tf.Tensor2D; cache: KeyValueCache } {
    const c = this.config;
    const [batch, time] = tokens.shape;
    let x = embeddingLookup(tf.reshape(tokens, [-1]), this.weight("token_embedding") as tf.Tensor2D);
    const flatPositions = tf.reshape(positions, [-1]) as tf.Tensor1D;
    x = tf.add(
      x,
      this.positionTable === null
        ? embeddingLookup(flatPositions, this.weight("position_embedding") as tf.Tensor2D)
        : tf.gather(this.positionTable, flatPositions),
    );
    const keys: tf.Tensor4D[] = [];
    const values: tf.Tensor4D[] = [];
    for (let layer = 0; layer < c.layers; layer++) {
      const matrix = (name: string) => this.weight(`layers.${layer}.${name}`) as tf.Tensor as tf.Tensor2D;
      const vector = (name: string) => this.weight(`layers.${layer}.${name}`) as tf.Tensor as tf.Tensor1D;
      const normed = layerNorm(x, vector("norm1.gain"), vector("norm1.bias"), c.layerNormEpsilon);
      const attention = causalAttention(
        normed,
        {
          qkvWeight: matrix("attention.qkv.weight"),
          qkvBias: vector("attention.qkv.bias"),
          outputWeight: matrix("attention.output.weight"),
          outputBias: vector("attention.output.bias"),
        },
        { batch, time, heads: c.heads },
        bias,
        past === null ? null : { keys: past.keys[layer]!, values: past.values[layer]! },
      );
      keys.push(attention.keys);
      values.push(attention.values);
      x = tf.add(x, attention.output);
      const normed2 = layerNorm(x, vector("norm2.gain"), vector("norm2.bias"), c.layerNormEpsilon);
      const up = gelu(linear(normed2, matrix("mlp.up.weight"), vector("mlp.up.bias")));
      x = tf.add(x, linear(up, matrix("mlp.down.weight"), vector("mlp.down.bias")));
    }
    const hidden = layerNorm(
      x,
      this.weight("final_norm.gain") as tf.Tensor1D,
      this.weight("final_norm.bias") as tf.Tensor1D,
      c.layerNormEpsilon,
    );
    return { hidden, cache: { keys, values } };
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
    this.positionTable?.dispose();
  }
}

function createVariable(data: Float32Array, shape: readonly number[]): tf.Variable {
  const initial = tf.tensor(data, [...shape], "float32");
  const variable = tf.variable(initial, true);
  initial.dispose();
  return variable;
}
