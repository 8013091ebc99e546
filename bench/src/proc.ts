// CPU time and resident memory of processes, read from /proc as the issue asks: utime+stime of
// /proc/<pid>/stat and VmRSS of /proc/<pid>/status. A measured process counts with all of its
// descendants (uvicorn workers, esbuild helpers), so nothing a target spawns escapes the accounting.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** Linux reports CPU time in clock ticks; CLK_TCK is 100 on every x86-64 and arm64 kernel we run on. */
const MS_PER_TICK = 10;

interface StatFields {
  ppid: number;
  cpuTicks: number;
}

function readStat(pid: number): StatFields | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined; // the process has exited
  }
  // The command name (field 2) may hold spaces and parentheses; the fields after its last ')' do not.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state): ppid is field 4, utime field 14, stime field 15.
  return { ppid: Number(fields[1]), cpuTicks: Number(fields[11]) + Number(fields[12]) };
}

/** The pids and every live descendant of them. */
export function processTree(roots: number[]): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    const stat = readStat(pid);
    if (!stat) continue;
    const siblings = children.get(stat.ppid);
    if (siblings) siblings.push(pid);
    else children.set(stat.ppid, [pid]);
  }
  const tree: number[] = [];
  const pending = [...roots];
  while (pending.length > 0) {
    const pid = pending.pop()!;
    if (tree.includes(pid)) continue;
    tree.push(pid);
    pending.push(...(children.get(pid) ?? []));
  }
  return tree;
}

/** The direct children of a process, with their command lines. */
export function childrenOf(parent: number): { pid: number; command: string }[] {
  const children: { pid: number; command: string }[] = [];
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (Number.isInteger(pid) && readStat(pid)?.ppid === parent) children.push({ pid, command: commandOf(pid) });
  }
  return children;
}

/** CPU milliseconds (user + system) used so far by the processes and their descendants. */
export function cpuMs(roots: number[]): number {
  let ticks = 0;
  for (const pid of processTree(roots)) ticks += readStat(pid)?.cpuTicks ?? 0;
  return ticks * MS_PER_TICK;
}

/** Resident memory in MB of one process and its descendants. */
export function rssMb(root: number): number {
  let kb = 0;
  for (const pid of processTree([root])) {
    try {
      const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (match) kb += Number(match[1]);
    } catch {
      // exited between listing and reading
    }
  }
  return kb / 1024;
}

/** Busy and total CPU ticks of the whole machine, from the first line of /proc/stat. */
export function machineTicks(): { busy: number; total: number } {
  const [, ...values] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/);
  const numbers = values.map(Number);
  const idle = numbers[3] + (numbers[4] ?? 0); // idle + iowait
  const total = numbers.slice(0, 8).reduce((sum, value) => sum + value, 0); // guest time is already in user
  return { busy: total - idle, total };
}

// A fixed piece of CPU work, timed by itself in a fresh node. A VM's host can slow everything down
// with nothing busy inside the VM and no steal time reported (it happened on 2026-11-26: the same
// work took 1.5-2x as long for hours); this figure, taken before and after each run, says how fast
// the host was, so runs are compared only when it matches.
const CALIBRATION_LOOP = 'const t=process.hrtime.bigint();let x=0;for(let i=0;i<3e8;i++)x+=i%7;process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6|0)+(x>0?"":"!"))';

/** The least of three timings of the calibration loop, in ms. */
export function calibrationMs(): number {
  const timings = [0, 1, 2].map(() => Number(spawnSync(process.execPath, ['-e', CALIBRATION_LOOP], { encoding: 'utf8' }).stdout));
  return Math.min(...timings);
}

export function loadAverage(): string {
  return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
}

/** The busiest processes on the machine now, for the record of what else was running. */
export function busiestProcesses(excludeRoots: number[], sampleMs: number): Promise<{ pid: number; command: string; cpuPct: number }[]> {
  const excluded = new Set(processTree(excludeRoots));
  const before = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (Number.isInteger(pid) && !excluded.has(pid)) before.set(pid, readStat(pid)?.cpuTicks ?? 0);
  }
  return new Promise((resolve) =>
    setTimeout(() => {
      const busy: { pid: number; command: string; cpuPct: number }[] = [];
      for (const [pid, ticks] of before) {
        const now = readStat(pid)?.cpuTicks;
        if (now === undefined) continue;
        const cpuPct = ((now - ticks) * MS_PER_TICK * 100) / sampleMs;
        if (cpuPct >= 5) busy.push({ pid, command: commandOf(pid), cpuPct: Math.round(cpuPct) });
      }
      resolve(busy.sort((a, b) => b.cpuPct - a.cpuPct).slice(0, 5));
    }, sampleMs),
  );
}

function commandOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim().slice(0, 120);
  } catch {
    return '?';
  }
}
