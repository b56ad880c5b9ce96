/**
 * Dropping finished rows from a decode batch: `KeyValueCache.keepRows` (whole rows copied from the
 * wasm heap) against the backend's gather kernel on the same cache, measured in one process. The
 * cache is the reference model's after a 56-column decode: 4 layers of keys and values
 * `[32, 4, 32, 56]`; half the rows are kept.
 *
 *   node --import tsx bench/keep-rows.ts
 */
import os from "node:os";
import * as tf from "@tensorflow/tfjs";
import { KeyValueCache, selectBackend } from "../src/index.js";
import { cpuModel } from "./flop-floor.js";

const [batch, heads, headDimension, layers, time] = [32, 4, 32, 4, 48];
const repeats = 40;
await selectBackend({ backend: "wasm", log: () => {} });
const rows = () =>
  Array.from({ length: layers }, () => tf.randomNormal([batch * time, heads * headDimension]) as tf.Tensor2D);
const [keys, values] = [rows(), rows()];
const kept = Array.from({ length: batch / 2 }, (_, index) => index * 2);
const cpuMilliseconds = () => {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
};

function timeEach(run: () => void): number {
  run();
  const start = cpuMilliseconds();
  for (let repeat = 0; repeat < repeats; repeat++) run();
  return (cpuMilliseconds() - start) / repeats;
}

const copied = timeEach(() => {
  KeyValueCache.fromRows(keys, values, { batch, time, heads }).keepRows(kept).dispose();
});
const prefillOnly = timeEach(() => {
  KeyValueCache.fromRows(keys, values, { batch, time, heads }).dispose();
});
const gathered = timeEach(() => {
  const cache = KeyValueCache.fromRows(keys, values, { batch, time, heads });
  const indices = tf.tensor1d(kept, "int32");
  const picked = Array.from({ length: layers }, (_, layer) => [
    tf.gather(cache.keys(layer), indices, 0),
    tf.gather(cache.values(layer), indices, 0),
  ]).flat();
  tf.dispose([indices, ...picked]);
  cache.dispose();
});
console.log(
  `${cpuModel()} x${os.cpus().length}, load average ${os
    .loadavg()
    .map((load) => load.toFixed(2))
    .join(" ")}, node ${process.version}, tfjs wasm`,
);
console.log(
  `keep ${kept.length} of ${batch} rows, ${layers} layers of keys and values [${batch}, ${heads}, ${headDimension}, ${time + 8}], CPU ms per call (cache build subtracted):`,
);
console.log(`  keepRows (heap row copies): ${(copied - prefillOnly).toFixed(2)} ms`);
console.log(`  tf.gather kernel:           ${(gathered - prefillOnly).toFixed(2)} ms`);
console.log(`  ratio: ${((gathered - prefillOnly) / (copied - prefillOnly)).toFixed(1)}x`);
