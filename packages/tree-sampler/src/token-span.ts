import type { NodeId, ReasoningTree } from "@ibtpo/ib-score";

/** Tokens with their per-token log-probs and (when known) entropies, kept together. */
export interface TokenSpan {
  readonly tokens: Int32Array;
  readonly logprobs: Float64Array;
  readonly entropies: Float64Array | null;
}

export const emptySpan: TokenSpan = { tokens: new Int32Array(0), logprobs: new Float64Array(0), entropies: null };

/** The step stored at `node`. */
export function nodeSpan(tree: ReasoningTree, node: NodeId): TokenSpan {
  return { tokens: tree.tokens(node), logprobs: tree.logprobs(node), entropies: tree.entropies(node) };
}

/** Tokens [start, end) of a span; the arrays are copies. */
export function sliceSpan(span: TokenSpan, start: number, end: number): TokenSpan {
  return {
    tokens: span.tokens.slice(start, end),
    logprobs: span.logprobs.slice(start, end),
    entropies: span.entropies === null ? null : span.entropies.slice(start, end),
  };
}

/** Spans joined end to end; entropies are kept only when every non-empty span has them. */
export function concatSpans(spans: readonly TokenSpan[]): TokenSpan {
  const length = spans.reduce((sum, span) => sum + span.tokens.length, 0);
  const tokens = new Int32Array(length);
  const logprobs = new Float64Array(length);
  const hasEntropies = spans.every((span) => span.entropies !== null || span.tokens.length === 0);
  const entropies = hasEntropies ? new Float64Array(length) : null;
  let offset = 0;
  for (const span of spans) {
    tokens.set(span.tokens, offset);
    logprobs.set(span.logprobs, offset);
    if (entropies !== null && span.entropies !== null) entropies.set(span.entropies, offset);
    offset += span.tokens.length;
  }
  return { tokens, logprobs, entropies };
}

/** The response from the first step through `node` (the prompt excluded). */
export function pathSpan(tree: ReasoningTree, node: NodeId): TokenSpan {
  return concatSpans(tree.path(node).map((id) => nodeSpan(tree, id)));
}
