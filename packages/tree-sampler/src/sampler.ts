import type { NodeId, ReasoningTree } from "@ibtpo/ib-score";
import type { Sfc32 } from "@ibtpo/random";
import type { ForkPoint, ForkRequest } from "./fork-point.js";

/** What a sampler sees when it plans one iteration of one prompt's tree. */
export interface PlanContext {
  readonly tree: ReasoningTree;
  /** 0 for the first iteration (the initial chains), then 1, 2, ... */
  readonly iteration: number;
  /** Seeded from (run seed, prompt index, iteration): the only source of randomness a plan may use. */
  readonly random: Sfc32;
  readonly maxDepth: number;
  readonly maxResponseLength: number;
  /** Tokens from the first step through the end of `node` (0 for the root). */
  responseLength(node: NodeId): number;
  /**
   * True when new branches may start after `node`: no trajectory ends there (not terminal), it is
   * above the maximum depth, and the response so far leaves room for at least one token.
   */
  isBranchCandidate(node: NodeId): boolean;
  /**
   * True when branches may start at `point`: after a whole step, as for `isBranchCandidate`;
   * inside a step, when the step's parent is above the maximum depth (the prefix always has room).
   */
  canFork(point: ForkPoint): boolean;
  /** True when an earlier iteration of this tree already forked at the same prefix. */
  wasForked(point: ForkPoint): boolean;
}

/**
 * The seam between the shared sampling loop (budget, batching, seeds, verification) and a
 * branching rule. Each iteration, for each prompt whose budget is not spent, the loop asks the
 * sampler where to fork; an empty plan ends that prompt's tree.
 *
 * @example
 * // one chain per iteration, for three iterations
 * const threeChains: Sampler = {
 *   name: "three-chains",
 *   plan: ({ tree, iteration }) => (iteration < 3 ? [{ node: tree.root, branches: 1 }] : []),
 * };
 */
export interface Sampler {
  readonly name: string;
  plan(context: PlanContext): readonly ForkRequest[];
}
