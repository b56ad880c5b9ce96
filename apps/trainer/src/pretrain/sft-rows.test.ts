import { sampleProblems } from "@ibtpo/bench-harness";
import { SymbolTokenizer } from "@ibtpo/policy-tfjs";
import { Mulberry32 } from "@ibtpo/random";
import { describe, expect, it } from "vitest";
import { createTask } from "../runtime/task-setup.js";
import { sftRows } from "./sft-rows.js";

const task = createTask("line-walk", {});
const tokenizer = SymbolTokenizer.fromSymbols(task.vocabulary);
const problems = sampleProblems(task, { split: "train", count: 64, seed: 5 });
const CONTEXT = 64;
const responses = (solverShare?: number) =>
  sftRows(task, tokenizer, problems, new Mulberry32(9), CONTEXT, solverShare).map((row) =>
    tokenizer.decode(Array.from(row.tokens).slice(row.promptLength)),
  );
const solutions = problems.map((problem) => task.solve(problem));

describe("sftRows", () => {
  it("draws nothing extra at share 0: the rows of a call without the option", () => {
    expect(responses(0)).toEqual(responses());
  });

  it("gives every row the reference solution at share 1", () => {
    expect(responses(1)).toEqual(solutions);
  });

  it("mixes solutions and random legal walks at a share in between", () => {
    const mixed = responses(0.5);
    const solved = mixed.filter((response, index) => response === solutions[index]).length;
    // Rows drawn as solutions match; a random walk matches the solution only by chance (27% here).
    expect(solved).toBeGreaterThan(responses(0).filter((response, index) => response === solutions[index]).length);
    expect(solved).toBeLessThan(problems.length);
  });
});
