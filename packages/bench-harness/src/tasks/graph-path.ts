import { Mulberry32 } from "@ibtpo/random";
import type { Random } from "../random.js";
import {
  type ParsedResponse,
  type Problem,
  responseLines,
  STEP_DELIMITER,
  type Task,
  type Verification,
} from "../task.js";
import { checkedOption, problemOf } from "./building-blocks.js";

export interface GraphPathData {
  /** Directed edges as two-letter strings "ab" (a -> b), sorted. */
  readonly edges: readonly string[];
  readonly start: string;
  readonly goal: string;
}

export interface GraphPathOptions {
  /** Number of nodes (4-16). Default 10. */
  readonly nodes?: number;
  /** Out-edges per node, where room allows (1-4). Default 2. */
  readonly outDegree?: number;
  /** Shortest start-to-goal distance in moves (2-8). Default 4. */
  readonly minDistance?: number;
}

const LABELS = "abcdefghijklmnop";

function successors(edges: readonly string[], node: string): string[] {
  return edges.filter((edge) => edge[0] === node).map((edge) => edge[1] as string);
}

/** Breadth-first shortest path from start to goal as the list of visited nodes after start. */
function shortestPath(edges: readonly string[], start: string, goal: string): string[] | null {
  const previous = new Map<string, string>([[start, start]]);
  const queue = [start];
  for (let head = 0; head < queue.length; head++) {
    const node = queue[head] as string;
    if (node === goal) {
      const path: string[] = [];
      for (let at = goal; at !== start; at = previous.get(at) as string) path.unshift(at);
      return path;
    }
    for (const next of successors(edges, node)) {
      if (!previous.has(next)) {
        previous.set(next, node);
        queue.push(next);
      }
    }
  }
  return null;
}

/**
 * Graph path: a small random directed acyclic graph is listed in the prompt ("ab ac bd:a>d\n":
 * edges, then start > goal); the response moves along edges, one node per line. The answer is
 * the node where the walk ends; it solves the problem when every move follows an edge and the
 * walk ends at the goal.
 *
 * @example
 * const task = createGraphPathTask({ nodes: 6 });
 * task.verify(problem, "b\nd"); // reward 1 for "ab bd:a>d\n"
 */
export function createGraphPathTask(options: GraphPathOptions = {}): Task<GraphPathData> {
  const nodeCount = checkedOption("graph-path", "nodes", options.nodes, 10, 4, 16);
  const outDegree = checkedOption("graph-path", "outDegree", options.outDegree, 2, 1, 4);
  const minDistance = checkedOption("graph-path", "minDistance", options.minDistance, 4, 2, Math.min(8, nodeCount - 1));
  const labels = LABELS.slice(0, nodeCount).split("");
  const renderPrompt = (data: GraphPathData): string =>
    `${data.edges.join(" ")}:${data.start}>${data.goal}${STEP_DELIMITER}`;
  const parse = (response: string): ParsedResponse => {
    const steps = responseLines(response);
    const wellFormed = steps.length > 0 && steps.every((step) => step.length === 1 && labels.includes(step));
    return { steps, answer: steps.length > 0 && wellFormed ? (steps[steps.length - 1] as string) : null, wellFormed };
  };
  const task: Task<GraphPathData> = {
    name: "graph-path",
    stepDelimiter: STEP_DELIMITER,
    vocabulary: [...labels, " ", ":", ">", STEP_DELIMITER],
    maxResponseSymbols: 2 * (nodeCount - 1),
    options: { nodes: nodeCount, outDegree, minDistance },
    renderPrompt,
    generate(seed) {
      const random = new Mulberry32(seed);
      for (;;) {
        // Random topological order; edges only go forward, so every walk ends.
        const order = random.shuffled(labels);
        const edges: string[] = [];
        for (let i = 0; i < nodeCount - 1; i++) {
          const ahead = order.slice(i + 1);
          const degree = Math.min(ahead.length, outDegree);
          for (const next of random.shuffled(ahead).slice(0, degree)) edges.push(`${order[i]}${next}`);
        }
        edges.sort();
        const start = order[0] as string;
        const far = order.filter((node) => (shortestPath(edges, start, node)?.length ?? 0) >= minDistance);
        if (far.length === 0) continue;
        const data: GraphPathData = { edges, start, goal: random.pick(far) };
        return problemOf("graph-path", renderPrompt(data), data.goal, data);
      }
    },
    parse,
    verify(problem: Problem<GraphPathData>, response: string): Verification {
      const parsed = parse(response);
      if (!parsed.wellFormed) return { reward: 0, answer: parsed.answer, wellFormed: false };
      let at = problem.data.start;
      for (const step of parsed.steps) {
        if (!problem.data.edges.includes(`${at}${step}`)) return { reward: 0, answer: parsed.answer, wellFormed: true };
        at = step;
      }
      return { reward: at === problem.data.goal ? 1 : 0, answer: parsed.answer, wellFormed: true };
    },
    randomTrajectory(problem, random: Random) {
      const steps: string[] = [];
      let at = problem.data.start;
      // A random walk that stops at the goal or at a dead end.
      while (at !== problem.data.goal) {
        const next = successors(problem.data.edges, at);
        if (next.length === 0) break;
        at = random.pick(next);
        steps.push(at);
      }
      return steps.join(STEP_DELIMITER);
    },
    solve(problem) {
      const path = shortestPath(problem.data.edges, problem.data.start, problem.data.goal);
      return path === null ? null : path.join(STEP_DELIMITER);
    },
  };
  return task;
}
