// Samples trees through OpenAICompletionsPolicy from a completions server. So that it runs
// anywhere, the server here is a tiny stand-in on the loopback interface that answers every
// request with two steps chosen by the request's seed; point baseUrl at vLLM, SGLang or
// `ibtpo serve` instead. Runs against the sources, no build needed:
//   npx -y pnpm@10.34.9 --filter @ibtpo/policy-http example
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { OpenAICompletionsPolicy, PolicyHttpError } from "@ibtpo/policy-http";
import { createSampler, sampleBatch } from "@ibtpo/tree-sampler";

const END_TOKEN_ID = 2;
const NEWLINE_TOKEN_ID = 1;

const server = createServer(async (request, response) => {
  let text = "";
  for await (const chunk of request) text += chunk;
  const { seed } = JSON.parse(text) as { seed: number };
  const ids = [3 + (seed % 3), NEWLINE_TOKEN_ID, 6 + (seed % 2), END_TOKEN_ID];
  const logprobs = ids.map(() => -0.5);
  const tokens = ids.map((id) => `token_id:${id}`);
  const choice = { index: 0, text: "", finish_reason: "stop", logprobs: { tokens, token_logprobs: logprobs } };
  response.setHeader("content-type", "application/json");
  response.end(JSON.stringify({ id: "cmpl-0", object: "text_completion", created: 0, model: "m", choices: [choice] }));
});
await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
const { port } = server.address() as AddressInfo;

const policy = new OpenAICompletionsPolicy({
  baseUrl: `http://127.0.0.1:${port}`,
  model: "my-model",
  serverKind: "vllm", // connectCompletionsPolicy detects it from GET /v1/models
  eosToken: END_TOKEN_ID,
  stepDelimiter: NEWLINE_TOKEN_ID, // samplers cut steps there
  maxConcurrency: 4,
  timeoutMs: 10_000,
  retry: { maxAttempts: 4, initialDelayMs: 250, maxDelayMs: 8000, seed: 1 },
});

const prompts = [Int32Array.from([9, 9]), Int32Array.from([8, 8])];
try {
  const batch = await sampleBatch(prompts, policy, {
    sampler: createSampler({ kind: "chains", responses: 4 }),
    budget: 64,
    maxResponseLength: 16,
    seed: 1,
    reward: (_index, tokens) => (tokens[0] === 3 ? 1 : 0), // your verifier here
  });
  for (const sample of batch.samples) {
    const rewards = sample.trajectories.map((trajectory) => trajectory.reward).join(" ");
    console.log(`prompt ${sample.promptIndex}: ${sample.statistics.trajectories} trajectories, rewards ${rewards}`);
  }
  console.log(`Eff-Rate ${batch.statistics.effRate}`);
} catch (error) {
  if (PolicyHttpError.isInstance(error)) console.error(error.kind, error.statusCode, error.attempts, error.message);
  throw error;
} finally {
  server.close();
}
