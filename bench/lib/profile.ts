import { readFile } from 'node:fs/promises';
import { SourceMap } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber?: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileEntry {
  name: string;
  /** Where the function lives: src/…, a package name, node:internal, or (native) for V8 builtins. */
  where: string;
  ms: number;
  /** Share of the busy (non-idle) time. */
  pct: number;
}

export interface ProfileSummary {
  file: string;
  /** The part of the profile summarised, when not all of it (startup and shutdown left out). */
  window: ProfileWindow | null;
  sampledMs: number;
  idleMs: number;
  busyMs: number;
  /** Self time by function. */
  topFunctions: ProfileEntry[];
  /** Self time by package or source file: which layer the CPU is spent in. */
  byArea: ProfileEntry[];
  /** Inclusive (self + callees on the same synchronous stack) time of the service's own functions. */
  topOwnInclusive: ProfileEntry[];
  /**
   * Time with the area anywhere on the synchronous stack: e.g. how much of the busy time is spent under
   * @prisma/client, including the node internals and syscalls it causes. Areas overlap, so this adds up to
   * more than 100%.
   */
  inclusiveByArea: ProfileEntry[];
}

const IDLE = new Set(['(idle)']);

/** src/services/audit.ts, fastify, @prisma/client, node:internal, (native), … */
export function areaOf(url: string, repoRoot: string): string {
  if (url === '') return '(native)';
  if (url.startsWith('node:')) return 'node:internal';
  const path = url.replace(/^file:\/\//, '');
  const nm = path.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const rest = path.slice(nm + '/node_modules/'.length).split('/');
    return rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1] ?? ''}` : (rest[0] ?? path);
  }
  return path.startsWith(`${repoRoot}/`) ? path.slice(repoRoot.length + 1) : path;
}

interface Locator {
  /** The original file and line of a frame in a package that ships a source map, once prepare() has read it. */
  (frame: CallFrame): string | null;
  prepare(frames: Iterable<CallFrame>): Promise<void>;
}

const frameKey = (f: CallFrame): string => `${f.url}:${f.lineNumber}:${f.columnNumber ?? 0}`;

/**
 * Bundled packages (Prisma's runtime is one minified file) are unreadable by line; their own source maps, when
 * shipped next to them, give the original file and line. Each map is read once.
 */
function sourceMapLocator(): Locator {
  const maps = new Map<string, Promise<SourceMap | null>>();
  const resolved = new Map<string, string | null>();
  const load = async (url: string): Promise<SourceMap | null> => {
    try {
      const file = fileURLToPath(url);
      const text = await readFile(file, 'utf8');
      const match = /\/\/# sourceMappingURL=(\S+)\s*$/.exec(text.slice(-500));
      if (!match?.[1] || match[1].startsWith('data:')) return null;
      const payload = JSON.parse(
        await readFile(join(dirname(file), match[1]), 'utf8'),
      ) as ConstructorParameters<typeof SourceMap>[0];
      return new SourceMap(payload);
    } catch {
      return null;
    }
  };
  const locate = ((frame: CallFrame) => resolved.get(frameKey(frame)) ?? null) as Locator;
  locate.prepare = async (frames) => {
    for (const frame of frames) {
      if (!frame.url.startsWith('file://') || !frame.url.includes('/node_modules/')) continue;
      const key = frameKey(frame);
      if (resolved.has(key)) continue;
      if (!maps.has(frame.url)) maps.set(frame.url, load(frame.url));
      const entry = (await maps.get(frame.url))?.findEntry(frame.lineNumber, frame.columnNumber ?? 0) as
        { originalSource?: string; originalLine?: number } | undefined;
      const source = entry?.originalSource?.replace(/^.*node_modules\//, '').replace(/^(\.\.\/)+/, '');
      resolved.set(key, source ? `${source}:${(entry?.originalLine ?? 0) + 1}` : null);
    }
  };
  return locate;
}

function label(
  frame: CallFrame,
  repoRoot: string,
  locate: Locator,
): { name: string; where: string; key: string } {
  const name = frame.functionName || (frame.url ? '(anonymous)' : frame.functionName);
  const area = areaOf(frame.url, repoRoot);
  const original = locate(frame);
  // tsx emits each module on one line, so a line number in src/ says nothing; packages keep theirs.
  const where = original
    ? `${area} (${original})`
    : frame.url && !(area.startsWith('src/') && frame.lineNumber === 0)
      ? `${area}:${frame.lineNumber + 1}`
      : area;
  return { name: name || '(unknown)', where, key: `${name} ${where}` };
}

const round1 = (v: number): number => Math.round(v * 10) / 10;

/**
 * Aggregates a V8 .cpuprofile (node --cpu-prof) by function (self time), by area (self time) and, for the
 * service's own code, inclusive time. A sample lasts until the next one, as Chrome DevTools counts it.
 */
/** Milliseconds since the profile started: only samples inside the window count (e.g. the measured load). */
export interface ProfileWindow {
  fromMs: number;
  toMs: number;
}

export async function summariseProfile(
  file: string,
  repoRoot: string,
  top = 25,
  window?: ProfileWindow,
): Promise<ProfileSummary> {
  const profile = JSON.parse(await readFile(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const locate = sourceMapLocator();
  await locate.prepare(profile.nodes.map((n) => n.callFrame));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

  const selfUs = new Map<number, number>();
  const { samples, timeDeltas } = profile;
  let elapsedUs = 0;
  for (let i = 0; i < samples.length; i++) {
    elapsedUs += timeDeltas[i] ?? 0;
    if (window && (elapsedUs < window.fromMs * 1000 || elapsedUs > window.toMs * 1000)) continue;
    const duration = i + 1 < timeDeltas.length ? (timeDeltas[i + 1] as number) : 0;
    const id = samples[i] as number;
    selfUs.set(id, (selfUs.get(id) ?? 0) + Math.max(0, duration));
  }

  let idleUs = 0;
  let totalUs = 0;
  const fn = new Map<string, { name: string; where: string; us: number }>();
  const area = new Map<string, number>();
  const ownInclusive = new Map<string, { name: string; where: string; us: number }>();
  const areaInclusive = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const node = byId.get(id);
    if (!node) continue;
    totalUs += us;
    if (IDLE.has(node.callFrame.functionName)) {
      idleUs += us;
      continue;
    }
    const l = label(node.callFrame, repoRoot, locate);
    const entry = fn.get(l.key) ?? { name: l.name, where: l.where, us: 0 };
    entry.us += us;
    fn.set(l.key, entry);
    const a = node.callFrame.url
      ? areaOf(node.callFrame.url, repoRoot)
      : node.callFrame.functionName.startsWith('(')
        ? node.callFrame.functionName
        : '(native)';
    area.set(a, (area.get(a) ?? 0) + us);

    // Inclusive: every distinct area, and every distinct own (src/) function, on this sample's stack.
    const seen = new Set<string>();
    const areasSeen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const frame = byId.get(cur)?.callFrame;
      if (!frame) continue;
      const frameArea = frame.url ? areaOf(frame.url, repoRoot) : null;
      if (frameArea !== null && frameArea !== 'node:internal' && !areasSeen.has(frameArea)) {
        areasSeen.add(frameArea);
        areaInclusive.set(frameArea, (areaInclusive.get(frameArea) ?? 0) + us);
      }
      if (!frameArea?.startsWith('src/')) continue;
      const own = label(frame, repoRoot, locate);
      if (seen.has(own.key)) continue;
      seen.add(own.key);
      const e = ownInclusive.get(own.key) ?? { name: own.name, where: own.where, us: 0 };
      e.us += us;
      ownInclusive.set(own.key, e);
    }
  }
  const busyUs = totalUs - idleUs;
  const entry = (name: string, where: string, us: number): ProfileEntry => ({
    name,
    where,
    ms: round1(us / 1000),
    pct: busyUs > 0 ? round1((us / busyUs) * 100) : 0,
  });
  const ranked = <T extends { us: number }>(m: Iterable<T>): T[] =>
    [...m].sort((a, b) => b.us - a.us).slice(0, top);
  return {
    file,
    window: window ?? null,
    sampledMs: round1(totalUs / 1000),
    idleMs: round1(idleUs / 1000),
    busyMs: round1(busyUs / 1000),
    topFunctions: ranked(fn.values()).map((e) => entry(e.name, e.where, e.us)),
    byArea: ranked([...area].map(([name, us]) => ({ name, us }))).map((e) => entry(e.name, '', e.us)),
    topOwnInclusive: ranked(ownInclusive.values()).map((e) => entry(e.name, e.where, e.us)),
    inclusiveByArea: ranked([...areaInclusive].map(([name, us]) => ({ name, us }))).map((e) =>
      entry(e.name, '', e.us),
    ),
  };
}

export function formatProfile(title: string, s: ProfileSummary, rows = 15): string {
  const lines = [
    `${title}: ${s.busyMs} ms busy of ${s.sampledMs} ms sampled (${s.sampledMs > 0 ? round1((s.busyMs / s.sampledMs) * 100) : 0}% of the main thread)`,
    '  self time by area:',
    ...s.byArea.slice(0, 10).map((e) => `    ${e.pct.toFixed(1).padStart(5)}%  ${e.name}`),
    '  time with the area on the stack (inclusive; overlaps):',
    ...s.inclusiveByArea.slice(0, 12).map((e) => `    ${e.pct.toFixed(1).padStart(5)}%  ${e.name}`),
    '  top functions by self time:',
    ...s.topFunctions
      .slice(0, rows)
      .map((e) => `    ${e.pct.toFixed(1).padStart(5)}%  ${e.name}  ${e.where}`),
    '  own code, inclusive (synchronous stacks only):',
    ...s.topOwnInclusive
      .slice(0, 10)
      .map((e) => `    ${e.pct.toFixed(1).padStart(5)}%  ${e.name}  ${e.where}`),
  ];
  return lines.join('\n');
}
