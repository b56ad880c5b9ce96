import type { ResolvedTransformerConfig } from "./transformer-config.js";

/** How a weight starts: small normal, normal scaled for residual branches, zeros or ones. */
type ParameterInit = "normal" | "residual" | "zeros" | "ones";

export interface ParameterSpec {
  readonly name: string;
  readonly shape: readonly number[];
  readonly init: ParameterInit;
  /** AdamW weight decay applies to matrices only, not to biases, gains or embeddings. */
  readonly decay: boolean;
}

/**
 * Every trainable weight of a config, in a fixed order, with its checkpoint name and shape.
 * Linear weights are stored `[in, out]` (rows times weight), so `x @ w` needs no transpose.
 *
 * @example
 * parameterLayout(config).map((spec) => spec.name); // ["token_embedding", "position_embedding", "layers.0.norm1.gain", ...]
 */
export function parameterLayout(config: ResolvedTransformerConfig): ParameterSpec[] {
  const d = config.modelDimension;
  const f = config.mlpDimension;
  const specs: ParameterSpec[] = [
    { name: "token_embedding", shape: [config.vocabSize, d], init: "normal", decay: false },
  ];
  if (config.positional === "learned") {
    specs.push({ name: "position_embedding", shape: [config.contextLength, d], init: "normal", decay: false });
  }
  for (let layer = 0; layer < config.layers; layer++) {
    const prefix = `layers.${layer}`;
    specs.push(
      { name: `${prefix}.norm1.gain`, shape: [d], init: "ones", decay: false },
      { name: `${prefix}.norm1.bias`, shape: [d], init: "zeros", decay: false },
      { name: `${prefix}.attention.qkv.weight`, shape: [d, 3 * d], init: "normal", decay: true },
      { name: `${prefix}.attention.qkv.bias`, shape: [3 * d], init: "zeros", decay: false },
      { name: `${prefix}.attention.output.weight`, shape: [d, d], init: "residual", decay: true },
      { name: `${prefix}.attention.output.bias`, shape: [d], init: "zeros", decay: false },
      { name: `${prefix}.norm2.gain`, shape: [d], init: "ones", decay: false },
      { name: `${prefix}.norm2.bias`, shape: [d], init: "zeros", decay: false },
      { name: `${prefix}.mlp.up.weight`, shape: [d, f], init: "normal", decay: true },
      { name: `${prefix}.mlp.up.bias`, shape: [f], init: "zeros", decay: false },
      { name: `${prefix}.mlp.down.weight`, shape: [f, d], init: "residual", decay: true },
      { name: `${prefix}.mlp.down.bias`, shape: [d], init: "zeros", decay: false },
    );
  }
  specs.push(
    { name: "final_norm.gain", shape: [d], init: "ones", decay: false },
    { name: "final_norm.bias", shape: [d], init: "zeros", decay: false },
  );
  if (!config.tieEmbeddings)
    specs.push({ name: "output.weight", shape: [d, config.vocabSize], init: "normal", decay: true });
  return specs;
}

/** Sinusoidal position table `[contextLength, d]`: sin on even columns, cos on odd ones. */
export function sinusoidalTable(contextLength: number, dimension: number): Float32Array {
  const table = new Float32Array(contextLength * dimension);
  for (let position = 0; position < contextLength; position++) {
    for (let column = 0; column < dimension; column++) {
      const frequency = 10000 ** (-(column - (column % 2)) / dimension);
      const angle = position * frequency;
      table[position * dimension + column] = column % 2 === 0 ? Math.sin(angle) : Math.cos(angle);
    }
  }
  return table;
}
