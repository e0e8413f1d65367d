/**
 * Child processes of the bench (the build, wrk, workerd), tracked so that every exit path stops
 * them.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));

const children = new Set<ChildProcess>();

export function stopChildren(): void {
  for (const child of children) child.kill("SIGTERM");
  children.clear();
}

/** Tracks a long-running child (workerd) until it exits, so that stopChildren stops it too. */
export function track(child: ChildProcess): void {
  children.add(child);
  child.once("exit", () => children.delete(child));
}

/** Runs a command to completion, collecting its output (async, so signals are handled). */
export function run(
  cmd: string,
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
    children.add(child);
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => {
      stdout += d;
    });
    child.stderr.on("data", (d: Buffer) => {
      stderr += d;
    });
    child.on("error", (error) => resolve({ code: 127, stdout, stderr: stderr + error.message }));
    child.on("close", (code) => {
      children.delete(child);
      resolve({ code: code ?? 1, stdout, stderr });
    });
  });
}

export function commandExists(cmd: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${cmd}`], { stdio: "ignore" }).status === 0;
}
