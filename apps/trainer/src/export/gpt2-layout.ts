import type { NamedWeight, ResolvedTransformerConfig } from "@ibtpo/policy-tfjs";

/**
 * Where each weight of a policy-tfjs transformer goes in GPT-2's layout. The architectures are the
 * same: pre-LayerNorm blocks (LayerNorm with bias, eps from the config), one fused q|k|v projection
 * split into heads in order, GELU with the tanh approximation (`gelu_new`), learned absolute
 * positions added to the token embedding, a final LayerNorm, and an output projection that may be
 * tied to the token embedding. Sinusoidal positions are written as the (fixed) position table,
 * which GPT-2 then reads as learned ones: the same numbers, the same model.
 *
 * Our linear weights are `[in, out]`; Hugging Face's GPT-2 stores them the same way (`Conv1D`),
 * llama.cpp's GGUF row-major `[out, in]` (converted GPT-2 files transpose them too).
 */
export interface Gpt2Tensor {
  /** Our checkpoint name, or `"#positions"` for a sinusoidal table computed at export. */
  readonly source: string;
  /** The name in a Hugging Face `GPT2LMHeadModel` state dict. */
  readonly hfName: string;
  /** The name in a llama.cpp GGUF file of architecture `gpt2`. */
  readonly ggufName: string;
  /** `[in, out]` linear weight: GGUF wants it transposed; HF keeps it, except `lm_head`. */
  readonly linear: boolean;
}

/** The sinusoidal position table (not a trained weight) stands in for `position_embedding`. */
export const SINUSOIDAL_POSITIONS = "#positions";

/** One block's weights: our name, Hugging Face GPT-2's, llama.cpp's (after `layers.N.`, `transformer.h.N.`, `blk.N.`). */
const BLOCK_TENSORS = [
  ["norm1.gain", "ln_1.weight", "attn_norm.weight"],
  ["norm1.bias", "ln_1.bias", "attn_norm.bias"],
  ["attention.qkv.weight", "attn.c_attn.weight", "attn_qkv.weight"],
  ["attention.qkv.bias", "attn.c_attn.bias", "attn_qkv.bias"],
  ["attention.output.weight", "attn.c_proj.weight", "attn_output.weight"],
  ["attention.output.bias", "attn.c_proj.bias", "attn_output.bias"],
  ["norm2.gain", "ln_2.weight", "ffn_norm.weight"],
  ["norm2.bias", "ln_2.bias", "ffn_norm.bias"],
  ["mlp.up.weight", "mlp.c_fc.weight", "ffn_up.weight"],
  ["mlp.up.bias", "mlp.c_fc.bias", "ffn_up.bias"],
  ["mlp.down.weight", "mlp.c_proj.weight", "ffn_down.weight"],
  ["mlp.down.bias", "mlp.c_proj.bias", "ffn_down.bias"],
] as const;

/** Every exported tensor of a config, in GPT-2's order. */
export function gpt2Tensors(config: ResolvedTransformerConfig): Gpt2Tensor[] {
  const tensors: Gpt2Tensor[] = [
    { source: "token_embedding", hfName: "transformer.wte.weight", ggufName: "token_embd.weight", linear: false },
    {
      source: config.positional === "learned" ? "position_embedding" : SINUSOIDAL_POSITIONS,
      hfName: "transformer.wpe.weight",
      ggufName: "position_embd.weight",
      linear: false,
    },
  ];
  for (let layer = 0; layer < config.layers; layer++) {
    for (const [ours, hf, gguf] of BLOCK_TENSORS) {
      tensors.push({
        source: `layers.${layer}.${ours}`,
        hfName: `transformer.h.${layer}.${hf}`,
        ggufName: `blk.${layer}.${gguf}`,
        linear: ours.endsWith(".weight") && !ours.startsWith("norm"),
      });
    }
  }
  tensors.push(
    { source: "final_norm.gain", hfName: "transformer.ln_f.weight", ggufName: "output_norm.weight", linear: false },
    { source: "final_norm.bias", hfName: "transformer.ln_f.bias", ggufName: "output_norm.bias", linear: false },
  );
  // Tied: both formats fall back to the token embedding (llama.cpp when `output` is absent,
  // transformers through tie_word_embeddings).
  if (!config.tieEmbeddings) {
    tensors.push({ source: "output.weight", hfName: "lm_head.weight", ggufName: "output.weight", linear: true });
  }
  return tensors;
}

/** A row-major `[rows, columns]` matrix as row-major `[columns, rows]`. */
export function transposed(data: Float32Array, rows: number, columns: number): Float32Array {
  const out = new Float32Array(data.length);
  for (let row = 0; row < rows; row++) {
    for (let column = 0; column < columns; column++) out[column * rows + row] = data[row * columns + column] as number;
  }
  return out;
}

/** Our weights by name, with the sinusoidal table under {@link SINUSOIDAL_POSITIONS} when used. */
export function weightsByName(
  weights: readonly NamedWeight[],
  positions: NamedWeight | null,
): ReadonlyMap<string, NamedWeight> {
  const byName = new Map(weights.map((weight) => [weight.name, weight]));
  if (positions !== null) byName.set(SINUSOIDAL_POSITIONS, positions);
  return byName;
}
