/**
 * CPU accounting from Linux /proc, to tell how much of the machine other processes used while
 * the bench ran. Everything is NaN where /proc is unavailable.
 */
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import os from "node:os";

const CLOCK_TICKS =
  Number(spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).stdout?.trim()) || 100;

/** The fields of /proc/<pid>/stat after the command name (field 3 onwards). */
function statFields(pid: number | "self"): string[] {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
}

/** CPU seconds (user + system) a process has used so far; NaN without /proc. */
export function processCpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  try {
    const fields = statFields(pid);
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return Number.NaN;
  }
}

/**
 * CPU nanoseconds a process has used so far, all its threads summed, from
 * /proc/<pid>/task/<tid>/schedstat (the scheduler's on-CPU time, in ns, where /proc/<pid>/stat
 * counts 10 ms ticks): fine enough for the CPU of one request. Threads that have already exited
 * are not counted, so take both readings of a difference while the process runs. NaN without
 * /proc or schedstat.
 */
export function processCpuNs(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  try {
    let total = 0;
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        total += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "utf8").split(" ")[0]);
      } catch {
        // the thread exited between the listing and the read
      }
    }
    return total;
  } catch {
    return Number.NaN;
  }
}

export interface CpuSnapshot {
  at: number;
  /**
   * user + nice + system + irq + softirq seconds over all cores. Interrupt time counts because,
   * without CONFIG_IRQ_TIME_ACCOUNTING, a tick that lands in a softirq (loopback traffic) is
   * charged to the interrupted process's system time as well.
   */
  machineBusy: number;
  /** Time the hypervisor ran something else while a vCPU wanted to run, seconds. */
  steal: number;
  /** This process and its finished children (wrk, the build), user + system seconds. */
  bench: number;
  server: number;
}

export function cpuSnapshot(serverPid: number | undefined): CpuSnapshot {
  let machineBusy = Number.NaN;
  let steal = Number.NaN;
  let bench = Number.NaN;
  try {
    // cpu  user nice system idle iowait irq softirq steal guest guest_nice
    const ticks = (readFileSync("/proc/stat", "utf8").split("\n")[0] ?? "")
      .trim()
      .split(/\s+/)
      .slice(1)
      .map(Number);
    const at = (i: number) => ticks[i] ?? Number.NaN;
    machineBusy = (at(0) + at(1) + at(2) + at(5) + at(6)) / CLOCK_TICKS;
    steal = at(7) / CLOCK_TICKS;
    const self = statFields("self");
    bench = [11, 12, 13, 14].reduce((sum, i) => sum + Number(self[i]), 0) / CLOCK_TICKS;
  } catch {
    // NaN: no /proc
  }
  return {
    at: performance.now(),
    machineBusy,
    steal,
    bench,
    server: processCpuSeconds(serverPid),
  };
}

const percentOfMachine = (seconds: number, start: CpuSnapshot, end: CpuSnapshot) =>
  (100 * seconds) / (((end.at - start.at) / 1000) * os.cpus().length);

/**
 * Share of the machine's CPU (all cores, percent) that processes other than the bench, its
 * children and workerd used between two snapshots (0 when the accounting comes out below zero).
 */
export function otherCpuPercent(start: CpuSnapshot, end: CpuSnapshot): number {
  const ours = end.bench - start.bench + (end.server - start.server);
  return percentOfMachine(Math.max(0, end.machineBusy - start.machineBusy - ours), start, end);
}

/** Share of the machine's CPU (percent) the hypervisor gave to other guests between snapshots. */
export function stealCpuPercent(start: CpuSnapshot, end: CpuSnapshot): number {
  return percentOfMachine(end.steal - start.steal, start, end);
}
