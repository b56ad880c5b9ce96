import { externalOptionNames } from "@ibtpo/tpo-loss";
import { describe, expect, it } from "vitest";
import { didYouMean } from "./external-names.js";
import { loadConfig } from "./load-config.js";
import { trainConfigSchema } from "./train-config.js";

const load = (path: string, value: unknown) => loadConfig(trainConfigSchema, undefined, [{ path, value }]);

describe("TRL and verl names in the train config", () => {
  it("get a did-you-mean naming our key, wherever they are put", async () => {
    await expect(load("beta", 0.04)).rejects.toThrow(
      `unknown config key "beta" (command line): did you mean "loss.klCoefficient"? (TRL's beta: the KL penalty coefficient); allowed keys: task,`,
    );
    await expect(load("loss.epsilon", 0.2)).rejects.toThrow(
      `unknown config key "loss.epsilon" (command line): did you mean "loss.clipLow"?`,
    );
    await expect(load("num_generations", 8)).rejects.toThrow('did you mean "budget"?');
    await expect(load("optimizer.num_iterations", 2)).rejects.toThrow('did you mean "optimizer.epochs"?');
    await expect(load("loss_type", "dr_grpo")).rejects.toThrow("dr_grpo: seq-mean-token-sum-norm");
  });

  it("point every table entry but delta at a key the config accepts", () => {
    const unmapped: string[] = [];
    for (const { name } of externalOptionNames) {
      const hint = didYouMean(name);
      expect(hint, name).toContain(`${name}:`);
      const key = hint?.match(/did you mean "([^"]+)"/)?.[1];
      if (key === undefined) {
        unmapped.push(name);
        continue;
      }
      const top = trainConfigSchema.shape[key.split(".")[0] as keyof typeof trainConfigSchema.shape];
      expect(top, `${name} -> ${key}`).toBeDefined();
    }
    expect(unmapped).toEqual(["delta"]);
  });

  it("leaves other unknown keys with the allowed list only", async () => {
    await expect(load("optimizer.learningrate", 1)).rejects.toThrow(
      'unknown config key "optimizer.learningrate" (command line): allowed keys of "optimizer": learningRate',
    );
  });
});
