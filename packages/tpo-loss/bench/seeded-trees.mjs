import { ReasoningTree } from "@ibtpo/ib-score";
import { Mulberry32 } from "@ibtpo/random";

/** Every benchmark input is reproducible: `random()` draws from Mulberry32 of @ibtpo/random. */
export function seededRandom(seed) {
  const generator = new Mulberry32(seed);
  return () => generator.next();
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
