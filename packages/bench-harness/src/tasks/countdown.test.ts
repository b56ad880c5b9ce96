import { describe, expect, it } from "vitest";
import { createRandom } from "../random.js";
import type { Problem } from "../task.js";
import { type CountdownData, createCountdownTask } from "./countdown.js";

const task = createCountdownTask({ numbers: 4 });
const data: CountdownData = { numbers: [7, 3, 4, 2], target: 25 };
const problem: Problem<CountdownData> = { id: "hand", prompt: task.renderPrompt(data), answer: "25", data };

describe("countdown verifier", () => {
  it("renders the prompt as numbers > target", () => {
    expect(problem.prompt).toBe("7 3 4 2>25\n");
  });

  it.each([
    ["7*3=21\n21+4=25", "25"],
    ["7*3=21\n21+4=25\n", "25"],
    ["4*7=28\n28-3=25", "25"],
    ["7+3=10\n10/2=5\n5*4=20\n", "20"],
  ])("scores %j", (response, answer) => {
    const verdict = task.verify(problem, response);
    expect(verdict.answer).toBe(answer);
    expect(verdict.wellFormed).toBe(true);
    expect(verdict.reward).toBe(answer === "25" ? 1 : 0);
  });

  it.each([
    ["wrong arithmetic", "7*3=22\n22+3=25"],
    ["number not given", "5*5=25"],
    ["number used twice", "7*3=21\n21+4=25\n3+1=4"],
    ["reused a consumed result", "7*3=21\n21+4=25\n21+4=25"],
    ["negative intermediate", "3-7=4\n4*7=28"],
    ["inexact division", "7/2=3\n3+4=7"],
  ])("gives 0 to a well-formed but wrong response (%s)", (_, response) => {
    expect(task.verify(problem, response)).toMatchObject({ reward: 0, wellFormed: true });
  });

  it.each([
    ["empty", ""],
    ["prose", "the answer is 25"],
    ["missing result", "7*3\n21+4=25"],
    ["blank line between steps", "7*3=21\n\n21+4=25"],
    ["two operations in one step", "7*3+4=25"],
  ])("flags a malformed response (%s)", (_, response) => {
    expect(task.verify(problem, response)).toMatchObject({ reward: 0, wellFormed: false });
  });

  it("solves with a shortest solution", () => {
    const pair: CountdownData = { numbers: [6, 6, 9, 9], target: 18 };
    expect(task.solve({ id: "p", prompt: task.renderPrompt(pair), answer: "18", data: pair })).toBe("9+9=18");
    const unreachable: CountdownData = { numbers: [1, 1, 1], target: 97 };
    expect(task.solve({ id: "u", prompt: task.renderPrompt(unreachable), answer: "97", data: unreachable })).toBeNull();
  });

  it("parses steps and the last result as the answer", () => {
    expect(task.parse("7*3=21\n21+4=25")).toEqual({ steps: ["7*3=21", "21+4=25"], answer: "25", wellFormed: true });
  });
});

describe("countdown minSteps", () => {
  const deep = createCountdownTask({ numbers: 4, minSteps: 3 });

  it("draws only problems that no shorter chain solves", () => {
    for (let seed = 1; seed <= 40; seed++) {
      const drawn = deep.generate(seed) as Problem<CountdownData>;
      const solution = deep.solve(drawn);
      expect(solution).not.toBeNull();
      expect((solution as string).split("\n")).toHaveLength(3);
      const shallow = createCountdownTask({ numbers: 4 });
      const shortest = shallow.solve(drawn);
      expect((shortest as string).split("\n")).toHaveLength(3);
    }
  });

  it("writes SFT trajectories of minSteps or more steps", () => {
    const drawn = deep.generate(7) as Problem<CountdownData>;
    const random = createRandom(11);
    for (let i = 0; i < 20; i++) {
      const trajectory = deep.randomTrajectory(drawn, random);
      expect(trajectory.split("\n").length).toBeGreaterThanOrEqual(3);
    }
  });

  it("keeps the default problems when minSteps is 1", () => {
    const plain = createCountdownTask({ numbers: 3 });
    const explicit = createCountdownTask({ numbers: 3, minSteps: 1 });
    for (let seed = 1; seed <= 20; seed++) expect(explicit.generate(seed)).toEqual(plain.generate(seed));
  });

  it("rejects minSteps outside 1..numbers-1", () => {
    expect(() => createCountdownTask({ numbers: 3, minSteps: 3 })).toThrow(/minSteps.*\[1, 2\]/);
  });
});
