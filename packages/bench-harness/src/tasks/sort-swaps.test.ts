import { describe, expect, it } from "vitest";
import type { Problem } from "../task.js";
import { createSortSwapsTask, type SortSwapsData } from "./sort-swaps.js";

const task = createSortSwapsTask({ length: 4 });
const data: SortSwapsData = { digits: "3810", budget: 3 };
const problem: Problem<SortSwapsData> = { id: "hand", prompt: task.renderPrompt(data), answer: "0138", data };

describe("sort-swaps verifier", () => {
  it("renders digits and budget", () => {
    expect(problem.prompt).toBe("3810 3\n");
  });

  it.each(["14:0813\n23:0183\n34:0138", "41:0813\n32:0183\n43:0138\n"])("accepts the sort %j", (response) => {
    expect(task.verify(problem, response)).toEqual({ reward: 1, answer: "0138", wellFormed: true });
  });

  it.each([
    ["a wrong state", "14:0813\n23:0138", "0138"],
    ["the same position twice", "11:3810\n14:0813\n23:0183\n34:0138", "0138"],
    ["a position past the end", "15:0813", "0813"],
    ["over budget", "12:8310\n12:3810\n14:0813\n23:0183\n34:0138", "0138"],
    ["an unsorted end", "14:0813", "0813"],
  ])("gives 0 for %s", (_, response, answer) => {
    expect(task.verify(problem, response)).toEqual({ reward: 0, answer, wellFormed: true });
  });

  it.each([
    ["empty", ""],
    ["no state", "14\n23"],
    ["words", "sorted: 0138"],
  ])("flags a malformed response (%s)", (_, response) => {
    expect(task.verify(problem, response)).toMatchObject({ reward: 0, wellFormed: false });
  });

  it("solves in the fewest swaps", () => {
    expect(task.solve(problem)).toBe("14:0813\n23:0183\n34:0138");
  });
});
