import { describe, expect, it } from "vitest";
import { treeViewerPage } from "./tree-viewer-page.js";

const line = (promptId: string, tokens: number[], stepEnds: number[], reward: number) =>
  JSON.stringify({ prompt_id: promptId, tokens, logprobs: tokens.map(() => -0.5), step_ends: stepEnds, reward });

/** The JSON of one data element of a page. */
const element = (html: string, id: string) =>
  JSON.parse(new RegExp(`<script type="application/json" id="${id}">([\\s\\S]*?)</script>`).exec(html)?.[1] as string);

describe("treeViewerPage", () => {
  const lines = [line("a", [1, 2, 3], [1, 3], 1), line("a", [1, 4], [1, 2], 0), line("b", [5], [1], 1)];

  it("draws the trees analyze builds from rollout lines, with each step's text from textOf", async () => {
    const html = await treeViewerPage(lines, "step.jsonl", { textOf: (token) => `w${token} ` });
    const data = element(html, "data");
    expect(data.summary.prompts).toBe(2);
    expect(data.summary.trajectories).toBe(3);
    expect(data.reports.map((report: { prompt_id: string }) => report.prompt_id)).toEqual(["a", "b"]);
    const first = element(html, "tree-0");
    expect(first.parent).toEqual([-1, 0, 1, 1]);
    expect(first.text).toEqual(["a", "w1 ", "w2 w3 ", "w4 "]);
    expect(first.value).toEqual([0.5, 0.5, 1, 0]);
  });

  it("shows token ids without textOf in the tokens format, and names the bad line", async () => {
    expect(element(await treeViewerPage(lines, "step.jsonl"), "tree-1").text).toEqual(["b", "[5]"]);
    await expect(treeViewerPage([lines[0] as string, "{"], "step.jsonl")).rejects.toThrow(/step\.jsonl:2/);
  });
});
