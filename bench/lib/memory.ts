import { readdir, readFile } from 'node:fs/promises';
import { descendants } from './processes.ts';

export interface MemoryPeak {
  /** Resident set of the service's node process, MB. */
  nodeRssMb: number | null;
  /** Proportional set size summed over the embedded PostgreSQL processes (shared buffers counted once), MB. */
  postgresPssMb: number | null;
  samples: number;
}

/** CPU used during a phase, in cores (1.0 = one core busy for the whole phase). */
export interface CpuUse {
  /** The service's node process (main thread and its helper threads). */
  node: number | null;
  /** Every embedded PostgreSQL process. */
  postgres: number | null;
  /** This harness: autocannon, the load generator. */
  harness: number;
  /** Processes that are not the benchmark's (other work on the machine makes the figures noisy). */
  foreign: number | null;
  /**
   * Busy cores by the kernel's count (/proc/stat). On a VM this is more than the processes' own times add up
   * to: network processing on loopback and virtualisation overhead are not charged to any process.
   */
  machineBusy: number | null;
  /** The machine's cores. */
  cores: number | null;
}

/** Linux reports process CPU times in clock ticks of 1/100 s on every architecture Node runs on. */
const TICKS_PER_SECOND = 100;

async function statusField(pid: number, field: string): Promise<number | null> {
  try {
    const text = await readFile(`/proc/${pid}/status`, 'utf8');
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text);
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}

/** PSS rather than RSS: every backend maps shared_buffers, so summing RSS would count it once per backend. */
async function pssKb(pid: number): Promise<number | null> {
  try {
    const text = await readFile(`/proc/${pid}/smaps_rollup`, 'utf8');
    const match = /^Pss:\s+(\d+) kB/m.exec(text);
    return match ? Number(match[1]) : null;
  } catch {
    return statusField(pid, 'VmRSS');
  }
}

async function isPostgres(pid: number): Promise<boolean> {
  try {
    return (await readFile(`/proc/${pid}/comm`, 'utf8')).startsWith('postgres');
  } catch {
    return false;
  }
}

/** utime + stime of a process, in seconds; null once it has gone. */
async function cpuSeconds(pid: number): Promise<number | null> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // After "pid (comm)": state is field 0 here, utime field 11, stime field 12.
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return null;
  }
}

