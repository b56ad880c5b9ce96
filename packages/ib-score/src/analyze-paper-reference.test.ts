import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Mulberry32 } from "@ibtpo/random";
import { describe, expect, it } from "vitest";

// `ib-score analyze --json` against a straightforward implementation of docs/METHOD.md section 3.1
// written here from the formulas alone: plain objects, no shared code with the package.

const cli = new URL("./cli.ts", import.meta.url).pathname;
const run = (...args: string[]) => spawnSync(process.execPath, ["--import", "tsx", cli, ...args], { encoding: "utf8" });
const directory = mkdtempSync(join(tmpdir(), "ib-score-reference-"));

interface Line {
  prompt_id: string;
  tokens: number[];
  logprobs: number[];
  step_ends: number[];
  reward: number;
}

function randomRollouts(seed: number): Line[] {
  const random = new Mulberry32(seed);
  const pick = (n: number) => Math.floor(random.next() * n);
  const lines: Line[] = [];
  for (let prompt = 0; prompt < 30; prompt++) {
    // A quarter of the prompts have one response: a tree without a node of two draws (collapsed).
    const group = pick(4) === 0 ? 1 : 2 + pick(8);
    for (let response = 0; response < group; response++) {
      const steps = 1 + pick(4);
      const tokens: number[] = [];
      const logprobs: number[] = [];
      const stepEnds: number[] = [];
      for (let step = 0; step < steps; step++) {
        // Few distinct steps per depth, so prefixes merge and trees branch.
        const length = 1 + pick(2);
        for (let i = 0; i < length; i++) {
          tokens.push(pick(2));
          logprobs.push(Math.log(0.05 + 0.95 * random.next()));
        }
        stepEnds.push(tokens.length);
      }
      const reward = [0, 1, 1, 0.5][pick(4)] as number;
      lines.push({ prompt_id: `p${prompt}`, tokens, logprobs, step_ends: stepEnds, reward });
    }
  }
  return lines;
}

interface RefNode {
  children: Map<string, RefNode>;
  draws: number;
  trajectories: number;
  rewardSum: number;
  logprobDraws: number[][];
}

const newNode = (): RefNode => ({ children: new Map(), draws: 0, trajectories: 0, rewardSum: 0, logprobDraws: [] });

interface RefParts {
  J: number;
  cov: number;
  confidence: number;
}

function reference(lines: Line[], beta: number, mode: "geometric" | "product") {
  const roots = new Map<string, RefNode>();
  for (const line of lines) {
    let root = roots.get(line.prompt_id);
    if (root === undefined) {
      root = newNode();
      roots.set(line.prompt_id, root);
    }
    root.trajectories++;
    root.rewardSum += line.reward;
    let node = root;
    let start = 0;
    for (const end of line.step_ends) {
      const key = line.tokens.slice(start, end).join(",");
      let child = node.children.get(key);
      if (child === undefined) {
        child = newNode();
        node.children.set(key, child);
      }
      child.draws++;
      child.trajectories++;
      child.rewardSum += line.reward;
      child.logprobDraws.push(line.logprobs.slice(start, end));
      node = child;
      start = end;
    }
  }
  const pi = (node: RefNode) => {
    const length = (node.logprobDraws[0] as number[]).length;
    let sum = 0;
    for (let t = 0; t < length; t++) {
      sum += node.logprobDraws.reduce((s, draw) => s + (draw[t] as number), 0) / node.logprobDraws.length;
    }
    return Math.exp(mode === "geometric" ? sum / length : sum);
  };
  const nodeScore = (node: RefNode): RefParts & { B: number } => {
    const vn = node.rewardSum / node.trajectories;
    const draws: { eta1: number; eta2: number; m: number }[] = [];
    for (const child of node.children.values()) {
      const r = vn === 0 ? 1 : child.rewardSum / child.trajectories / vn;
      draws.push({ eta1: r - (1 + 1 / beta), eta2: pi(child), m: child.draws });
    }
    const B = draws.reduce((s, d) => s + d.m, 0);
    const mean = (f: (d: (typeof draws)[number]) => number) => draws.reduce((s, d) => s + d.m * f(d), 0) / B;
    const mean1 = mean((d) => d.eta1);
    const mean2 = mean((d) => d.eta2);
    return {
      J: ((1 + beta) / B) * draws.reduce((s, d) => s + d.m * d.eta1 * d.eta2, 0),
      cov: mean((d) => (d.eta1 - mean1) * (d.eta2 - mean2)),
      confidence: mean2,
      B,
    };
  };
  const prompts = [...roots].map(([promptId, root]) => {
    const scored: RefParts[] = [];
    const visit = (node: RefNode) => {
      if (node.children.size > 0) {
        const score = nodeScore(node);
        if (score.B >= 2) scored.push(score);
      }
      for (const child of node.children.values()) visit(child);
    };
    visit(root);
    const average = (key: keyof RefParts) =>
      scored.length === 0 ? null : scored.reduce((s, p) => s + p[key], 0) / scored.length;
    const rewards = lines.filter((l) => l.prompt_id === promptId).map((l) => l.reward);
    const rootScore = nodeScore(root);
    return {
      prompt_id: promptId,
      ib_score: average("J"),
      cov: average("cov"),
      confidence: average("confidence"),
      root: { ib_score: rootScore.J, cov: rootScore.cov, confidence: rootScore.confidence },
      scored_nodes: scored.length,
      effective: Math.max(...rewards) > Math.min(...rewards),
      avg_rate: rewards.reduce((s, r) => s + r, 0) / rewards.length,
    };
  });
  const valued = prompts.filter((p) => p.ib_score !== null);
  const batchMean = (key: "ib_score" | "cov" | "confidence") =>
    valued.length === 0 ? null : valued.reduce((s, p) => s + (p[key] as number), 0) / valued.length;
  return {
    summary: {
      prompts: prompts.length,
      trajectories: lines.length,
      eff_rate: prompts.filter((p) => p.effective).length / prompts.length,
      avg_rate: lines.reduce((s, l) => s + l.reward, 0) / lines.length,
      collapsed: prompts.length - valued.length,
      ib_score: batchMean("ib_score"),
      cov: batchMean("cov"),
      confidence: batchMean("confidence"),
    },
    prompts,
  };
}

