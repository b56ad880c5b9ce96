import { type ChainsOptions, chainsSampler } from "./chains-sampler.js";
import { type EntropyTreeOptions, entropyTreeSampler } from "./entropy-tree-sampler.js";
import { TreeSamplerError } from "./errors.js";
import { type IbTreeOptions, ibTreeSampler } from "./ib-tree-sampler.js";
import { randomTreeSampler } from "./random-tree-sampler.js";
import type { Sampler } from "./sampler.js";
import type { NodeBranchingOptions } from "./tree-sampler-options.js";

/** A sampler described as plain data (for JSON configs). */
export type SamplerConfig =
  | ({ readonly kind: "chains" } & ChainsOptions)
  | ({ readonly kind: "entropy-tree" } & EntropyTreeOptions)
  | ({ readonly kind: "ib-tree" } & IbTreeOptions)
  | ({ readonly kind: "random-tree" } & NodeBranchingOptions);

/**
 * Build a sampler from its config.
 *
 * @example
 * const sampler = createSampler({ kind: "ib-tree", iterations: 12, nodesPerIteration: 2, branches: 2 });
 */
export function createSampler(config: SamplerConfig): Sampler {
  switch (config.kind) {
    case "chains":
      return chainsSampler(config);
    case "entropy-tree":
      return entropyTreeSampler(config);
    case "ib-tree":
      return ibTreeSampler(config);
    case "random-tree":
      return randomTreeSampler(config);
    default:
      throw new TreeSamplerError(
        `unknown sampler kind '${String((config as { kind: unknown }).kind)}'; expected chains, entropy-tree, ib-tree or random-tree`,
        "option kind",
      );
  }
}
