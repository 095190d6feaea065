// CPU time a process has used (user + system), to charge each slice's work to the process
// that served it. Independent of how fast the load generator is, unlike throughput.
import { readFile } from "node:fs/promises";

/** Linux's USER_HZ: /proc reports CPU time in these ticks. */
const ticksPerSecond = 100;

/** Milliseconds of CPU `pid` has used so far (Linux /proc; 10 ms resolution). */
export async function cpuTimeMs(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8");
  // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks * 1000) / ticksPerSecond;
}
