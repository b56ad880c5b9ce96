// Times policyLoss forward + backward on cpu and wasm. Prints figures; asserts nothing.
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import { policyLoss, readLossDiagnostics } from "../dist/tfjs.js";
import { seededRandom } from "./seeded-trees.mjs";

const [rows, columns] = [64, 256];
const random = seededRandom(7);
const values = (make) => Float32Array.from({ length: rows * columns }, make);
const data = {
  oldLogp: values(() => -random() * 3),
  gap: values(() => (random() - 0.5) * 0.4),
  advantages: values(() => random() * 2 - 1),
  mask: values(() => (random() < 0.9 ? 1 : 0)),
  entropy: values(() => random() * 2),
  refGap: values(() => (random() - 0.5) * 0.2),
};
const options = {
  clipLow: 0.2,
  clipHigh: 0.28,
  dualClip: 3,
  lossAggregation: "token-mean",
  klCoefficient: 0.01,
  entropyCoefficient: 0.001,
};

for (const backend of ["cpu", "wasm"]) {
  await tf.setBackend(backend);
  await tf.ready();
  const tensor = (array) => tf.tensor2d(array, [rows, columns]);
  const oldLogp = tensor(data.oldLogp);
  const logp = tf.add(oldLogp, tensor(data.gap));
  const inputs = {
    oldLogp,
    advantages: tensor(data.advantages),
    mask: tensor(data.mask),
    entropy: tensor(data.entropy),
  };
  const refLogp = tf.add(logp, tensor(data.refGap));
  const step = async () => {
    let diagnostics;
    const { value, grads } = tf.valueAndGrads((x, h) => {
      const result = policyLoss({ ...inputs, logp: x, entropy: h, refLogp }, options);
      diagnostics = result.diagnostics;
      return result.loss;
    })([logp, inputs.entropy]);
    await value.data();
    value.dispose();
    tf.dispose(grads);
    return readLossDiagnostics(diagnostics);
  };
  await step();
  const before = tf.memory().numTensors;
  const repeats = 20;
  const start = process.hrtime.bigint();
  for (let repeat = 0; repeat < repeats; repeat++) await step();
  const milliseconds = Number(process.hrtime.bigint() - start) / 1e6 / repeats;
  console.log(
    `${backend}: policyLoss forward + backward on [${rows}, ${columns}]: ${milliseconds.toFixed(2)} ms/step; tensors leaked over ${repeats} steps: ${tf.memory().numTensors - before}`,
  );
}
