import type { NodeId } from "@ibtpo/ib-score";
import { checkCount } from "./check-option.js";
import type { PlanContext } from "./sampler.js";

/** Shape shared by the node-branching trees (ib-tree, random-tree). */
export interface NodeBranchingOptions {
  /** M: chains sampled from the prompt in the first iteration. Default 1. */
  readonly initialChains?: number;
  /** C: iterations including the first; Infinity means until the budget is spent. */
  readonly iterations: number;
  /** N: nodes branched per iteration. */
  readonly nodesPerIteration: number;
  /** T: new continuations sampled from each selected node. */
  readonly branches: number;
}

export interface ResolvedNodeBranchingOptions {
  readonly initialChains: number;
  readonly iterations: number;
  readonly nodesPerIteration: number;
  readonly branches: number;
}

export function resolveNodeBranchingOptions(options: NodeBranchingOptions): ResolvedNodeBranchingOptions {
  return {
    initialChains: checkCount(options.initialChains ?? 1, "initialChains"),
    iterations: checkCount(options.iterations, "iterations", 1, true),
    nodesPerIteration: checkCount(options.nodesPerIteration, "nodesPerIteration"),
    branches: checkCount(options.branches, "branches"),
  };
}

/** Nodes new branches may start after, in id order. */
export function branchCandidates(context: PlanContext): NodeId[] {
  const candidates: NodeId[] = [];
  for (let node = 0; node < context.tree.size; node++) if (context.isBranchCandidate(node)) candidates.push(node);
  return candidates;
}
