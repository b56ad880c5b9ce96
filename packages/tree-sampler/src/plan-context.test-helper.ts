import type { ReasoningTree } from "@ibtpo/ib-score";
import { Sfc32 } from "@ibtpo/random";
import type { PlanContext } from "./sampler.js";

/** A plan context over a hand-built tree: every node no trajectory ends at is a candidate. */
export function handPlanContext(
  tree: ReasoningTree,
  iteration: number,
  overrides: Partial<PlanContext> = {},
): PlanContext {
  return {
    tree,
    iteration,
    random: new Sfc32(iteration),
    maxDepth: 10,
    maxResponseLength: 100,
    responseLength: (node) => tree.pathTokens(node).length,
    isBranchCandidate: (node) => tree.endingCount(node) === 0,
    canFork: () => true,
    wasForked: () => false,
    ...overrides,
  };
}