/** Every number of `expected` is within 1e-9 of the same field of `actual`; everything else is equal. */
function expectClose(actual: unknown, expected: unknown, path: string): void {
  if (typeof expected === "number") {
    expect(typeof actual, path).toBe("number");
    expect(Math.abs((actual as number) - expected), `${path}: ${actual} vs ${expected}`).toBeLessThanOrEqual(1e-9);
  } else if (expected !== null && typeof expected === "object") {
    for (const [key, value] of Object.entries(expected)) {
      expectClose((actual as Record<string, unknown>)?.[key], value, `${path}.${key}`);
    }
  } else {
    expect(actual, path).toEqual(expected);
  }
}

describe("ib-score analyze --json against docs/METHOD.md 3.1", () => {
  it.each([
    ["the defaults", [], 5, "geometric"],
    ["--step-probability product --beta 2", ["--step-probability", "product", "--beta", "2"], 2, "product"],
  ] as const)("matches an independent implementation with %s", (_name, flags, beta, mode) => {
    for (const seed of [1, 2, 3]) {
      const lines = randomRollouts(seed);
      const file = join(directory, `random-${seed}.jsonl`);
      writeFileSync(file, `${lines.map((line) => JSON.stringify(line)).join("\n")}\n`);
      const result = run("analyze", file, "--json", ...flags);
      expect(result.stderr).toBe("");
      const output = JSON.parse(result.stdout);
      const expected = reference(lines, beta, mode);
      // The random trees include collapsed ones and scored ones, so both paths are exercised.
      expect(expected.summary.collapsed).toBeGreaterThan(0);
      expect(expected.summary.collapsed).toBeLessThan(expected.summary.prompts);
      expectClose(output, expected, "analyze");
      expect(output.summary.estimator).toBe("paper");
    }
  });
});

describe("ib-score analyze --estimator shannon", () => {
  const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url).pathname;
  it.each([
    ["shannon-analyze-defaults.json", []],
    ["shannon-analyze-beta2-alpha0-sum.json", ["--beta", "2", "--alpha", "0", "--entropy", "token-sum"]],
  ] as const)("reproduces %s, recorded before the paper form existed, exactly", (name, flags) => {
    const result = run("analyze", fixture("random-rollouts.jsonl"), "--json", "--estimator", "shannon", ...flags);
    expect(result.stderr).toBe("");
    const recorded = JSON.parse(readFileSync(fixture(name), "utf8"));
    const output = JSON.parse(result.stdout);
    // Every field the earlier output had is bit-identical; fields added since are extra.
    const strip = (value: unknown, shape: unknown): unknown => {
      if (Array.isArray(shape)) return (value as unknown[]).map((item, i) => strip(item, shape[i]));
      if (shape !== null && typeof shape === "object") {
        return Object.fromEntries(
          Object.keys(shape).map((key) => [
            key,
            strip((value as Record<string, unknown>)[key], (shape as Record<string, unknown>)[key]),
          ]),
        );
      }
      return value;
    };
    expect(strip(output, recorded)).toEqual(recorded);
  });
});
