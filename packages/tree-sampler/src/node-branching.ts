import type { NodeId } from "@ibtpo/ib-score";
import type { ForkRequest } from "./fork-point.js";
import type { PlanContext, Sampler } from "./sampler.js";

/** The shape shared by the node-branching trees (ib-tree, random-tree), docs/METHOD.md section 4. */
export interface NodeBranchingShape {
  /** B0: chains sampled from the prompt in the first call. */
  readonly initialChains: number;
  /** K: nodes branched per round. */
  readonly nodesPerRound: number;
  /** B: new continuations sampled from each branched node. */
  readonly branches: number;
  /** Cap on rounds after the initial chains (L-1); Infinity for none. */
  readonly rounds: number;
}

/** Nodes new branches may start after (every non-leaf node, the root included), in id order. */
function branchCandidates(context: PlanContext): NodeId[] {
  const candidates: NodeId[] = [];
  for (let node = 0; node < context.tree.size; node++) if (context.isBranchCandidate(node)) candidates.push(node);
  return candidates;
}

/**
 * A sampler that starts with B0 chains, then each round branches B continuations from the K nodes
 * `pick` chooses among the candidates, until the round cap (the budget is the caller's).
 */
export function nodeBranchingSampler(
  name: string,
  shape: NodeBranchingShape,
  pick: (context: PlanContext, candidates: NodeId[], count: number) => readonly NodeId[],
): Sampler {
  const { initialChains, nodesPerRound, branches, rounds } = shape;
  return {
    name,
    plan(context): ForkRequest[] {
      const { tree, iteration } = context;
      if (iteration === 0) return [{ node: tree.root, branches: initialChains }];
      if (iteration > rounds) return [];
      return pick(context, branchCandidates(context), nodesPerRound).map((node) => ({ node, branches }));
    },
  };
}

/** `B0=4, K=1, B=1, rounds=inf`: the shape part of a node-branching sampler's name. */
export function shapeLabel(shape: NodeBranchingShape): string {
  return `B0=${shape.initialChains}, K=${shape.nodesPerRound}, B=${shape.branches}, rounds=${shape.rounds}`;
}
