/**
 * A dense layer's weight and bias gradients on the training step's shapes (2016 rows; 128 -> 128,
 * 128 -> 512 and 512 -> 128), in the two forms measured for `linear`'s gradient, interleaved in
 * one process: `[xᵀ; ones] @ dy` (the bias gradient as one more row; XNNPACK packs the fresh `dy`)
 * against `(dyᵀ @ x)ᵀ` and `dyᵀ @ ones` (the layer input `x` packed; what `linear` does). Each
 * call gets a fresh `dy`, as a step does. Prints the median CPU time of each form per shape.
 *
 *   node --import tsx bench/weight-gradient.ts [rounds (15)]
 */
import os from "node:os";
import * as tf from "@tensorflow/tfjs";
import { integerOption, parseScriptArguments } from "../../../scripts/command-line.mjs";
import { selectBackend } from "../src/index.js";
import { cpuModel } from "./flop-floor.js";

const rows = 2016;
const { positionals } = parseScriptArguments(import.meta.url, { allowPositionals: true, options: {} });
const rounds = integerOption(import.meta.url, "rounds", positionals[0] ?? "15");
const repeats = 4;
await selectBackend({ backend: "wasm", log: () => {} });
console.log(
  `machine: ${cpuModel()}, ${os.cpus().length} cores, Node ${process.version}; load average ${os.loadavg()[0]!.toFixed(2)}`,
);

function cpuMilliseconds(run: () => void): number {
  const start = process.cpuUsage();
  for (let repeat = 0; repeat < repeats; repeat++) tf.tidy(run);
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000 / repeats;
}

for (const [inputs, outputs] of [
  [128, 128],
  [128, 512],
  [512, 128],
] as const) {
  const x = tf.randomNormal([rows, inputs]) as tf.Tensor2D;
  const gradient = tf.randomNormal([rows, outputs]) as tf.Tensor2D;
  const fresh = () => tf.add(gradient, 0) as tf.Tensor2D;
  const extraRow = () => {
    tf.matMul(
      tf.pad(
        tf.transpose(x),
        [
          [0, 1],
          [0, 0],
        ],
        1,
      ),
      fresh(),
    ).dataSync();
  };
  const inputPacked = () => {
    const dyTransposed = tf.transpose(fresh());
    tf.transpose(tf.matMul(dyTransposed, x)).dataSync();
    tf.matMul(dyTransposed, tf.ones([rows, 1])).dataSync();
  };
  const freshOnly = () => {
    fresh().dataSync();
  };
  const times: number[][] = [[], [], []];
  for (const run of [extraRow, inputPacked, freshOnly]) tf.tidy(run);
  for (let round = 0; round < rounds; round++) {
    [extraRow, inputPacked, freshOnly].forEach((run, index) => {
      times[index]!.push(cpuMilliseconds(run));
    });
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[(values.length - 1) >> 1]!;
  const [a, b, c] = times.map(median) as [number, number, number];
  console.log(
    `[${rows}, ${inputs}] -> [${rows}, ${outputs}]: [xᵀ; ones] @ dy ${a.toFixed(2)} ms, (dyᵀ @ x)ᵀ + dyᵀ @ ones ${b.toFixed(2)} ms (ratio ${(b / a).toFixed(2)}); making the fresh dy ${c.toFixed(2)} ms of each`,
  );
  tf.dispose([x, gradient]);
}
