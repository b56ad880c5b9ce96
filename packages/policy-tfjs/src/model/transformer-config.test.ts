import { describe, expect, it } from "vitest";
import { countParameters, resolveTransformerConfig } from "./transformer-config.js";

const reference = { vocabSize: 64, contextLength: 64, modelDimension: 128, layers: 4, heads: 4 };

describe("resolveTransformerConfig", () => {
  it("fills the defaults", () => {
    expect(resolveTransformerConfig(reference)).toEqual({
      ...reference,
      mlpDimension: 512,
      positional: "learned",
      tieEmbeddings: false,
      layerNormEpsilon: 1e-5,
      initScale: 0.02,
    });
  });

  it("names the key that is wrong", () => {
    expect(() => resolveTransformerConfig({ ...reference, heads: 3 })).toThrow(/config.heads: .*not divisible/);
    expect(() => resolveTransformerConfig({ ...reference, layers: 0 })).toThrow(/config.layers/);
    expect(() => resolveTransformerConfig({ ...reference, positional: "rotary" as never })).toThrow(
      /config.positional/,
    );
  });
});

describe("countParameters", () => {
  it("counts the reference model by hand", () => {
    // Per layer: two LayerNorms 4*128, qkv 128*384+384, output 128*128+128, MLP 128*512+512 + 512*128+128.
    const perLayer = 512 + 49536 + 16512 + 66048 + 65664;
    expect(countParameters(reference)).toBe(64 * 128 + 64 * 128 + 4 * perLayer + 256 + 128 * 64);
    expect(countParameters({ ...reference, tieEmbeddings: true, positional: "sinusoidal" })).toBe(
      64 * 128 + 4 * perLayer + 256,
    );
  });
});
