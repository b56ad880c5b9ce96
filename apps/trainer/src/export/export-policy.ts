import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import {
  encodeSafetensors,
  loadCheckpoint,
  type NamedWeight,
  type ResolvedTransformerConfig,
  sinusoidalTable,
} from "@ibtpo/policy-tfjs";
import { ConfigError } from "../config/config-error.js";
import { type ExportedVocabulary, exportedVocabulary, SENTENCEPIECE_SPACE } from "./exported-vocabulary.js";
import { encodeGguf, GGUF_ALIGNMENT, type GgufTensor, type GgufValue } from "./gguf-writer.js";
import { gpt2Tensors, SINUSOIDAL_POSITIONS, transposed, weightsByName } from "./gpt2-layout.js";

export type ExportFormat = "gguf" | "hf";

/** llama.cpp token types (`llama_token_type`): normal text and control (special) tokens. */
const TOKEN_TYPE = { normal: 1, control: 3 } as const;

interface ExportSource {
  readonly name: string;
  readonly config: ResolvedTransformerConfig;
  readonly weights: ReadonlyMap<string, NamedWeight>;
  readonly vocabulary: ExportedVocabulary;
}

async function readSource(checkpoint: string): Promise<ExportSource> {
  const { model, tokenizer } = await loadCheckpoint(checkpoint).catch((error: unknown) => {
    throw new ConfigError(`cannot read checkpoint ${resolve(checkpoint)}: ${(error as Error).message}`);
  });
  try {
    const config = model.config;
    const positions =
      config.positional === "sinusoidal"
        ? {
            name: SINUSOIDAL_POSITIONS,
            shape: [config.contextLength, config.modelDimension],
            data: sinusoidalTable(config.contextLength, config.modelDimension),
          }
        : null;
    return {
      name: basename(resolve(checkpoint)),
      config,
      weights: weightsByName(model.exportWeights(), positions),
      vocabulary: exportedVocabulary(tokenizer, join(checkpoint, "tokenizer.json")),
    };
  } finally {
    model.dispose();
  }
}

/** The weight behind one exported tensor, `[rows, columns]` as stored by us. */
function sourceWeight(source: ExportSource, name: string): NamedWeight {
  const weight = source.weights.get(name);
  if (weight === undefined) throw new ConfigError(`checkpoint ${source.name} has no weight ${name}`);
  return weight;
}

/** The GGUF file's metadata: GPT-2 hyperparameters and the vocabulary, ids kept. */
function ggufMetadata(source: Pick<ExportSource, "name" | "config" | "vocabulary">): Map<string, GgufValue> {
  const { config, vocabulary } = source;
  const u32 = (value: number): GgufValue => ({ type: "uint32", value });
  return new Map<string, GgufValue>([
    ["general.architecture", { type: "string", value: "gpt2" }],
    ["general.name", { type: "string", value: source.name }],
    ["general.alignment", u32(GGUF_ALIGNMENT)],
    ["general.file_type", u32(0)], // all tensors float32
    ["gpt2.context_length", u32(config.contextLength)],
    ["gpt2.embedding_length", u32(config.modelDimension)],
    ["gpt2.feed_forward_length", u32(config.mlpDimension)],
    ["gpt2.block_count", u32(config.layers)],
    ["gpt2.attention.head_count", u32(config.heads)],
    ["gpt2.attention.layer_norm_epsilon", { type: "float32", value: config.layerNormEpsilon }],
    // A SentencePiece-style vocabulary: characters are matched to pieces, spaces written as U+2581.
    ["tokenizer.ggml.model", { type: "string", value: "llama" }],
    [
      "tokenizer.ggml.tokens",
      {
        type: "string-array",
        value: vocabulary.tokens.map((text, id) =>
          vocabulary.special[id] ? text : text.replaceAll(" ", SENTENCEPIECE_SPACE),
        ),
      },
    ],
    ["tokenizer.ggml.scores", { type: "float32-array", value: vocabulary.tokens.map(() => 0) }],
    [
      "tokenizer.ggml.token_type",
      {
        type: "int32-array",
        value: vocabulary.special.map((special) => (special ? TOKEN_TYPE.control : TOKEN_TYPE.normal)),
      },
    ],
    ["tokenizer.ggml.bos_token_id", u32(vocabulary.bosId)],
    ["tokenizer.ggml.eos_token_id", u32(vocabulary.eosId)],
    ["tokenizer.ggml.padding_token_id", u32(vocabulary.padId)],
    ["tokenizer.ggml.add_bos_token", { type: "bool", value: true }],
    ["tokenizer.ggml.add_eos_token", { type: "bool", value: false }],
    ["tokenizer.ggml.add_space_prefix", { type: "bool", value: false }],
  ]);
}

/** The GGUF tensors: linear weights transposed to `[out, in]`, dimensions in ggml order. */
function ggufTensors(source: ExportSource): GgufTensor[] {
  return gpt2Tensors(source.config).map((tensor) => {
    const weight = sourceWeight(source, tensor.source);
    if (weight.shape.length === 1) return { name: tensor.ggufName, dimensions: [...weight.shape], data: weight.data };
    const [rows, columns] = weight.shape as [number, number];
    return tensor.linear
      ? { name: tensor.ggufName, dimensions: [rows, columns], data: transposed(weight.data, rows, columns) }
      : { name: tensor.ggufName, dimensions: [columns, rows], data: weight.data };
  });
}

