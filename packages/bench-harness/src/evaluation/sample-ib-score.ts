import { BatchAccumulator, type BatchSummary, buildPrefixTree, type IbScoreOptions, scoreTree } from "@ibtpo/ib-score";
import type { Generation } from "@ibtpo/tree-sampler";

/** Exclusive step ends of a token sequence: after every delimiter token, and at the end. */
export function stepEndsAt(tokens: ArrayLike<number>, delimiterToken: number): number[] {
  const ends: number[] = [];
  for (let i = 0; i < tokens.length; i++) if (tokens[i] === delimiterToken) ends.push(i + 1);
  if (ends[ends.length - 1] !== tokens.length) ends.push(tokens.length);
  return ends;
}

/**
 * IB-Score of the sampled responses: per problem, the prefix tree of its samples (equal step
 * prefixes merged, steps cut after each delimiter token) is scored with `@ibtpo/ib-score`, and
 * the trees are summarised (mean IB-Score, H and I over trees that branch; Eff-Rate).
 *
 * @example
 * sampleIbScore([[g1, g2, g3]], [[1, 0, 1]], newlineId).ibScore;
 */
export function sampleIbScore(
  generations: readonly (readonly Generation[])[],
  rewards: readonly (readonly number[])[],
  delimiterToken: number,
  options: IbScoreOptions = {},
): BatchSummary {
  const batch = new BatchAccumulator();
  generations.forEach((group, problem) => {
    const tree = buildPrefixTree(
      `problem ${problem}`,
      group
        .filter((generation) => generation.tokens.length > 0)
        .map((generation, sample) => ({
          tokens: generation.tokens,
          logprobs: generation.logprobs,
          entropies: generation.entropies,
          stepEnds: stepEndsAt(generation.tokens, delimiterToken),
          reward: rewards[problem]?.[sample] ?? 0,
          truncated: generation.finishReason === "length",
        })),
    );
    batch.add(scoreTree(tree, options));
  });
  return batch.summary();
}
