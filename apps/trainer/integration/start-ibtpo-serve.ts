import { startCompletionsServer } from "../src/serve/completions-server.js";
import { loadServedPolicy } from "../src/serve/load-served-policy.js";

/** `ibtpo serve` over a checkpoint, in this process, on a free loopback port. */
export async function startIbtpoServe(checkpoint: string): Promise<{ url: string; stop(): Promise<void> }> {
  const served = await loadServedPolicy(checkpoint);
  const server = await startCompletionsServer({
    policy: served.policy,
    model: served.model,
    topLogprobs: served.topLogprobs,
    port: 0,
  });
  return {
    url: server.url,
    stop: async () => {
      await server.close();
      await served.dispose();
    },
  };
}
