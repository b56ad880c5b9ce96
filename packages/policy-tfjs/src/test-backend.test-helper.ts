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
