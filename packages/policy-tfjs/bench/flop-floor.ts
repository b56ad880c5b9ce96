/**
 * FLOP counts of the reference workloads and the machine's measured 2-D matMul rate, so each
 * timing can be printed as a ratio to its floor (FLOPs / rate): a figure comparable across
 * machines. Counts are 2 x multiply-adds of every matrix product the model computes (dense layers,
 * one-hot embeddings, attention scores and weighted values over every key column it attends to);
 * elementwise work is not counted, so no implementation can reach a ratio of 1.
 */
import { readFileSync } from "node:fs";
import os from "node:os";
import * as tf from "@tensorflow/tfjs";
import { type ResolvedTransformerConfig, resolveTransformerConfig, type TransformerConfig } from "../src/index.js";

/** Forward FLOPs of one position through the layers (not embeddings or the output layer) with `keys` attended columns. */
function layerFlopsPerPosition(config: ResolvedTransformerConfig, keys: number): number {
  const d = config.modelDimension;
  const dense = 2 * (d * 3 * d + d * d + d * config.mlpDimension + config.mlpDimension * d);
  const attention = 2 * 2 * keys * d;
  return config.layers * (dense + attention);
}

function embeddingFlopsPerPosition(config: ResolvedTransformerConfig): number {
  const d = config.modelDimension;
  return 2 * config.vocabSize * d + (config.positional === "learned" ? 2 * config.contextLength * d : 0);
}

/**
 * One training step over `rows` rows of `tokens` tokens with a `promptLength`-token prompt, as
 * `responseLogProbs` lays it out: `tokens - 1` input columns attending to all of them (masked
 * scores are computed too), logits on the response columns only. The backward pass costs two
 * products per forward product, except for the one-hot embeddings (no gradient to the ids).
 */
export function trainingStepFlops(
  config: TransformerConfig,
  batch: { readonly rows: number; readonly tokens: number; readonly promptLength: number },
): number {
  const resolved = resolveTransformerConfig(config);
  const width = batch.tokens - 1;
  const responses = batch.tokens - batch.promptLength;
  const positions = batch.rows * width;
  const layers = positions * layerFlopsPerPosition(resolved, width);
  const output = batch.rows * responses * 2 * resolved.modelDimension * resolved.vocabSize;
  return 3 * (layers + output) + 2 * positions * embeddingFlopsPerPosition(resolved);
}

/**
 * A whole KV-cache decode of `rows` rows from a `prefix`-token prefix for `steps` tokens: one
 * prefill over the prefix, then one column per step attending to every column so far; logits of
 * the last column only.
 */
export function decodeFlops(
  config: TransformerConfig,
  decode: { readonly rows: number; readonly prefix: number; readonly steps: number },
): number {
  const resolved = resolveTransformerConfig(config);
  const logits = 2 * resolved.modelDimension * resolved.vocabSize;
  const embedding = embeddingFlopsPerPosition(resolved);
  let perRow = 0;
  for (let query = 0; query < decode.prefix; query++) {
    perRow += layerFlopsPerPosition(resolved, decode.prefix) + embedding;
  }
  perRow += logits;
  for (let step = 1; step < decode.steps; step++) {
    perRow += layerFlopsPerPosition(resolved, decode.prefix + step) + embedding + logits;
  }
  return decode.rows * perRow;
}

/**
 * GFLOP/s of plain 2-D `tf.matMul` on the current backend, over the dense-layer shapes of the
 * reference training step (`[rows, d] x [d, 4d]`, `[rows, 4d] x [4d, d]`, `[rows, d] x [d, d]`):
 * total FLOPs over the sum of each shape's best time, by wall clock and by process CPU time (on a
 * machine shared with other jobs, CPU time leaves out the waits for a core).
 */
export function measureMatMulRate(rows: number, dimension: number): { wall: number; cpu: number } {
  const shapes: [number, number, number][] = [
    [rows, dimension, 4 * dimension],
    [rows, 4 * dimension, dimension],
    [rows, dimension, dimension],
  ];
  const repeats = 7;
  const productsPerRepeat = 10;
  let flops = 0;
  let wallSeconds = 0;
  let cpuSeconds = 0;
  for (const [m, k, n] of shapes) {
    const a = tf.randomNormal([m, k]);
    const b = tf.randomNormal([k, n]);
    tf.matMul(a, b).dispose();
    let bestWall = Number.POSITIVE_INFINITY;
    let bestCpu = Number.POSITIVE_INFINITY;
    for (let index = 0; index < repeats; index++) {
      const cpuStart = process.cpuUsage();
      const start = performance.now();
      for (let product = 0; product < productsPerRepeat; product++) {
        const result = tf.matMul(a, b);
        result.dataSync();
        result.dispose();
      }
      const cpu = process.cpuUsage(cpuStart);
      bestWall = Math.min(bestWall, (performance.now() - start) / 1000 / productsPerRepeat);
      bestCpu = Math.min(bestCpu, (cpu.user + cpu.system) / 1e6 / productsPerRepeat);
    }
    tf.dispose([a, b]);
    flops += 2 * m * k * n;
    wallSeconds += bestWall;
    cpuSeconds += bestCpu;
  }
  return { wall: flops / wallSeconds / 1e9, cpu: flops / cpuSeconds / 1e9 };
}

/** The CPU model as the kernel reports it (os.cpus() can be vaguer), read at run time. */
export function cpuModel(): string {
  try {
    const line = readFileSync("/proc/cpuinfo", "utf8")
      .split("\n")
      .find((entry) => entry.startsWith("model name"));
    if (line !== undefined) return line.slice(line.indexOf(":") + 1).trim();
  } catch {
    // Not Linux: fall through.
  }
  return os.cpus()[0]?.model ?? "unknown CPU";
}
