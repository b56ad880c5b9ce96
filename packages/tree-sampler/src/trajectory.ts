import type { NodeId } from "@ibtpo/ib-score";
import type { ForkRequest } from "./fork-point.js";
import type { FinishReason } from "./policy.js";

/**
 * Why a response was cut before it ended: 'budget' when the token budget had lowered its
 * maxTokens, else 'max-length' (it reached maxResponseLength, or a length limit of the policy).
 */
type Truncation = "max-length" | "budget";

/**
 * One sampled response: a root-to-leaf draw of the tree. Per-token data cover the whole response,
 * the reused prefix included (as recorded when the prefix was drawn).
 */
export interface Trajectory {
  readonly leaf: NodeId;
  readonly tokens: Int32Array;
  readonly logprobs: Float64Array;
  readonly entropies: Float64Array | null;
  /** The verifier's reward, or 0 for a truncated response. */
  readonly reward: number;
  readonly finishReason: FinishReason;
  readonly truncated: boolean;
  readonly truncation: Truncation | null;
  /** Iteration (0 = initial chains) that sampled this response. */
  readonly iteration: number;
  /** Tokens generated for this response (its length minus the reused prefix). */
  readonly generatedTokens: number;
  /**
   * Leading steps of its path continued from earlier responses, not drawn again (the steps up to
   * the fork's attachment; 0 for a chain from the root). Rollout files carry it as `reused_steps`.
   */
  readonly reusedSteps: number;
}

/** What one iteration did to one prompt's tree. */
export interface IterationRecord {
  readonly iteration: number;
  readonly forks: readonly ForkRequest[];
  /** Generation requests sent (after the budget cut). */
  readonly requests: number;
  readonly generatedTokens: number;
  /** True when the budget lowered some request's maxTokens or dropped requests. */
  readonly cutToBudget: boolean;
}
