import autocannon from 'autocannon';

export interface LoadSpec {
  url: string;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
  connections: number;
  durationS: number;
  /** Builds each request (a unique Idempotency-Key, say); called by autocannon before every send. */
  setupRequest?: (request: autocannon.Request) => autocannon.Request;
  onResponse?: (status: number, body: string) => void;
  /** Called as the run starts (the harness counts runs: each may end with requests in flight). */
  onStart?: () => void;
}

export interface LoadResult {
  durationS: number;
  responses: number;
  /** Responses of any status per second of the measured interval. */
  rps: number;
  ok2xx: number;
  non2xx: number;
  /** Connection errors and timeouts: requests that got no response at all. */
  errors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
  /** Over every response, 2xx or not, from autocannon's own per-request timer, in ms with µs resolution. */
  latencyMs: { p50: number; p90: number; p99: number; max: number; mean: number };
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] as number;
}

const round3 = (v: number): number => Math.round(v * 1000) / 1000;

/**
 * One autocannon run. Latency percentiles are computed here from every response: autocannon's histogram keeps
 * whole milliseconds and only 2xx responses, which would hide fast errors and blur a 10 ms target.
 */
export function runLoad(spec: LoadSpec): Promise<LoadResult> {
  const latencies: number[] = [];
  spec.onStart?.();
  return new Promise((resolve, reject) => {
    const request: autocannon.Request = {
      method: spec.method,
      ...(spec.setupRequest ? { setupRequest: (r: autocannon.Request) => spec.setupRequest?.(r) ?? r } : {}),
      ...(spec.onResponse
        ? { onResponse: (status: number, body: string) => spec.onResponse?.(status, body) }
        : {}),
    };
    const instance = autocannon(
      {
        url: spec.url,
        method: spec.method,
        headers: spec.headers,
        ...(spec.body !== undefined ? { body: spec.body } : {}),
        connections: spec.connections,
        duration: spec.durationS,
        timeout: 30,
        requests: [request],
      },
      (error, result) => {
        if (error) {
          reject(error instanceof Error ? error : new Error(String(error)));
          return;
        }
        const sorted = Float64Array.from(latencies).sort();
        const mean =
          latencies.length > 0 ? latencies.reduce((a, b) => a + b, 0) / latencies.length : Number.NaN;
        const statusCodes: Record<string, number> = {};
        for (const [code, stat] of Object.entries(result.statusCodeStats ?? {}))
          statusCodes[code] = stat.count ?? 0;
        const responses = latencies.length;
        resolve({
          durationS: result.duration,
          responses,
          rps: Math.round(responses / result.duration),
          ok2xx: result['2xx'],
          non2xx: result.non2xx,
          errors: result.errors,
          timeouts: result.timeouts,
          statusCodes,
          latencyMs: {
            p50: round3(percentile(sorted, 50)),
            p90: round3(percentile(sorted, 90)),
            p99: round3(percentile(sorted, 99)),
            max: round3(sorted.length > 0 ? (sorted[sorted.length - 1] as number) : Number.NaN),
            mean: round3(mean),
          },
        });
      },
    );
    instance.on('response', (_client, _status, _bytes, responseTime) => latencies.push(responseTime));
  });
}
