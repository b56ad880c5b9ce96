// Scores one GRPO group with IB-Score. Runs against the sources, no build needed:
//   npx -y pnpm@10.34.9 --filter @ibtpo/ib-score example
import { buildPrefixTree, paperNodeScore, scoreTree, summarizeBatch } from "@ibtpo/ib-score";

// A GRPO group: four responses to one prompt, each cut into steps.
const tree = buildPrefixTree("q1", [
  { tokens: [5, 6, 9], logprobs: [-0.1, -0.3, -0.2], entropies: [0.4, 0.9, 0.5], stepEnds: [2, 3], reward: 1 },
  { tokens: [5, 6, 7], logprobs: [-0.1, -0.3, -1.2], entropies: [0.4, 0.9, 1.5], stepEnds: [2, 3], reward: 0 },
  { tokens: [5, 6, 9], logprobs: [-0.1, -0.3, -0.2], entropies: [0.4, 0.9, 0.5], stepEnds: [2, 3], reward: 1 },
  { tokens: [8, 9], logprobs: [-2.0, -0.1], entropies: [1.1, 0.3], stepEnds: [1, 2], reward: 0 },
]);
const score = scoreTree(tree); // paper form: { estimator: "paper", beta: 5, stepProbability: "geometric" }
console.log(score.tree); // { ibScore, cov, confidence, H, I } averaged over nodes with >= 2 draws
console.log(score.root); // the prompt-level scores
console.log(paperNodeScore(tree, tree.root, { beta: 5, stepProbability: "geometric" })); // { ibScore, cov, confidence, draws }
console.log(scoreTree(tree, { estimator: "shannon" }).tree); // the earlier H + beta I, over branching nodes
console.log(summarizeBatch([score])); // { prompts, trajectories, effRate, avgRate, collapsed, ibScore, cov, confidence, H, I, ... }
