import { ReasoningTree } from "@ibtpo/ib-score";

/** mulberry32: a small seeded PRNG, so every benchmark input is reproducible. */
export function seededRandom(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A tree of `trajectories` responses of `depth` steps of `stepLength` tokens each, steps drawn
 * from `alphabet` choices so that shared prefixes merge as in a real tree.
 */
export function randomTree(random, { trajectories, depth, stepLength, alphabet }) {
  const tree = new ReasoningTree({ promptId: `bench-${Math.floor(random() * 1e9)}` });
  for (let draw = 0; draw < trajectories; draw++) {
    let node = tree.root;
    for (let level = 0; level < depth; level++) {
      const symbol = Math.floor(random() * alphabet);
      const tokens = Array.from({ length: stepLength }, (_, index) => symbol * stepLength + index);
      const logprobs = tokens.map(() => -random() * 3);
      node = tree.addStep(node, { tokens, logprobs });
    }
    tree.addTrajectory(node, random() < 0.5 ? 1 : 0);
  }
  return tree;
}