/** `config.json` of a Hugging Face GPT-2 model of this shape. */
function hfConfig(config: ResolvedTransformerConfig, vocabulary: ExportedVocabulary): Record<string, unknown> {
  return {
    architectures: ["GPT2LMHeadModel"],
    model_type: "gpt2",
    vocab_size: config.vocabSize,
    n_positions: config.contextLength,
    n_ctx: config.contextLength,
    n_embd: config.modelDimension,
    n_layer: config.layers,
    n_head: config.heads,
    n_inner: config.mlpDimension,
    activation_function: "gelu_new",
    layer_norm_epsilon: config.layerNormEpsilon,
    initializer_range: config.initScale,
    resid_pdrop: 0,
    embd_pdrop: 0,
    attn_pdrop: 0,
    scale_attn_weights: true,
    scale_attn_by_inverse_layer_idx: false,
    reorder_and_upcast_attn: false,
    tie_word_embeddings: config.tieEmbeddings,
    bos_token_id: vocabulary.bosId,
    eos_token_id: vocabulary.eosId,
    pad_token_id: vocabulary.padId,
    torch_dtype: "float32",
    use_cache: true,
  };
}

/** HF tensors: GPT-2's Conv1D weights are `[in, out]` like ours; only `lm_head` is `[vocab, d]`. */
function hfWeights(source: ExportSource): NamedWeight[] {
  return gpt2Tensors(source.config).map((tensor) => {
    const weight = sourceWeight(source, tensor.source);
    if (tensor.hfName !== "lm_head.weight") return { name: tensor.hfName, shape: weight.shape, data: weight.data };
    const [rows, columns] = weight.shape as [number, number];
    return { name: tensor.hfName, shape: [columns, rows], data: transposed(weight.data, rows, columns) };
  });
}

/**
 * `tokenizer.json` (Hugging Face tokenizers): a character-level BPE with our vocabulary and no
 * merges, the specials as added tokens, `<bos>` prepended, and pieces joined without spaces.
 */
function hfTokenizer(vocabulary: ExportedVocabulary): Record<string, unknown> {
  const bos = vocabulary.tokens[vocabulary.bosId] as string;
  return {
    version: "1.0",
    truncation: null,
    padding: null,
    added_tokens: vocabulary.tokens.flatMap((content, id) =>
      vocabulary.special[id]
        ? [{ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true }]
        : [],
    ),
    normalizer: null,
    pre_tokenizer: null,
    post_processor: {
      type: "TemplateProcessing",
      single: [{ SpecialToken: { id: bos, type_id: 0 } }, { Sequence: { id: "A", type_id: 0 } }],
      pair: [
        { SpecialToken: { id: bos, type_id: 0 } },
        { Sequence: { id: "A", type_id: 0 } },
        { Sequence: { id: "B", type_id: 1 } },
      ],
      special_tokens: { [bos]: { id: bos, ids: [vocabulary.bosId], tokens: [bos] } },
    },
    decoder: { type: "Fuse" },
    model: {
      type: "BPE",
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: false,
      vocab: Object.fromEntries(vocabulary.tokens.map((text, id) => [text, id])),
      merges: [],
    },
  };
}

/** The files of a Hugging Face folder, by name. */
function hfFiles(source: ExportSource): Map<string, Uint8Array | string> {
  const { config, vocabulary } = source;
  const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;
  const [pad, bos, eos] = [vocabulary.padId, vocabulary.bosId, vocabulary.eosId].map((id) => vocabulary.tokens[id]);
  return new Map<string, Uint8Array | string>([
    ["config.json", json(hfConfig(config, vocabulary))],
    [
      "generation_config.json",
      json({ bos_token_id: vocabulary.bosId, eos_token_id: vocabulary.eosId, pad_token_id: vocabulary.padId }),
    ],
    ["model.safetensors", encodeSafetensors(hfWeights(source), { format: "pt" })],
    ["tokenizer.json", json(hfTokenizer(vocabulary))],
    [
      "tokenizer_config.json",
      json({
        tokenizer_class: "PreTrainedTokenizerFast",
        bos_token: bos,
        eos_token: eos,
        pad_token: pad,
        model_max_length: config.contextLength,
        clean_up_tokenization_spaces: false,
      }),
    ],
    ["special_tokens_map.json", json({ bos_token: bos, eos_token: eos, pad_token: pad })],
  ]);
}

/**
 * Write a checkpoint as a llama.cpp GGUF file (`gguf`) or a Hugging Face GPT-2 folder (`hf`),
 * with the token ids of its tokenizer kept. The output appears whole or not at all: everything
 * is written beside it first and renamed into place.
 */
export async function exportPolicy(checkpoint: string, format: ExportFormat, out: string): Promise<string[]> {
  const source = await readSource(checkpoint);
  const target = resolve(out);
  await mkdir(dirname(target), { recursive: true });
  const temporary = `${target}.${process.pid}.tmp`;
  await rm(temporary, { recursive: true, force: true });
  if (format === "gguf") {
    await writeFile(temporary, encodeGguf(ggufMetadata(source), ggufTensors(source)));
    await rename(temporary, target);
    return [target];
  }
  const files = hfFiles(source);
  await mkdir(temporary);
  for (const [name, content] of files) await writeFile(join(temporary, name), content);
  await rm(target, { recursive: true, force: true });
  await rename(temporary, target);
  return [...files.keys()].map((name) => join(target, name));
}
