import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";

/** A `llama-server` child process on a loopback port. */
export interface LlamaServer {
  readonly url: string;
  /** Everything it printed (for failure messages). */
  log(): string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const { port } = server.address() as { port: number };
  await new Promise<void>((done) => server.close(() => done()));
  return port;
}

/**
 * Start `binary` serving `gguf` on 127.0.0.1 with one slot of `contextLength` tokens and one
 * thread (on two cores, more threads than one per client slow it down), and wait for `/health`.
 */
export async function startLlamaServer(binary: string, gguf: string, contextLength: number): Promise<LlamaServer> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let output = "";
  const child: ChildProcess = spawn(
    binary,
    ["-m", gguf, "--host", "127.0.0.1", "--port", String(port), "-c", String(contextLength), "-np", "1", "-t", "1"],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  const exited = new Promise<void>((done) => child.once("exit", () => done()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      await exited;
    }
  };
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`llama-server exited ${child.exitCode}:\n${output.slice(-3000)}`);
    const healthy = await fetch(`${url}/health`).then(
      (response) => response.ok,
      () => false,
    );
    if (healthy) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`llama-server did not become healthy within 60 s:\n${output.slice(-3000)}`);
    }
    await new Promise((done) => setTimeout(done, 250));
  }
  return { url, log: () => output, stop };
}
