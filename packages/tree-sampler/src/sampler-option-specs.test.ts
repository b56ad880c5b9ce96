import { describe, expect, it } from "vitest";
import { createSampler } from "./create-sampler.js";
import { TreeSamplerError } from "./errors.js";
import { isValidOptionValue, resolveSamplerOptions } from "./resolve-sampler-options.js";
import {
  SAMPLER_KINDS,
  SAMPLER_OPTION_SPECS,
  type SamplerOptionSpec,
  samplerDefaults,
} from "./sampler-option-specs.js";

describe("SAMPLER_OPTION_SPECS", () => {
  it("has a table for every kind, unique names, and defaults inside their own ranges", () => {
    expect(Object.keys(SAMPLER_OPTION_SPECS).sort()).toEqual([...SAMPLER_KINDS].sort());
    for (const kind of SAMPLER_KINDS) {
      const specs: readonly SamplerOptionSpec[] = SAMPLER_OPTION_SPECS[kind];
      expect(new Set(specs.map((spec) => spec.name)).size).toBe(specs.length);
      for (const spec of specs) {
        expect(isValidOptionValue(spec, spec.default), `${kind}.${spec.name}`).toBe(true);
        expect(spec.doc.length).toBeGreaterThan(10);
      }
    }
  });

  it("holds the paper's IBTree shape (B0, K, B) = (4, 1, 1), no round cap, J with beta 5", () => {
    expect(samplerDefaults("ib-tree")).toEqual({
      initialChains: 4,
      nodesPerRound: 1,
      branches: 1,
      rounds: Number.POSITIVE_INFINITY,
      branchScore: "paper",
      beta: 5,
      stepProbability: "geometric",
      minNovelty: 0,
    });
  });

  it("builds every kind from its defaults alone", () => {
    for (const kind of SAMPLER_KINDS) expect(createSampler({ kind }).name).toMatch(new RegExp(`^${kind}\\(`));
  });
});

describe("resolveSamplerOptions", () => {
  it("fills absent options from the table and keeps given ones", () => {
    expect(resolveSamplerOptions("entropy-tree", { branches: 3 })).toEqual({
      initialChains: 2,
      forkPoints: 2,
      rounds: Number.POSITIVE_INFINITY,
      branches: 3,
    });
  });

  it("names an unknown option and lists the kind's options", () => {
    expect(() => resolveSamplerOptions("ib-tree", { iterations: 3 } as never)).toThrow(
      "option iterations: not an option of sampler ib-tree; its options: initialChains, nodesPerRound, branches, rounds, branchScore, beta, stepProbability",
    );
  });

  it.each([
    ["nodesPerRound", 0, "must be an integer >= 1, got 0"],
    ["nodesPerRound", Number.POSITIVE_INFINITY, "must be an integer >= 1, got Infinity"],
    ["rounds", -1, "must be an integer >= 0 (or Infinity), got -1"],
    ["rounds", 1.5, "must be an integer >= 0 (or Infinity), got 1.5"],
    ["beta", 0, "must be a finite number > 0, got 0"],
    ["beta", Number.NaN, "must be a finite number > 0, got NaN"],
    ["branchScore", "shannon", "must be one of 'paper', 'shannon-optimistic', got shannon"],
    ["stepProbability", "mean", "must be one of 'geometric', 'product', got mean"],
    ["minNovelty", 1.5, "must be a finite number >= 0 and <= 1, got 1.5"],
  ])("rejects %s = %s with the option named", (name, value, message) => {
    let error: unknown;
    try {
      resolveSamplerOptions("ib-tree", { [name]: value });
    } catch (caught) {
      error = caught;
    }
    expect(TreeSamplerError.isInstance(error)).toBe(true);
    expect((error as TreeSamplerError).location).toBe(`option ${name}`);
    expect((error as Error).message).toBe(`option ${name}: ${message}`);
  });

  it("accepts Infinity only where the table allows it", () => {
    expect(resolveSamplerOptions("chains", { responses: Number.POSITIVE_INFINITY }).responses).toBe(
      Number.POSITIVE_INFINITY,
    );
    expect(() => resolveSamplerOptions("chains", { perIteration: Number.POSITIVE_INFINITY })).toThrow(
      /option perIteration/,
    );
  });
});
