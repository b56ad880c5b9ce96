import type { ForkPoint } from "./fork-point.js";
import { forkKey } from "./fork-point.js";
import { resolveSamplerOptions } from "./resolve-sampler-options.js";
import type { Sampler } from "./sampler.js";
import type { SamplerKindOptions } from "./sampler-option-specs.js";

/** Options of `entropy-tree` (defaults in `SAMPLER_OPTION_SPECS["entropy-tree"]`). */
export type EntropyTreeOptions = SamplerKindOptions<"entropy-tree">;

interface Candidate {
  readonly point: ForkPoint;
  readonly surprisal: number;
  readonly key: string;
}

/**
 * `entropy-tree` (TreeRL's EPTree): M chains, then L rounds; each round forks T continuations at
 * the N token positions of highest sampled-token surprisal -log p across the tree. Forking at
 * position t of a step keeps the step's first t tokens and resamples from token t on, so the
 * uncertain token itself is drawn again. A prefix is forked at most once per tree; ties rank the
 * smaller node id, then the earlier position, first.
 *
 * @example
 * const sampler = entropyTreeSampler({ initialChains: 2, forkPoints: 2, rounds: 3, branches: 2 });
 */
export function entropyTreeSampler(options: EntropyTreeOptions = {}): Sampler {
  const { initialChains, forkPoints, rounds, branches } = resolveSamplerOptions("entropy-tree", options);
  return {
    name: `entropy-tree(M=${initialChains}, N=${forkPoints}, L=${rounds}, T=${branches})`,
    plan(context) {
      const { tree, iteration } = context;
      if (iteration === 0) return [{ node: tree.root, branches: initialChains }];
      if (iteration > rounds) return [];
      const candidates: Candidate[] = [];
      for (let node = 1; node < tree.size; node++) {
        const logprobs = tree.logprobs(node);
        for (let offset = 0; offset < logprobs.length; offset++) {
          const point = { node, offset };
          if (!context.canFork(point) || context.wasForked(point)) continue;
          candidates.push({ point, surprisal: -(logprobs[offset] as number), key: forkKey(tree, point) });
        }
      }
      candidates.sort(
        (a, b) =>
          b.surprisal - a.surprisal || a.point.node - b.point.node || (a.point.offset ?? 0) - (b.point.offset ?? 0),
      );
      const chosen = new Map<string, ForkPoint>();
      for (const candidate of candidates) {
        if (chosen.size === forkPoints) break;
        if (!chosen.has(candidate.key)) chosen.set(candidate.key, candidate.point);
      }
      return [...chosen.values()].map((point) => ({ ...point, branches }));
    },
  };
}
