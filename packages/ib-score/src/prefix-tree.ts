import { IbScoreInputError } from "./errors.js";
import { type NodeId, ReasoningTree } from "./reasoning-tree.js";
import { reusedStepsKey } from "./rollout-formats.js";

/** One complete response of a group, cut into steps by `stepEnds`. */
export interface ResponseInput {
  readonly tokens: ArrayLike<number>;
  /** Per-token log-probs; null for text-only rollouts (what needs them is then NaN). */
  readonly logprobs: ArrayLike<number> | null;
  readonly entropies?: ArrayLike<number> | null | undefined;
  /** Exclusive end index of each step; strictly increasing, the last equals tokens.length. */
  readonly stepEnds: ArrayLike<number>;
  /** Reward in [0, 1]. */
  readonly reward: number;
  readonly truncated?: boolean;
  /**
   * Leading steps that were not drawn again but continued from an earlier response of the same
   * tree (a tree sampler's branch reuses its fork's prefix): they are followed, not counted as
   * draws, so multiplicities stay the draw counts of docs/METHOD.md 3.1. Absent = 0.
   */
  readonly reusedSteps?: number;
}

/**
 * Build the prefix tree of a group of i.i.d. responses (a GRPO group, or rollouts of any RL
 * system) by merging equal step prefixes. Each response is one trajectory; its first
 * `reusedSteps` steps (a tree sampler's branch) are followed without counting as draws.
 *
 * @example
 * const tree = buildPrefixTree("q1", [
 *   { tokens: [1, 2, 3], logprobs: [-0.1, -0.2, -0.3], stepEnds: [2, 3], reward: 1 },
 *   { tokens: [1, 2, 4], logprobs: [-0.1, -0.2, -0.9], stepEnds: [2, 3], reward: 0 },
 * ]);
 * tree.childCount(tree.root); // 1: the shared first step
 */
export function buildPrefixTree(promptId: string, responses: Iterable<ResponseInput>): ReasoningTree {
  const tree = new ReasoningTree({ promptId });
  let index = 0;
  for (const response of responses) {
    addResponse(tree, response, `response ${index}`);
    index++;
  }
  return tree;
}

/**
 * Merge one response into a tree as one trajectory; `location` names it in errors. Returns the
 * node where the trajectory ends (its last step), so a caller can map the response to its path.
 */
export function addResponse(tree: ReasoningTree, response: ResponseInput, location: string): NodeId {
  const { tokens, logprobs, stepEnds } = response;
  const entropies = response.entropies ?? null;
  checkStepEnds(stepEnds, tokens.length, location);
  if (logprobs !== null && logprobs.length !== tokens.length) {
    throw new IbScoreInputError(`logprobs has length ${logprobs.length}, tokens has length ${tokens.length}`, location);
  }
  if (entropies !== null && entropies.length !== tokens.length) {
    throw new IbScoreInputError(
      `entropies has length ${entropies.length}, tokens has length ${tokens.length}`,
      location,
    );
  }
  const reusedSteps = response.reusedSteps ?? 0;
  if (!Number.isInteger(reusedSteps) || reusedSteps < 0 || reusedSteps > stepEnds.length) {
    throw new IbScoreInputError(
      `${reusedStepsKey} is ${reusedSteps}, expected an integer from 0 to the step count ${stepEnds.length}`,
      location,
    );
  }
  let node = tree.root;
  let start = 0;
  for (let step = 0; step < stepEnds.length; step++) {
    const end = stepEnds[step] as number;
    if (step < reusedSteps) {
      node = reusedChild(tree, node, slice(tokens, start, end), step, reusedSteps, location);
      start = end;
      continue;
    }
    try {
      node = tree.addStep(node, {
        tokens: slice(tokens, start, end),
        logprobs: logprobs === null ? null : slice(logprobs, start, end),
        entropies: entropies === null ? null : slice(entropies, start, end),
      });
    } catch (error) {
      if (IbScoreInputError.isInstance(error)) throw error.relocated(`${location}, step ${step}`);
      throw error;
    }
    start = end;
  }
  try {
    tree.addTrajectory(node, response.reward, { truncated: response.truncated ?? false });
  } catch (error) {
    if (IbScoreInputError.isInstance(error)) throw error.relocated(location);
    throw error;
  }
  return node;
}

/** The existing child of `parent` with `tokens`: a reused step must have been drawn by an earlier response. */
function reusedChild(
  tree: ReasoningTree,
  parent: NodeId,
  tokens: ArrayLike<number>,
  step: number,
  reusedSteps: number,
  location: string,
): NodeId {
  for (const child of tree.children(parent)) {
    const childTokens = tree.tokens(child);
    if (childTokens.length === tokens.length && childTokens.every((token, i) => token === tokens[i])) return child;
  }
  throw new IbScoreInputError(
    `${reusedStepsKey} is ${reusedSteps} but step ${step} is not in the prompt's tree yet: no earlier line of this prompt drew it`,
    location,
  );
}

function checkStepEnds(stepEnds: ArrayLike<number>, length: number, location: string): void {
  if (length === 0) throw new IbScoreInputError("a response must have at least one token", location);
  if (stepEnds.length === 0) throw new IbScoreInputError("step_ends is empty", location);
  let previous = 0;
  for (let i = 0; i < stepEnds.length; i++) {
    const end = stepEnds[i] as number;
    if (!Number.isInteger(end) || end <= previous) {
      throw new IbScoreInputError(
        `step_ends[${i}] is ${end}; step ends must be strictly increasing integers (a step has at least one token)`,
        location,
      );
    }
    previous = end;
  }
  if (previous !== length) {
    throw new IbScoreInputError(`the last step end is ${previous}, expected the token count ${length}`, location);
  }
}

function slice(values: ArrayLike<number>, start: number, end: number): ArrayLike<number> {
  return Array.prototype.slice.call(values, start, end) as number[];
}
