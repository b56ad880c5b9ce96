// Sample IB-guided trees for four toy prompts with the reference policy and print what came out.
// Run: npx -y pnpm@10.34.9 --filter @ibtpo/tree-sampler example (no build needed: it runs against the sources)
import { ibTreeSampler, sampleBatch } from "@ibtpo/tree-sampler";
import { createReferencePolicy, createReferenceTask } from "@ibtpo/tree-sampler/testing";

const policy = createReferencePolicy({ seed: 1 });
const task = createReferenceTask({ prompts: 4, seed: 1 });

const batch = await sampleBatch(task.prompts, policy, {
  sampler: ibTreeSampler(), // the paper's IBTree: (B0, K, B) = (4, 1, 1), rounds until the budget is spent
  budget: 512, // generated tokens per prompt; reused prefixes are free
  maxResponseLength: 96,
  seed: 7,
  reward: task.reward,
  answer: task.answer,
});

const symbols = ["$", "\\n ", "?", ..."0123456789"];
const text = (tokens: ArrayLike<number>) => Array.from(tokens, (token) => symbols[token]).join("");
for (const sample of batch.samples) {
  const { statistics } = sample;
  console.log(
    `prompt ${sample.promptIndex} "${text(sample.prompt)}": ${statistics.trajectories} trajectories from ${statistics.generatedTokens} tokens, ` +
      `${statistics.nodes} nodes, mean reward ${statistics.meanReward.toFixed(2)}, IB-Score ${statistics.ibScore?.ibScore.toFixed(3) ?? "none"}`,
  );
  const best = sample.trajectories.find((trajectory) => trajectory.reward === 1);
  if (best !== undefined) console.log(`  a correct response: ${text(best.tokens)}`);
}
const { statistics } = batch;
console.log(
  `batch: ${statistics.trajectoriesPer1kTokens.toFixed(1)} trajectories per 1k tokens, Eff-Rate ${statistics.effRate}, ` +
    `${statistics.generateCalls} generate calls`,
);