/** Busy and total jiffies of the whole machine, and its core count. */
async function machineTicks(): Promise<{ busy: number; total: number; cores: number } | null> {
  try {
    const text = await readFile('/proc/stat', 'utf8');
    const lines = text.split('\n');
    const values = (lines[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
    const total = values.slice(0, 8).reduce((a, b) => a + b, 0);
    const idle = (values[3] ?? 0) + (values[4] ?? 0);
    const cores = lines.filter((l) => /^cpu\d+ /.test(l)).length;
    return { busy: total - idle, total, cores };
  } catch {
    return null;
  }
}

interface CpuMark {
  at: number;
  node: number | null;
  postgres: Map<number, number>;
  harness: NodeJS.CpuUsage;
  machine: { busy: number; total: number; cores: number } | null;
  /** CPU seconds of every process that is not the harness or one of its descendants. */
  foreign: Map<number, number> | null;
}

async function foreignCpu(ours: Set<number>): Promise<Map<number, number> | null> {
  let entries: string[];
  try {
    entries = await readdir('/proc');
  } catch {
    return null;
  }
  const result = new Map<number, number>();
  await Promise.all(
    entries
      .filter((e) => /^\d+$/.test(e) && !ours.has(Number(e)))
      .map(async (e) => {
        const s = await cpuSeconds(Number(e));
        if (s !== null) result.set(Number(e), s);
      }),
  );
  return result;
}

const mb = (kb: number): number => Math.round((kb / 1024) * 10) / 10;
const round2 = (v: number): number => Math.round(v * 100) / 100;

/**
 * Samples /proc while a phase runs: peak memory, and CPU used by the service, PostgreSQL, the harness and the
 * rest of the machine. Linux only: elsewhere the figures stay null. The postgres processes are found as
 * descendants of the service (it spawns the postmaster).
 */
export class ResourceSampler {
  private timer: NodeJS.Timeout | null = null;
  private nodeKb: number | null = null;
  private postgresKb: number | null = null;
  private samples = 0;
  private inFlight: Promise<void> | null = null;
  private startMark: CpuMark | null = null;
  /** CPU seconds of postgres processes seen while sampling, so backends that exit mid-phase still count. */
  private postgresLast = new Map<number, number>();

  constructor(
    private readonly pid: number,
    private readonly intervalMs = 250,
  ) {}

  async start(): Promise<void> {
    this.nodeKb = null;
    this.postgresKb = null;
    this.samples = 0;
    this.postgresLast = new Map();
    this.startMark = await this.mark();
    this.timer = setInterval(() => void this.sample(), this.intervalMs);
    void this.sample();
  }

  async stop(): Promise<{ memory: MemoryPeak; cpu: CpuUse }> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.inFlight;
    await this.sample();
    const end = await this.mark();
    return {
      memory: {
        nodeRssMb: this.nodeKb === null ? null : mb(this.nodeKb),
        postgresPssMb: this.postgresKb === null ? null : mb(this.postgresKb),
        samples: this.samples,
      },
      cpu: this.startMark
        ? this.cpuBetween(this.startMark, end)
        : { node: null, postgres: null, harness: 0, foreign: null, machineBusy: null, cores: null },
    };
  }

  private cpuBetween(a: CpuMark, b: CpuMark): CpuUse {
    const seconds = (b.at - a.at) / 1000;
    const node = a.node !== null && b.node !== null ? (b.node - a.node) / seconds : null;
    let postgresSeconds = 0;
    for (const [pid, last] of this.postgresLast) postgresSeconds += last - (a.postgres.get(pid) ?? 0);
    const postgres = this.postgresLast.size > 0 ? postgresSeconds / seconds : null;
    const harness = (b.harness.user - a.harness.user + b.harness.system - a.harness.system) / 1e6 / seconds;
    let machineBusy: number | null = null;
    if (a.machine && b.machine && b.machine.total > a.machine.total) {
      machineBusy =
        ((b.machine.busy - a.machine.busy) / (b.machine.total - a.machine.total)) * b.machine.cores;
    }
    let foreign: number | null = null;
    if (a.foreign && b.foreign) {
      let total = 0;
      for (const [pid, end] of b.foreign) total += Math.max(0, end - (a.foreign.get(pid) ?? 0));
      foreign = total / seconds;
    }
    const r = (v: number | null): number | null => (v === null ? null : round2(v));
    return {
      node: r(node),
      postgres: r(postgres),
      harness: round2(harness),
      foreign: r(foreign),
      machineBusy: r(machineBusy),
      cores: b.machine?.cores ?? null,
    };
  }

  private async mark(): Promise<CpuMark> {
    const ours = new Set([process.pid, ...(await descendants(process.pid))]);
    const foreign = await foreignCpu(ours);
    const pids = await descendants(this.pid);
    const postgres = new Map<number, number>();
    await Promise.all(
      pids.map(async (p) => {
        if (!(await isPostgres(p))) return;
        const s = await cpuSeconds(p);
        if (s !== null) {
          postgres.set(p, s);
          this.postgresLast.set(p, s);
        }
      }),
    );
    return {
      at: performance.now(),
      node: await cpuSeconds(this.pid),
      postgres,
      harness: process.cpuUsage(),
      machine: await machineTicks(),
      foreign,
    };
  }

  private sample(): Promise<void> {
    this.inFlight ??= this.read().finally(() => {
      this.inFlight = null;
    });
    return this.inFlight;
  }

  private async read(): Promise<void> {
    const node = await statusField(this.pid, 'VmRSS');
    if (node !== null) this.nodeKb = Math.max(this.nodeKb ?? 0, node);
    const pids = await descendants(this.pid);
    let totalKb = 0;
    let seen = 0;
    await Promise.all(
      pids.map(async (p) => {
        if (!(await isPostgres(p))) return;
        const [kb, cpu] = await Promise.all([pssKb(p), cpuSeconds(p)]);
        if (kb !== null) {
          totalKb += kb;
          seen += 1;
        }
        if (cpu !== null) this.postgresLast.set(p, cpu);
      }),
    );
    if (seen > 0) this.postgresKb = Math.max(this.postgresKb ?? 0, totalKb);
    this.samples += 1;
  }
}
