import { Mulberry32 } from "@ibtpo/random";
import { describe, expect, it } from "vitest";
import type { Problem } from "../task.js";
import {
  createLineWalkTask,
  type LineWalkData,
  lineWalkCanFinish,
  lineWalkLandings,
  lineWalkStepText,
} from "./line-walk.js";

const task = createLineWalkTask({ hops: 2 });
const problemFor = (data: LineWalkData): Problem<LineWalkData> => ({
  id: "hand",
  prompt: task.renderPrompt(data),
  answer: String(data.goal),
  data,
});
// From 4, hops 3 then 1: only forward then back (4 -> 7 -> 6) ends at 6.
const problem = problemFor({ hops: [3, 1], start: 4, goal: 6 });

describe("line-walk verifier", () => {
  it("renders hops, start and goal", () => {
    expect(problem.prompt).toBe("3 1:4>6\n");
  });

  it.each(["3>7\n1>6", "3>7\n1>6\n"])("accepts the walk %j", (response) => {
    expect(task.verify(problem, response)).toEqual({ reward: 1, answer: "6", wellFormed: true });
  });

  it.each([
    ["stops early", "3>7", "7"],
    ["ends elsewhere", "3>1\n1>2", "2"],
    ["lands where the hop does not reach", "3>7\n1>5", "5"],
    ["stays put", "3>7\n1>7", "7"],
    ["takes a hop out of order", "1>5\n1>6", "6"],
    ["takes a hop the prompt does not list", "3>7\n2>5", "5"],
    ["walks on past the last hop", "3>7\n1>6\n1>7\n1>6", "6"],
  ])("gives 0 when it %s", (_, response, answer) => {
    expect(task.verify(problem, response)).toEqual({ reward: 0, answer, wellFormed: true });
  });

  it.each([
    ["empty", ""],
    ["positions only", "7\n6"],
    ["signed hops", "+3=7\n-1=6"],
    ["two steps on a line", "3>7 1>6"],
    ["a position off the line", "3>7\n3>10"],
  ])("flags a malformed response (%s)", (_, response) => {
    expect(task.verify(problem, response)).toMatchObject({ reward: 0, wellFormed: false });
  });
});

