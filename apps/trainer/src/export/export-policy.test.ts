import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  decodeSafetensors,
  SymbolTokenizer,
  saveCheckpoint,
  selectBackend,
  sinusoidalTable,
  type TransformerConfig,
  TransformerModel,
} from "@ibtpo/policy-tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exportPolicy } from "./export-policy.js";
import { readGguf } from "./gguf-reader.test-helper.js";
import { transposed } from "./gpt2-layout.js";

let folder: string;
const tokenizer = SymbolTokenizer.fromSymbols([..."0123456789+= ", "\n"]);
const tied: TransformerConfig = {
  vocabSize: tokenizer.vocabSize,
  contextLength: 12,
  modelDimension: 8,
  layers: 2,
  heads: 2,
  mlpDimension: 24,
  tieEmbeddings: true,
  layerNormEpsilon: 1e-6,
};

async function checkpoint(name: string, config: TransformerConfig) {
  const model = TransformerModel.create(config, { seed: 3 });
  const directory = join(folder, name);
  await saveCheckpoint(directory, { model, tokenizer, metadata: {} });
  const weights = new Map(model.exportWeights().map((weight) => [weight.name, weight]));
  model.dispose();
  return { directory, weights };
}

beforeAll(async () => {
  await selectBackend({ backend: "cpu", log: () => {} });
  folder = await mkdtemp(join(tmpdir(), "ibtpo-export-"));
});
afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

describe("ibtpo export --format gguf", () => {
  it("writes GPT-2 hyperparameters, the vocabulary with ids kept, and every tensor in llama.cpp's layout", async () => {
    const { directory, weights } = await checkpoint("tied", tied);
    const out = join(folder, "tied.gguf");
    await exportPolicy(directory, "gguf", out);
    const gguf = readGguf(new Uint8Array(await readFile(out)));
    expect(gguf.version).toBe(3);
    expect(Object.fromEntries([...gguf.metadata].filter(([key]) => !key.startsWith("tokenizer.ggml.t")))).toEqual({
      "general.architecture": "gpt2",
      "general.name": "tied",
      "general.alignment": 32,
      "general.file_type": 0,
      "gpt2.context_length": 12,
      "gpt2.embedding_length": 8,
      "gpt2.feed_forward_length": 24,
      "gpt2.block_count": 2,
      "gpt2.attention.head_count": 2,
      "gpt2.attention.layer_norm_epsilon": Math.fround(1e-6),
      "tokenizer.ggml.model": "llama",
      "tokenizer.ggml.scores": new Array(tokenizer.vocabSize).fill(0),
      "tokenizer.ggml.bos_token_id": 1,
      "tokenizer.ggml.eos_token_id": 2,
      "tokenizer.ggml.padding_token_id": 0,
      "tokenizer.ggml.add_bos_token": true,
      "tokenizer.ggml.add_eos_token": false,
      "tokenizer.ggml.add_space_prefix": false,
    });
    const tokens = gguf.metadata.get("tokenizer.ggml.tokens") as string[];
    expect(tokens).toEqual(
      Array.from({ length: tokenizer.vocabSize }, (_, id) => tokenizer.tokenText(id).replace(" ", "\u2581")),
    );
    expect(tokens[tokenizer.stepDelimiterId]).toBe("\n");
    expect(gguf.metadata.get("tokenizer.ggml.token_type")).toEqual(tokens.map((_, id) => (id < 3 ? 3 : 1)));
    // Tied: no output tensor, llama.cpp falls back to token_embd.
    expect([...gguf.tensors.keys()]).toEqual([
      "token_embd.weight",
      "position_embd.weight",
      ...[0, 1].flatMap((layer) =>
        [
          "attn_norm.weight",
          "attn_norm.bias",
          "attn_qkv.weight",
          "attn_qkv.bias",
          "attn_output.weight",
          "attn_output.bias",
          "ffn_norm.weight",
          "ffn_norm.bias",
          "ffn_up.weight",
          "ffn_up.bias",
          "ffn_down.weight",
          "ffn_down.bias",
        ].map((name) => `blk.${layer}.${name}`),
      ),
      "output_norm.weight",
      "output_norm.bias",
    ]);
    const tensor = (name: string) => gguf.tensors.get(name)!;
    // ggml order: first dimension is the row length.
    expect(tensor("token_embd.weight").dimensions).toEqual([8, tokenizer.vocabSize]);
    expect(tensor("token_embd.weight").data).toEqual(weights.get("token_embedding")!.data);
    expect(tensor("position_embd.weight").dimensions).toEqual([8, 12]);
    expect(tensor("position_embd.weight").data).toEqual(weights.get("position_embedding")!.data);
    expect(tensor("blk.1.attn_qkv.weight").dimensions).toEqual([8, 24]);
    expect(tensor("blk.1.attn_qkv.weight").data).toEqual(
      transposed(weights.get("layers.1.attention.qkv.weight")!.data, 8, 24),
    );
    expect(tensor("blk.0.ffn_down.weight").dimensions).toEqual([24, 8]);
    expect(tensor("blk.0.ffn_down.weight").data).toEqual(
      transposed(weights.get("layers.0.mlp.down.weight")!.data, 24, 8),
    );
    expect(tensor("blk.0.ffn_norm.bias").data).toEqual(weights.get("layers.0.norm2.bias")!.data);
    for (const info of gguf.tensors.values()) expect(info.offset % 32).toBe(0);
  });

  it("writes the sinusoidal table as positions, an untied output transposed, and refuses multi-character symbols", async () => {
    const { directory, weights } = await checkpoint("untied", {
      ...tied,
      tieEmbeddings: false,
      positional: "sinusoidal",
    });
    const out = join(folder, "untied.gguf");
    await exportPolicy(directory, "gguf", out);
    const gguf = readGguf(new Uint8Array(await readFile(out)));
    expect(gguf.tensors.get("position_embd.weight")?.data).toEqual(sinusoidalTable(12, 8));
    expect(gguf.tensors.get("output.weight")?.dimensions).toEqual([8, tokenizer.vocabSize]);
    expect(gguf.tensors.get("output.weight")?.data).toEqual(
      transposed(weights.get("output.weight")!.data, 8, tokenizer.vocabSize),
    );
    const wide = SymbolTokenizer.fromSymbols(["10", "2"]);
    const model = TransformerModel.create({ ...tied, vocabSize: wide.vocabSize }, { seed: 1 });
    await saveCheckpoint(join(folder, "wide"), { model, tokenizer: wide, metadata: {} });
    model.dispose();
    await expect(exportPolicy(join(folder, "wide"), "gguf", join(folder, "wide.gguf"))).rejects.toThrow(
      /tokenizer\.json tokens\[3\] is "10": only single-character symbols/,
    );
  });
});

