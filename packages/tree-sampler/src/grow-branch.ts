import type { NodeId, ReasoningTree } from "@ibtpo/ib-score";
import type { PreparedFork } from "./fork-point.js";
import type { Generation } from "./policy.js";
import { checkStepEnds, type Segmenter } from "./segmenter.js";
import { concatSpans, sliceSpan, type TokenSpan } from "./token-span.js";

export interface GrownBranch {
  readonly leaf: NodeId;
  /** The whole response: the reused prefix followed by the generated tokens. */
  readonly response: TokenSpan;
}

/**
 * Add one generated continuation of a fork to the tree, step by step. The segmenter sees the
 * forked step's head followed by the new tokens; cuts inside the head are ignored, and steps
 * beyond `maxDepth` are joined into the last allowed step.
 */
export function growBranch(
  tree: ReasoningTree,
  fork: PreparedFork,
  generation: Generation,
  segmenter: Segmenter,
  maxDepth: number,
): GrownBranch {
  const generated: TokenSpan = {
    tokens: generation.tokens,
    logprobs: generation.logprobs,
    entropies: generation.entropies,
  };
  const span = concatSpans([fork.head, generated]);
  const ends = segmenter.stepEnds(span.tokens);
  checkStepEnds(ends, span.tokens.length, `segmenter '${segmenter.name}'`);
  let kept = ends.filter((end) => end > fork.head.tokens.length);
  const room = maxDepth - tree.depth(fork.attachTo);
  if (kept.length > room) kept = [...kept.slice(0, room - 1), span.tokens.length];
  let node = fork.attachTo;
  let start = 0;
  for (const end of kept) {
    node = tree.addStep(node, sliceSpan(span, start, end));
    start = end;
  }
  return { leaf: node, response: concatSpans([fork.responsePrefix, generated]) };
}
