/**
 * Whether process `pid` is still running (this process counts as running). A process of another
 * user answers EPERM: it exists, so it counts as running too.
 */
export function isProcessRunning(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
