import { execFileSync, spawn } from "node:child_process";
import { once } from "node:events";
import { describe, expect, it } from "vitest";
import {
  allowedCpuList,
  choosePinning,
  describePinning,
  detectPinning,
  parseCpuList,
  serverCommand,
} from "../pinning.ts";

describe("pinning the servers and the load to separate cores", () => {
  it("pins with two allowed CPUs and taskset, and says why not otherwise", () => {
    expect(choosePinning([0, 1], true)).toEqual({ pinned: true, serverCpu: 1, loadCpu: 0 });
    expect(choosePinning([2, 3, 4, 5], true)).toEqual({ pinned: true, serverCpu: 3, loadCpu: 2 });
    expect(choosePinning([0], true)).toEqual({ pinned: false, reason: "one core only" });
    expect(choosePinning([0, 1], false)).toMatchObject({ pinned: false });
    expect(describePinning(choosePinning([1], true))).toBe("not pinned (one core only)");
    expect(describePinning(choosePinning([0, 1], true))).toMatch(
      /^servers pinned to CPU 1; .* CPU 0$/,
    );
  });

  it("reads Linux's CPU lists", () => {
    expect(parseCpuList("0-1")).toEqual([0, 1]);
    expect(parseCpuList("0-3,8\n")).toEqual([0, 1, 2, 3, 8]);
    expect(parseCpuList("5")).toEqual([5]);
    expect(parseCpuList("")).toEqual([]);
  });

  it("leaves the command alone when not pinned", () => {
    expect(serverCommand({ pinned: false, reason: "x" }, "/usr/bin/node", ["a.js"])).toEqual({
      command: "/usr/bin/node",
      args: ["a.js"],
    });
  });

  it.runIf(detectPinning().pinned)(
    "starts a server whose pid is its own and which runs on the server core only",
    async () => {
      const pinning = detectPinning();
      const { command, args } = serverCommand(pinning, process.execPath, [
        "-e",
        "process.stdout.write(String(process.pid)); setTimeout(() => {}, 5000)",
      ]);
      const child = spawn(command, args, { stdio: ["ignore", "pipe", "inherit"] });
      try {
        const [chunk] = (await once(child.stdout!, "data")) as [Buffer];
        // taskset execs node: the pid the benchmark reads CPU time from is the server's.
        expect(Number(chunk.toString())).toBe(child.pid);
        const serverCpu = pinning.pinned ? String(pinning.serverCpu) : "";
        expect(allowedCpuList(child.pid!)).toBe(serverCpu);
        const threads = execFileSync("ls", [`/proc/${child.pid}/task`], { encoding: "utf8" })
          .trim()
          .split("\n");
        for (const tid of threads) expect(allowedCpuList(Number(tid))).toBe(serverCpu);
      } finally {
        child.kill("SIGKILL");
        await once(child, "exit");
      }
    },
  );
});
