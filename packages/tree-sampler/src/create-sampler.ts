import { chainsSampler } from "./chains-sampler.js";
import { entropyTreeSampler } from "./entropy-tree-sampler.js";
import { TreeSamplerError } from "./errors.js";
import { fixedWidthTreeSampler } from "./fixed-width-tree-sampler.js";
import { ibTreeSampler } from "./ib-tree-sampler.js";
import { randomTreeSampler } from "./random-tree-sampler.js";
import type { Sampler } from "./sampler.js";
import { SAMPLER_KINDS, type SamplerKind, type SamplerKindOptions } from "./sampler-option-specs.js";

/** A sampler described as plain data (for JSON configs): its kind and any of its options. */
export type SamplerConfig = {
  readonly [Kind in SamplerKind]: { readonly kind: Kind } & SamplerKindOptions<Kind>;
}[SamplerKind];

const builders: { readonly [Kind in SamplerKind]: (options: SamplerKindOptions<Kind>) => Sampler } = {
  chains: chainsSampler,
  "random-tree": randomTreeSampler,
  "fixed-width-tree": fixedWidthTreeSampler,
  "entropy-tree": entropyTreeSampler,
  "ib-tree": ibTreeSampler,
};

/**
 * Build a sampler from its config; absent options take the defaults of `SAMPLER_OPTION_SPECS`.
 *
 * @example
 * const sampler = createSampler({ kind: "ib-tree", nodesPerRound: 2 });
 */
export function createSampler(config: SamplerConfig): Sampler {
  const { kind, ...options } = config;
  if (!(SAMPLER_KINDS as readonly unknown[]).includes(kind)) {
    throw new TreeSamplerError(
      `unknown sampler kind '${String(kind)}'; expected one of ${SAMPLER_KINDS.join(", ")}`,
      "option kind",
    );
  }
  return (builders[kind] as (options: object) => Sampler)(options);
}