describe("line-walk solver and generator", () => {
  it("looks ahead: the first hop goes away from the goal when only that way lands", () => {
    // From 2, hops 2 then 3 to 1: 2 -> 4 -> 1; the hop towards the goal (2 -> 0) cannot land.
    expect(task.solve(problemFor({ hops: [2, 3], start: 2, goal: 1 }))).toBe("2>4\n3>1");
  });

  it("lands a hop forward first, then back, never off the line", () => {
    expect(lineWalkLandings(4, 3)).toEqual([7, 1]);
    expect(lineWalkLandings(8, 3)).toEqual([5]);
    expect(lineWalkLandings(5, 9)).toEqual([]);
  });

  it("writes a step as the hop's length and where it lands, the line the verifier accepts", () => {
    expect(lineWalkStepText(4, 7)).toBe("3>7");
    expect(lineWalkStepText(7, 6)).toBe("1>6");
    expect(
      task.verify(
        problemFor({ hops: [3, 1], start: 4, goal: 6 }),
        `${lineWalkStepText(4, 7)}\n${lineWalkStepText(7, 6)}`,
      ),
    ).toMatchObject({ reward: 1 });
  });

  it("lists, before each hop, the positions that can still end at the goal", () => {
    // Hop 3 lands on 1 only from 4; hop 2 reaches 4 from 2 or 6.
    const canFinish = lineWalkCanFinish({ hops: [2, 3], start: 2, goal: 1 });
    expect(canFinish.map((positions) => [...positions].sort((a, b) => a - b))).toEqual([[2, 6], [4], [1]]);
    // Two hops of 1 from 0 land on 0 or 2 only, never on 1.
    expect(lineWalkCanFinish({ hops: [1, 1], start: 0, goal: 1 })[0]?.has(0)).toBe(false);
  });

  it("returns null for a goal no walk reaches", () => {
    expect(task.solve(problemFor({ hops: [1, 1], start: 0, goal: 1 }))).toBeNull();
  });

  it("uses every hop once, in order, inside 0-9", () => {
    const wide = createLineWalkTask({ hops: 6, maxHop: 9 });
    const random = new Mulberry32(3);
    for (let seed = 0; seed < 200; seed++) {
      const drawn = wide.generate(seed);
      expect(drawn.data.hops).toHaveLength(6);
      expect(drawn.data.hops.every((hop) => hop >= 1 && hop <= 9)).toBe(true);
      expect(drawn.prompt).toBe(`${drawn.data.hops.join(" ")}:${drawn.data.start}>${drawn.data.goal}\n`);
      // A random walk stops at a hop that leaves the line both ways; each step it takes is legal.
      const walk = wide.randomTrajectory(drawn, random).split("\n");
      let at = drawn.data.start;
      for (const [index, step] of walk.entries()) {
        const [hop, to] = step.split(">").map(Number) as [number, number];
        expect(hop).toBe(drawn.data.hops[index]);
        expect(Math.abs(to - at)).toBe(drawn.data.hops[index]);
        at = to;
      }
      if (walk.length < 6) {
        const hop = drawn.data.hops[walk.length] as number;
        expect(at + hop > 9 && at - hop < 0).toBe(true);
      }
    }
  });

  it("rejects out-of-range knobs", () => {
    expect(() => createLineWalkTask({ hops: 9 })).toThrow(/"hops" must be an integer in \[2, 8\]/);
    expect(() => createLineWalkTask({ maxHop: 0 })).toThrow(/"maxHop" must be an integer in \[1, 9\]/);
    expect(() => createLineWalkTask({ landingEchoes: 9 })).toThrow(/"landingEchoes" must be an integer in \[0, 8\]/);
  });
});

describe("line-walk with landing echoes", () => {
  const echoed = createLineWalkTask({ hops: 2, landingEchoes: 2 });
  const data: LineWalkData = { hops: [3, 1], start: 4, goal: 6 };
  const echoedProblem: Problem<LineWalkData> = { ...problemFor(data), prompt: echoed.renderPrompt(data) };

  it("closes each step with the landing's copies and keeps the prompt", () => {
    expect(lineWalkStepText(4, 7, 2)).toBe("3>777");
    expect(echoedProblem.prompt).toBe(problem.prompt);
    expect(echoed.solve(echoedProblem)).toBe("3>777\n1>666");
    expect(echoed.maxResponseSymbols).toBe("3>777\n1>666".length);
    expect(echoed.options).toEqual({ hops: 2, maxHop: 3, landingEchoes: 2 });
  });

  it("accepts the echoed walk and scores the choice as without echoes", () => {
    expect(echoed.verify(echoedProblem, "3>777\n1>666")).toEqual({ reward: 1, answer: "6", wellFormed: true });
    expect(echoed.verify(echoedProblem, "3>111\n1>222")).toEqual({ reward: 0, answer: "2", wellFormed: true });
  });

  it.each([
    ["too few copies", "3>77\n1>666"],
    ["too many copies", "3>7777\n1>666"],
    ["a copy that differs", "3>776\n1>666"],
    ["no copies", "3>7\n1>6"],
  ])("flags a step with %s", (_, response) => {
    expect(echoed.verify(echoedProblem, response)).toMatchObject({ reward: 0, wellFormed: false });
  });

  it("draws the same problems and writes random walks the verifier accepts", () => {
    const random = new Mulberry32(5);
    for (let seed = 0; seed < 100; seed++) {
      const drawn = echoed.generate(seed);
      expect(drawn).toEqual(task.generate(seed));
      const walk = echoed.randomTrajectory(drawn, random);
      expect(echoed.parse(walk).wellFormed).toBe(true);
      expect(echoed.verify(drawn, walk).reward).toBe(task.verify(drawn, walk.replace(/(\d)\1\1$/gm, "$1")).reward);
    }
  });
});
