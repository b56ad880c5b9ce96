import { selectBackend } from "@ibtpo/policy-tfjs";
import { Command } from "commander";
import { ConfigError } from "../config/config-error.js";
import { numberFlag } from "../config/flag-overrides.js";
import { startCompletionsServer } from "../serve/completions-server.js";
import { loadServedPolicy } from "../serve/load-served-policy.js";
import { DEFAULT_SERVE_LIMITS, SERVE_LIMIT_FLAGS, type ServeLimits } from "../serve/serve-limits.js";

function integerFlag(value: unknown, flag: string, min: number): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min) {
    throw new ConfigError(`${flag} must be an integer >= ${min}, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** The limits given as flags, each checked to be a positive integer. */
function limitFlags(flags: Record<string, unknown>): ServeLimits {
  const limits = { ...DEFAULT_SERVE_LIMITS };
  for (const key of Object.keys(SERVE_LIMIT_FLAGS) as (keyof ServeLimits)[]) {
    limits[key] = integerFlag(flags[key], SERVE_LIMIT_FLAGS[key].flag, 1);
  }
  return limits;
}

export function serveCommand(): Command {
  const command = new Command("serve")
    .description("Serve a checkpoint over an OpenAI-compatible completions API (token ids, log-probs, entropies)")
    .argument("<checkpoint>", "checkpoint folder (from ibtpo pretrain or train)")
    .option("--host <address>", "address to bind; 0.0.0.0 exposes the server to the network", "127.0.0.1")
    .option("--port <n>", "port (0 picks a free one)", numberFlag, 8000)
    .option("--model-name <id>", "model id clients send (default: the checkpoint folder's name)")
    .option("--max-batch-size <n>", "rows per batched generate call", numberFlag, 128)
    .option("--workers <n>", "decode worker threads (wasm/cpu backends)", numberFlag, 0)
    .option("--seed <n>", "seed of requests that carry none", numberFlag, 0)
    .option("--backend <name>", "auto | node-gpu | node | wasm | cpu", "auto");
  for (const [key, { flag, help }] of Object.entries(SERVE_LIMIT_FLAGS)) {
    command.option(`${flag} <n>`, help, numberFlag, DEFAULT_SERVE_LIMITS[key as keyof ServeLimits]);
  }
  return command
    .addHelpText(
      "after",
      `
Endpoints: POST /v1/completions, GET /v1/models, POST /tokenize, POST /detokenize, GET /health.

Examples:
  ibtpo serve checkpoints/countdown-base --port 8000
  curl -s localhost:8000/v1/completions -H 'content-type: application/json' \\
    -d '{"model":"countdown-base","prompt":[1,5,7],"max_tokens":16,"logprobs":0,"seed":1}'`,
    )
    .action(async (checkpoint: string, flags) => {
      const log = (line: string) => console.error(line);
      const limits = limitFlags(flags);
      const port = integerFlag(flags.port, "--port", 0);
      await selectBackend({ backend: flags.backend, log });
      const served = await loadServedPolicy(checkpoint, {
        ...(flags.modelName === undefined ? {} : { modelId: flags.modelName }),
        workers: integerFlag(flags.workers, "--workers", 0),
        maxBatchSize: integerFlag(flags.maxBatchSize, "--max-batch-size", 1),
      });
      const server = await startCompletionsServer({
        policy: served.policy,
        model: served.model,
        topLogprobs: served.topLogprobs,
        host: flags.host,
        port,
        limits,
        maxBatchSize: integerFlag(flags.maxBatchSize, "--max-batch-size", 1),
        seed: integerFlag(flags.seed, "--seed", 0),
        log,
      });
      log(`serving "${served.model.id}" at ${server.url}/v1 (Ctrl-C to stop)`);
      if (!["127.0.0.1", "localhost", "::1"].includes(flags.host)) {
        log(
          `note: bound to ${flags.host}; there is no authentication, so anyone who can reach this port can use the model`,
        );
      }
      await new Promise<void>((resolve) => {
        let stopping = false;
        const stop = () => {
          if (stopping) process.exit(130);
          stopping = true;
          log("finishing in-flight requests, then stopping (Ctrl-C again to quit now)");
          server.close().then(resolve, resolve);
        };
        process.on("SIGINT", stop);
        process.on("SIGTERM", stop);
      });
      await served.dispose();
      log("stopped");
    });
}
