import type { Mulberry32 } from "@ibtpo/random";
import { afterAll, beforeAll } from "vitest";
import { selectBackend } from "./backend/select-backend.js";
import type { TransformerConfig } from "./model/transformer-config.js";

/** Tests run on the default embedded backend unless IBTPO_BACKEND says otherwise. */
export async function useTestBackend(): Promise<void> {
  await selectBackend({ log: () => {}, backend: (process.env.IBTPO_BACKEND as "wasm" | undefined) ?? "wasm" });
}

/** A model small enough for exhaustive checks. */
export const tinyConfig: TransformerConfig = {
  vocabSize: 11,
  contextLength: 16,
  modelDimension: 16,
  layers: 2,
  heads: 2,
};

/** For tests of wasm-only kernels: the wasm backend whatever IBTPO_BACKEND says, the usual one after. */
export function runOnWasmBackend(): void {
  beforeAll(async () => {
    await selectBackend({ log: () => {}, backend: "wasm" });
  });
  afterAll(useTestBackend);
}

/** `length` standard normal draws as float32, from `random`. */
export function normalDraws(random: Mulberry32, length: number): Float32Array {
  return Float32Array.from({ length }, () => random.nextNormal());
}
