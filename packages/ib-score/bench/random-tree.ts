import { Mulberry32 } from "@ibtpo/random";
import { ReasoningTree } from "../src/index.js";

/**
 * How a random tree's steps attach:
 * - `uniform`: each new step hangs under a uniformly chosen earlier node, so parents are
 *   scattered through memory (the worst case for cache locality);
 * - `sampled`: chains of 1-12 steps grow from uniformly chosen nodes to a leaf, the shape tree
 *   samplers produce (a chain's steps are consecutive nodes).
 */
export type TreeShape = "uniform" | "sampled";

/**
 * A random tree of `nodes` steps (plus the root): every step carries 1-8 tokens with log-probs
 * and entropies, and every leaf ends one trajectory with a 0/1 reward.
 */
export function randomTree(nodes: number, seed: number, shape: TreeShape): ReasoningTree {
  const random = new Mulberry32(seed);
  const tree = new ReasoningTree({ promptId: `random-${shape}-${nodes}` });
  const hasChild = new Uint8Array(nodes + 1);
  let chainLeft = 0;
  for (let id = 1; id <= nodes; id++) {
    let parent: number;
    if (shape === "uniform") parent = Math.floor(random.next() * id);
    else if (chainLeft > 0) parent = id - 1;
    else {
      parent = Math.floor(random.next() * id);
      chainLeft = 1 + Math.floor(random.next() * 12);
    }
    chainLeft--;
    hasChild[parent] = 1;
    const length = 1 + Math.floor(random.next() * 8);
    const tokens = new Int32Array(length);
    const logprobs = new Float64Array(length);
    const entropies = new Float64Array(length);
    tokens[0] = id; // unique first token: no two siblings merge
    for (let t = 0; t < length; t++) {
      if (t > 0) tokens[t] = Math.floor(random.next() * 64);
      logprobs[t] = -random.next() * 3;
      entropies[t] = random.next() * 4;
    }
    tree.addStep(parent, { tokens, logprobs, entropies });
  }
  for (let id = 1; id <= nodes; id++) if (hasChild[id] === 0) tree.addTrajectory(id, random.next() < 0.4 ? 1 : 0);
  return tree;
}
