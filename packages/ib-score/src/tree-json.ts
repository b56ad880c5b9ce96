import { IbScoreInputError } from "./errors.js";
import { type NodeId, ReasoningTree } from "./reasoning-tree.js";

/** Serialised form of one node; the root is not listed (it is implied as node 0). */
export interface TreeNodeJson {
  /** Index of the parent: 0 is the root, k >= 1 is `nodes[k - 1]`. */
  readonly parent: number;
  readonly tokens: number[];
  readonly logprobs: number[];
  readonly entropies: number[] | null;
  /** Draws at the parent that produced this step. */
  readonly multiplicity: number;
  /** Rewards of the trajectories ending at this node. */
  readonly endingRewards: number[];
  /** How many of those endings were truncated. */
  readonly truncatedEndings: number;
}

export interface TreeJson {
  readonly format: "ibtpo.reasoning-tree";
  readonly version: 1;
  readonly promptId: string;
  readonly promptTokens: number[];
  readonly nodes: TreeNodeJson[];
}

/** Serialise a tree to plain JSON data; {@link treeFromJson} restores it exactly. */
export function treeToJson(tree: ReasoningTree): TreeJson {
  const nodes: TreeNodeJson[] = [];
  for (let node = 1; node < tree.size; node++) {
    const entropies = tree.entropies(node);
    nodes.push({
      parent: tree.parent(node),
      tokens: Array.from(tree.tokens(node)),
      logprobs: Array.from(tree.logprobs(node)),
      entropies: entropies === null ? null : Array.from(entropies),
      multiplicity: tree.multiplicity(node),
      endingRewards: [...tree.endingRewards(node)],
      truncatedEndings: tree.truncatedEndingCount(node),
    });
  }
  return {
    format: "ibtpo.reasoning-tree",
    version: 1,
    promptId: tree.promptId,
    promptTokens: Array.from(tree.promptTokens),
    nodes,
  };
}

/**
 * Rebuild a tree from {@link treeToJson} output (or a parsed JSON file), validating every field.
 * Errors name the JSON path of the bad value, e.g. `nodes[3].logprobs`.
 */
export function treeFromJson(value: unknown): ReasoningTree {
  const json = expectObject(value, "tree");
  if (json.format !== "ibtpo.reasoning-tree") {
    throw new IbScoreInputError(`expected "ibtpo.reasoning-tree", got ${JSON.stringify(json.format)}`, "format");
  }
  if (json.version !== 1) throw new IbScoreInputError(`unsupported version ${JSON.stringify(json.version)}`, "version");
  if (typeof json.promptId !== "string") throw new IbScoreInputError("expected a string", "promptId");
  const tree = new ReasoningTree({
    promptId: json.promptId,
    promptTokens: expectNumbers(json.promptTokens, "promptTokens"),
  });
  if (!Array.isArray(json.nodes)) throw new IbScoreInputError("expected an array", "nodes");
  const endings: [NodeId, number[], number][] = [];
  json.nodes.forEach((raw: unknown, index: number) => {
    const path = `nodes[${index}]`;
    const node = expectObject(raw, path);
    const parent = node.parent;
    if (typeof parent !== "number" || !Number.isInteger(parent) || parent < 0 || parent > index) {
      throw new IbScoreInputError(
        `parent must be an integer in [0, ${index}], got ${JSON.stringify(parent)}`,
        `${path}.parent`,
      );
    }
    const multiplicity = node.multiplicity;
    if (typeof multiplicity !== "number" || !Number.isInteger(multiplicity) || multiplicity < 1) {
      throw new IbScoreInputError(
        `must be an integer >= 1, got ${JSON.stringify(multiplicity)}`,
        `${path}.multiplicity`,
      );
    }
    const step = {
      tokens: expectNumbers(node.tokens, `${path}.tokens`),
      logprobs: expectNumbers(node.logprobs, `${path}.logprobs`),
      entropies: node.entropies === null ? null : expectNumbers(node.entropies, `${path}.entropies`),
    };
    const sizeBefore = tree.size;
    let id: NodeId = -1;
    try {
      for (let draw = 0; draw < multiplicity; draw++) id = tree.addStep(parent, step);
    } catch (error) {
      if (IbScoreInputError.isInstance(error)) throw error.relocated(path);
      throw error;
    }
    if (tree.size === sizeBefore) {
      throw new IbScoreInputError(`repeats the step of node ${id} under the same parent; merge them`, path);
    }
    const rewards = expectNumbers(node.endingRewards, `${path}.endingRewards`);
    const truncated = node.truncatedEndings;
    if (typeof truncated !== "number" || !Number.isInteger(truncated) || truncated < 0 || truncated > rewards.length) {
      throw new IbScoreInputError(`must be an integer in [0, ${rewards.length}]`, `${path}.truncatedEndings`);
    }
    endings.push([id, rewards, truncated]);
  });
  for (const [id, rewards, truncated] of endings) {
    rewards.forEach((reward, index) => {
      try {
        tree.addTrajectory(id, reward, { truncated: index < truncated });
      } catch (error) {
        if (IbScoreInputError.isInstance(error)) throw error.relocated(`nodes[${id - 1}].endingRewards[${index}]`);
        throw error;
      }
    });
  }
  return tree;
}

function expectObject(value: unknown, path: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new IbScoreInputError("expected an object", path);
  }
  return value as Record<string, unknown>;
}

function expectNumbers(value: unknown, path: string): number[] {
  if (!Array.isArray(value)) throw new IbScoreInputError("expected an array of numbers", path);
  for (let i = 0; i < value.length; i++) {
    if (typeof value[i] !== "number")
      throw new IbScoreInputError(`expected a number, got ${JSON.stringify(value[i])}`, `${path}[${i}]`);
  }
  return value as number[];
}
