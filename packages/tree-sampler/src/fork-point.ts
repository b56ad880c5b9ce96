import type { NodeId, ReasoningTree } from "@ibtpo/ib-score";
import { TreeSamplerError } from "./errors.js";
import { concatSpans, emptySpan, nodeSpan, pathSpan, sliceSpan, type TokenSpan } from "./token-span.js";

/**
 * Where new branches start: after the first `offset` tokens of the step at `node`. Without an
 * offset (or with offset = the step's length) the branches continue after the whole step and
 * their first step becomes a new child of `node`. With 0 < offset < length the fork is inside the
 * step: each branch's first step is the step's head plus the newly sampled rest of the step, a
 * sibling of `node` (or `node` itself again when the rest comes out the same). Offset 0 is the
 * same as forking after `node`'s parent.
 *
 * @example
 * const afterStep: ForkPoint = { node: 4 };
 * const insideStep: ForkPoint = { node: 4, offset: 2 }; // keep 2 tokens of step 4, resample the rest
 */
export interface ForkPoint {
  readonly node: NodeId;
  readonly offset?: number;
}

/** A fork point and how many new continuations (T) to sample from it. */
export interface ForkRequest extends ForkPoint {
  readonly branches: number;
}

/** A fork point resolved against the tree: where the new first step attaches and what precedes it. */
export interface PreparedFork {
  /** Canonical `node:offset` text; two fork points with the same key continue the same prefix. */
  readonly key: string;
  /** Parent of the new first step. */
  readonly attachTo: NodeId;
  /** Tokens of the forked step kept before the new ones (empty for a fork after a whole step). */
  readonly head: TokenSpan;
  /** The whole response prefix the branches continue: path to `attachTo`, then `head`. */
  readonly responsePrefix: TokenSpan;
}

/** Where a fork point's new first step attaches and how many tokens of its step it keeps. */
export function forkAttachment(
  tree: ReasoningTree,
  point: ForkPoint,
  location = "fork",
): { attachTo: NodeId; headLength: number } {
  const { node } = point;
  if (!Number.isInteger(node) || node < 0 || node >= tree.size) {
    throw new TreeSamplerError(`fork node ${node} is not a node of the tree (it has ${tree.size} nodes)`, location);
  }
  const length = tree.tokens(node).length;
  const offset = point.offset ?? length;
  if (!Number.isInteger(offset) || offset < 0 || offset > length) {
    throw new TreeSamplerError(`fork offset ${offset} is outside [0, ${length}] for node ${node}`, location);
  }
  if (offset === length) return { attachTo: node, headLength: 0 };
  return { attachTo: tree.parent(node), headLength: offset };
}

/**
 * Canonical text of a fork point: equal keys continue exactly the same prefix.
 *
 * @example
 * forkKey(tree, { node: child, offset: 0 }) === forkKey(tree, { node: tree.parent(child) }); // true
 */
export function forkKey(tree: ReasoningTree, point: ForkPoint): string {
  const { attachTo, headLength } = forkAttachment(tree, point);
  return headLength === 0 ? `${attachTo}:${tree.tokens(attachTo).length}` : `${point.node}:${headLength}`;
}

/** Resolve a fork point, rejecting ids and offsets that are not in the tree. */
export function prepareFork(tree: ReasoningTree, point: ForkPoint, location: string): PreparedFork {
  const { attachTo, headLength } = forkAttachment(tree, point, location);
  const key = forkKey(tree, point);
  if (headLength === 0) return { key, attachTo, head: emptySpan, responsePrefix: pathSpan(tree, attachTo) };
  const head = sliceSpan(nodeSpan(tree, point.node), 0, headLength);
  return { key, attachTo, head, responsePrefix: concatSpans([pathSpan(tree, attachTo), head]) };
}
