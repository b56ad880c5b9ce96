import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RUN_FILES } from "@ibtpo/bench-harness";
import { describe, expect, it } from "vitest";
import { precheckOutputFolder } from "./precheck.js";

describe("precheckOutputFolder", () => {
  it("accepts a new folder, an empty one and one holding only the run log that compare opens first", async () => {
    const root = await mkdtemp(join(tmpdir(), "precheck-"));
    expect(() => precheckOutputFolder(join(root, "new", "run"), "--out")).not.toThrow();
    expect(() => precheckOutputFolder(root, "--out")).not.toThrow();
    await writeFile(join(root, RUN_FILES.log), "");
    expect(() => precheckOutputFolder(root, "--out")).not.toThrow();
  });

  it("refuses a folder of other files and names it", async () => {
    const root = await mkdtemp(join(tmpdir(), "precheck-"));
    await writeFile(join(root, "notes.txt"), "mine");
    expect(() => precheckOutputFolder(root, "--out")).toThrow(/--out: .* holds other files and is not a run/);
  });
});