describe("ibtpo export --format hf", () => {
  it("writes a GPT-2 config, GPT-2 tensor names and layouts, and tokenizer files with our ids", async () => {
    const { directory, weights } = await checkpoint("hf-untied", { ...tied, tieEmbeddings: false });
    const out = join(folder, "hf");
    const written = await exportPolicy(directory, "hf", out);
    expect(written.map((path) => path.slice(out.length + 1)).sort()).toEqual([
      "config.json",
      "generation_config.json",
      "model.safetensors",
      "special_tokens_map.json",
      "tokenizer.json",
      "tokenizer_config.json",
    ]);
    const json = async (name: string) => JSON.parse(await readFile(join(out, name), "utf8"));
    expect(await json("config.json")).toMatchObject({
      architectures: ["GPT2LMHeadModel"],
      model_type: "gpt2",
      vocab_size: tokenizer.vocabSize,
      n_positions: 12,
      n_embd: 8,
      n_layer: 2,
      n_head: 2,
      n_inner: 24,
      activation_function: "gelu_new",
      layer_norm_epsilon: 1e-6,
      tie_word_embeddings: false,
      bos_token_id: 1,
      eos_token_id: 2,
      pad_token_id: 0,
    });
    const { weights: stored, metadata } = decodeSafetensors(
      new Uint8Array(await readFile(join(out, "model.safetensors"))),
    );
    expect(metadata).toEqual({ format: "pt" });
    const byName = new Map(stored.map((weight) => [weight.name, weight]));
    expect(byName.size).toBe(2 + 2 * 12 + 2 + 1);
    expect(byName.get("transformer.wte.weight")?.shape).toEqual([tokenizer.vocabSize, 8]);
    expect(byName.get("transformer.wpe.weight")?.shape).toEqual([12, 8]);
    // GPT-2's Conv1D keeps [in, out], as we do.
    expect(byName.get("transformer.h.1.attn.c_attn.weight")?.shape).toEqual([8, 24]);
    expect(byName.get("transformer.h.1.attn.c_attn.weight")?.data).toEqual(
      weights.get("layers.1.attention.qkv.weight")!.data,
    );
    expect(byName.get("transformer.h.0.mlp.c_fc.weight")?.shape).toEqual([8, 24]);
    expect(byName.get("transformer.h.0.mlp.c_proj.weight")?.shape).toEqual([24, 8]);
    expect(byName.get("transformer.h.0.ln_2.weight")?.data).toEqual(weights.get("layers.0.norm2.gain")!.data);
    expect(byName.get("transformer.ln_f.bias")?.data).toEqual(weights.get("final_norm.bias")!.data);
    expect(byName.get("lm_head.weight")?.shape).toEqual([tokenizer.vocabSize, 8]);
    expect(byName.get("lm_head.weight")?.data).toEqual(
      transposed(weights.get("output.weight")!.data, 8, tokenizer.vocabSize),
    );
    const tokenizerJson = await json("tokenizer.json");
    expect(tokenizerJson.model.vocab).toEqual(
      Object.fromEntries(Array.from({ length: tokenizer.vocabSize }, (_, id) => [tokenizer.tokenText(id), id])),
    );
    expect(
      tokenizerJson.added_tokens.map((token: { id: number; content: string }) => [token.id, token.content]),
    ).toEqual([
      [0, "<pad>"],
      [1, "<bos>"],
      [2, "<eos>"],
    ]);
    expect(tokenizerJson.decoder).toEqual({ type: "Fuse" });
    expect(await json("tokenizer_config.json")).toMatchObject({
      bos_token: "<bos>",
      eos_token: "<eos>",
      pad_token: "<pad>",
    });
  });
});
