import { requirePositiveCount } from "./errors.js";
import type { TrainingSequence } from "./training-batch.js";

/**
 * The token positions a policy's forward computes for `sequences` as one padded batch: each row
 * is its prompt left-padded to the longest prompt, then its response right-padded to the longest
 * response. Rows of very different lengths in one batch spend most of these on padding.
 *
 * @example
 * paddedCells(microBatch.sequences); // 3 rows, prompts up to 10, responses up to 15: 75
 */
export function paddedCells(sequences: readonly TrainingSequence[]): number {
  let prompt = 0;
  let response = 0;
  for (const sequence of sequences) {
    prompt = Math.max(prompt, sequence.promptTokens.length);
    response = Math.max(response, sequence.tokens.length);
  }
  return sequences.length * (prompt + response);
}

/**
 * Split `sequences` into the fewest groups of at most `size` rows (`ceil(n / size)`, as many as
 * cutting them in order), with rows of similar length together so the groups' {@link paddedCells}
 * add up to the least possible among splits of the rows sorted by response length (then prompt
 * length, then index). Returns each group's indices into `sequences` in increasing order (batch
 * order within a group), the groups from the shortest responses to the longest. One group keeps
 * every row in batch order. Depends only on the lengths, so the same batch always splits alike.
 *
 * @example
 * similarLengthGroups(sequences, 32); // [[0, 3, 5, ...], [1, 2, 4, ...]]
 */
export function similarLengthGroups(sequences: readonly TrainingSequence[], size: number): number[][] {
  requirePositiveCount(size, "micro-batch size");
  const count = sequences.length;
  const groups = Math.ceil(count / size);
  if (groups <= 1) return count === 0 ? [] : [sequences.map((_, index) => index)];
  const promptOf = (index: number) => sequences[index]!.promptTokens.length;
  const responseOf = (index: number) => sequences[index]!.tokens.length;
  const sorted = sequences
    .map((_, index) => index)
    .sort((a, b) => responseOf(a) - responseOf(b) || promptOf(a) - promptOf(b) || a - b);
  // least[g][end]: the fewest cells of the first `end` sorted rows in g groups; start[g][end] is
  // where the last of those groups begins. A group's longest response is its last row's.
  const least = Array.from({ length: groups + 1 }, () => new Float64Array(count + 1).fill(Number.POSITIVE_INFINITY));
  const start = Array.from({ length: groups + 1 }, () => new Int32Array(count + 1));
  least[0]![0] = 0;
  for (let group = 1; group <= groups; group++) {
    for (let end = group; end <= count; end++) {
      const response = responseOf(sorted[end - 1]!);
      let prompt = 0;
      for (let first = end - 1; first >= Math.max(group - 1, end - size); first--) {
        prompt = Math.max(prompt, promptOf(sorted[first]!));
        const cells = least[group - 1]![first]! + (end - first) * (prompt + response);
        if (cells < least[group]![end]!) {
          least[group]![end] = cells;
          start[group]![end] = first;
        }
      }
    }
  }
  const split: number[][] = [];
  for (let group = groups, end = count; group > 0; group--) {
    const first = start[group]![end]!;
    split.unshift(sorted.slice(first, end).sort((a, b) => a - b));
    end = first;
  }
  return split;
}
