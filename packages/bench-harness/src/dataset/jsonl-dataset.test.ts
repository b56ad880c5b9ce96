import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ANSWER_VERIFIERS } from "./answer-verifiers.js";
import { DatasetError, loadJsonlDataset, parseJsonlDataset } from "./jsonl-dataset.js";

const GOOD = [
  '{"prompt":"2+2=","answer":"4"}',
  "",
  '{"prompt":"3*3=","answer":9,"metadata":{"level":1},"split":"test"}',
  '{"prompt":"10/4=","answer":"2.5","split":"train"}',
].join("\n");

describe("parseJsonlDataset", () => {
  it("reads prompts, answers, metadata and splits", () => {
    const dataset = parseJsonlDataset(GOOD, "arith.jsonl", { verifier: "numeric" });
    expect(dataset.problems.map((problem) => [problem.prompt, problem.answer, problem.data.source])).toEqual([
      ["2+2=", "4", "arith.jsonl:1"],
      ["3*3=", "9", "arith.jsonl:3"],
      ["10/4=", "2.5", "arith.jsonl:4"],
    ]);
    expect(dataset.split("test").map((problem) => problem.prompt)).toContain("3*3=");
    expect(dataset.split("train").map((problem) => problem.prompt)).toContain("10/4=");
    expect(dataset.problems[1]?.data.metadata).toEqual({ level: 1 });
    expect(dataset.vocabulary).toEqual([".", "*", "/", "+", "=", "0", "1", "2", "3", "4", "5", "9"].sort());
  });

  it.each([
    ["not JSON", '{"prompt":"a","answer":"b"}\n{oops}', 2, /invalid JSON/],
    ["an array", "[1,2]", 1, /expected a JSON object/],
    ["no prompt", '{"answer":"b"}', 1, /"prompt" must be a non-empty string/],
    ["a bad answer", '{"prompt":"a","answer":[1]}', 1, /"answer" must be a string or a number/],
    ["bad metadata", '{"prompt":"a","answer":"b","metadata":3}', 1, /"metadata" must be an object/],
    [
      "a bad split",
      '\n\n{"prompt":"a","answer":"b","split":"dev"}',
      3,
      /"split" must be one of train, validation, test/,
    ],
    [
      "a duplicate",
      '{"prompt":"a","answer":"b"}\n{"prompt":"c","answer":"d"}\n{"prompt":"a","answer":"e"}',
      3,
      /duplicate prompt \(first seen at data.jsonl:1\)/,
    ],
  ])("names file:line for %s", (_, text, line, message) => {
    let caught: unknown;
    try {
      parseJsonlDataset(text, "data.jsonl");
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(DatasetError);
    expect((caught as DatasetError).line).toBe(line);
    expect((caught as DatasetError).message).toMatch(new RegExp(`^data\\.jsonl:${line}: `));
    expect((caught as DatasetError).message).toMatch(message);
  });

  it("uses a verifier given as a function and checks its reward range", () => {
    const dataset = parseJsonlDataset('{"prompt":"a","answer":"b"}', "f.jsonl", {
      verifier: (response, answer) => (response.includes(answer) ? 0.5 : 2),
    });
    const [problem] = dataset.problems;
    expect(dataset.verify(problem!, "xbx").reward).toBe(0.5);
    expect(() => dataset.verify(problem!, "zzz")).toThrow(/verifier on f.jsonl:1: verifier returned reward 2/);
  });

  it("rejects an unknown verifier name", () => {
    expect(() => parseJsonlDataset(GOOD, "a.jsonl", { verifier: "fuzzy" as "numeric" })).toThrow(
      /unknown verifier "fuzzy"/,
    );
  });
});

describe("loadJsonlDataset", () => {
  it("reads a file and reports errors with its path and line", async () => {
    const dir = await mkdtemp(join(tmpdir(), "bench-harness-"));
    const path = join(dir, "set.jsonl");
    await writeFile(path, '{"prompt":"q1","answer":"a"}\n{"prompt":"q2"}\n');
    await expect(loadJsonlDataset(path)).rejects.toThrow(`${path}:2: "answer" must be a string or a number`);
  });
});

describe("answer verifiers", () => {
  it.each([
    ["exact-match", " 42 \n", "42", 1],
    ["exact-match", "41", "42", 0],
    ["numeric", "so it is 4.0", "4", 1],
    ["numeric", "1e3", "1000", 1],
    ["numeric", "3 then 5", "3", 0],
    ["last-line", "work\n  yes \n\n", "yes", 1],
    ["last-line", "yes\nno", "yes", 0],
  ] as const)("%s scores %j against %j as %d", (name, response, answer, reward) => {
    expect(ANSWER_VERIFIERS[name](response, answer)).toMatchObject({ reward });
  });

  it("flags responses with nothing to read as malformed", () => {
    expect(ANSWER_VERIFIERS.numeric("no digits", "4")).toEqual({ reward: 0, answer: null, wellFormed: false });
    expect(ANSWER_VERIFIERS["last-line"]("\n\n", "4")).toEqual({ reward: 0, answer: null, wellFormed: false });
    expect(ANSWER_VERIFIERS["exact-match"]("  ", "4")).toEqual({ reward: 0, answer: null, wellFormed: false });
  });
});
