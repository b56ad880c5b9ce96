import { ReasoningTree } from "@ibtpo/ib-score";

/**
 * The hand-built tree the tests work by hand (node ids in creation order):
 *
 *   root (traj 4, correct 3)
 *   ├─ a = 1  tokens [1, 2], logprobs [-0.2, -0.4], drawn 3 times (traj 3, correct 2)
 *   │  ├─ c = 2  tokens [3], logprobs [-0.1], drawn twice, both trajectories end here with reward 1
 *   │  └─ d = 3  tokens [4, 5], logprobs [-1, -2], one trajectory, reward 0
 *   └─ b = 4  tokens [6], logprobs [-1.5], one trajectory, reward 1
 */
export function handBuiltTree(): ReasoningTree {
  const tree = new ReasoningTree({ promptId: "hand", promptTokens: [9, 9] });
  const stepA = { tokens: [1, 2], logprobs: [-0.2, -0.4] };
  const stepC = { tokens: [3], logprobs: [-0.1] };
  for (let draw = 0; draw < 2; draw++) {
    const a = tree.addStep(tree.root, stepA);
    tree.addTrajectory(tree.addStep(a, stepC), 1);
  }
  const a = tree.addStep(tree.root, stepA);
  tree.addTrajectory(tree.addStep(a, { tokens: [4, 5], logprobs: [-1, -2] }), 0);
  tree.addTrajectory(tree.addStep(tree.root, { tokens: [6], logprobs: [-1.5] }), 1);
  return tree;
}

export const nodes = { a: 1, c: 2, d: 3, b: 4 } as const;

/**
 * A sampled tree (node ids in creation order): two chains from the root, a -> c (reward 1) and
 * b (reward 0); then the node a branched twice, into d (reward 0) and e (reward 1).
 *
 *   root   draws: a, b                       (traj 4)
 *   ├─ a = 1  drawn once at the root           (traj 3); draws at a: c, d, e
 *   │  ├─ c = 2, d = 4, e = 5  drawn once each  (traj 1)
 *   └─ b = 3  drawn once at the root           (traj 1)
 */
export function branchedTree(): ReasoningTree {
  const tree = new ReasoningTree({ promptId: "branched" });
  const a = tree.addStep(tree.root, { tokens: [1, 2], logprobs: [-0.5, -0.5] });
  tree.addTrajectory(tree.addStep(a, { tokens: [3], logprobs: [-0.1] }), 1);
  tree.addTrajectory(tree.addStep(tree.root, { tokens: [6], logprobs: [-1] }), 0);
  tree.addTrajectory(tree.addStep(a, { tokens: [4], logprobs: [-2] }), 0);
  tree.addTrajectory(tree.addStep(a, { tokens: [5, 5], logprobs: [-1, -1] }), 1);
  return tree;
}
