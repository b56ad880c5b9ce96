import { Mulberry32 } from "@ibtpo/random";
import type { Generation, Policy } from "@ibtpo/tree-sampler";
import { BenchHarnessError } from "../errors.js";
import type { Problem, Task } from "../task.js";
import type { SymbolCodec } from "./text-codec.js";

/**
 * A stand-in {@link Policy} that answers each known prompt with one of the task's random legal
 * trajectories, seeded by the request seed (temperature 0 uses seed 0, so it is deterministic).
 * It models a policy fresh from SFT on such trajectories and is used to calibrate task
 * difficulty and to test evaluation end to end. It knows no probabilities: log-probs are 0 and
 * it provides no entropies.
 *
 * @example
 * const policy = createTrajectoryPolicy(task, problems, createSymbolCodec(task.vocabulary));
 */
export function createTrajectoryPolicy<Data>(
  task: Task<Data>,
  problems: readonly Problem<Data>[],
  codec: SymbolCodec,
): Policy {
  const byPrompt = new Map(problems.map((problem) => [problem.prompt, problem]));
  return {
    name: `random-legal-${task.name}`,
    eosToken: codec.eosToken,
    providesEntropies: false,
    async generate(requests) {
      return requests.map((request, index): Generation => {
        const prompt = codec.decode(request.prefix);
        const problem = byPrompt.get(prompt);
        if (problem === undefined)
          throw new BenchHarnessError(
            `request ${index} has an unknown prompt ${JSON.stringify(prompt)}`,
            "trajectory policy",
          );
        const { temperature = 1, seed = 0, maxTokens } = request.settings;
        const response = task.randomTrajectory(problem, new Mulberry32(temperature === 0 ? 0 : seed));
        const full = [...codec.encode(response), codec.eosToken];
        const tokens = Int32Array.from(full.slice(0, maxTokens));
        return {
          tokens,
          logprobs: new Float64Array(tokens.length),
          entropies: null,
          finishReason: full.length > maxTokens ? "length" : "eos",
        };
      });
    },
  };
}
