import { describe, expect, it } from "vitest";
import type { Problem } from "../task.js";
import { createGraphPathTask, type GraphPathData } from "./graph-path.js";

const task = createGraphPathTask({ nodes: 6 });
const data: GraphPathData = { edges: ["ab", "ac", "bd", "ce", "de", "ef"], start: "a", goal: "e" };
const problem: Problem<GraphPathData> = { id: "hand", prompt: task.renderPrompt(data), answer: "e", data };

describe("graph-path verifier", () => {
  it("renders edges, start and goal", () => {
    expect(problem.prompt).toBe("ab ac bd ce de ef:a>e\n");
  });

  it.each(["c\ne", "b\nd\ne", "b\nd\ne\n"])("accepts the path %j", (response) => {
    expect(task.verify(problem, response)).toEqual({ reward: 1, answer: "e", wellFormed: true });
  });

  it.each([
    ["stops early", "b\nd", "d"],
    ["walks past the goal", "c\ne\nf", "f"],
    ["jumps along a missing edge", "d\ne", "e"],
    ["moves backwards", "b\na\nc\ne", "e"],
  ])("gives 0 when it %s", (_, response, answer) => {
    expect(task.verify(problem, response)).toEqual({ reward: 0, answer, wellFormed: true });
  });

  it.each([
    ["empty", ""],
    ["two nodes on a line", "bd\ne"],
    ["a node outside the graph", "b\nz"],
    ["an upper-case label", "C\nE"],
  ])("flags a malformed response (%s)", (_, response) => {
    expect(task.verify(problem, response)).toMatchObject({ reward: 0, wellFormed: false, answer: null });
  });

  it("solves with a shortest path", () => {
    expect(task.solve(problem)).toBe("c\ne");
  });

  it("reports no solution when the goal is unreachable", () => {
    const cut: GraphPathData = { edges: ["ab", "cd"], start: "a", goal: "d" };
    expect(task.solve({ id: "x", prompt: task.renderPrompt(cut), answer: "d", data: cut })).toBeNull();
  });
});
