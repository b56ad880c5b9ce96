import { describe, expect, it } from "vitest";
import { buildPrefixTree } from "./prefix-tree.js";
import { scoreTree } from "./score-tree.js";
import { treeFromJson, treeToJson } from "./tree-json.js";

const tree = buildPrefixTree("q7", [
  { tokens: [1, 2, 3], logprobs: [-0.25, -0.5, -1], entropies: [1, 2, 0.5], stepEnds: [2, 3], reward: 1 },
  {
    tokens: [1, 2, 4],
    logprobs: [-0.25, -0.5, -2],
    entropies: [1, 2, 0.75],
    stepEnds: [2, 3],
    reward: 0,
    truncated: true,
  },
  { tokens: [1, 2, 4], logprobs: [-0.25, -0.5, -2], entropies: [1, 2, 0.75], stepEnds: [2, 3], reward: 0 },
  { tokens: [9], logprobs: [-3], stepEnds: [1], reward: 0.5 },
]);

describe("tree JSON", () => {
  it("round-trips exactly, through JSON text", () => {
    const json = treeToJson(tree);
    const restored = treeFromJson(JSON.parse(JSON.stringify(json)));
    expect(treeToJson(restored)).toEqual(json);
    expect(restored.truncatedTrajectories).toBe(1);
    expect(scoreTree(restored)).toEqual(scoreTree(tree));
  });

  it("rejects bad documents with the JSON path of the problem", () => {
    const json = treeToJson(tree);
    const withNode = (index: number, change: object) => ({
      ...json,
      nodes: json.nodes.map((node, i) => (i === index ? { ...node, ...change } : node)),
    });
    expect(() => treeFromJson({ ...json, format: "x" })).toThrow(/^format: expected "ibtpo.reasoning-tree"/);
    expect(() => treeFromJson({ ...json, version: 2 })).toThrow(/^version: unsupported version 2/);
    expect(() => treeFromJson(withNode(1, { parent: 5 }))).toThrow(
      /^nodes\[1\]\.parent: parent must be an integer in \[0, 1\]/,
    );
    expect(() => treeFromJson(withNode(1, { logprobs: [0.5] }))).toThrow(/^nodes\[1\]: logprob 0 is 0.5/);
    expect(() => treeFromJson(withNode(1, { tokens: [1, "x"] }))).toThrow(
      /^nodes\[1\]\.tokens\[1\]: expected a number/,
    );
    expect(() => treeFromJson(withNode(2, { multiplicity: 0 }))).toThrow(/^nodes\[2\]\.multiplicity/);
    expect(() => treeFromJson(withNode(2, { endingRewards: [3] }))).toThrow(
      /^nodes\[2\]\.endingRewards\[0\]: reward must be/,
    );
    expect(() => treeFromJson(withNode(2, { truncatedEndings: 5 }))).toThrow(/^nodes\[2\]\.truncatedEndings/);
    const duplicated = { ...json, nodes: [...json.nodes, json.nodes[0]] };
    expect(() => treeFromJson(duplicated)).toThrow(/repeats the step of node 1 under the same parent/);
  });
});
