/**
 * The vendors' command line, on the typed client generated from the OpenAPI document (openapi-fetch over
 * openapi/client-types.ts): no request or response shape here is written by hand.
 *
 *   gpu-compliance check --to KR --item nvidia-h100-sxm:10000 --ship-date 2026-12-10
 *   gpu-compliance batch orders.csv
 *
 * Exit status: 0 allowed (every order, for a batch), 1 not allowed (any order), 2 error (including any order
 * the service refused), so a shell script can branch on it.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { parse } from 'csv-parse/sync';
import createClient from 'openapi-fetch';
import { z } from 'zod';
import type { components, paths } from '../../openapi/client-types.ts';

type Decision = components['schemas']['Decision'];
type Problem = components['schemas']['Problem'];
type Plan = components['schemas']['Plan'];
type BatchResult = components['schemas']['BatchCheckResult'];

export const EXIT = { allowed: 0, notAllowed: 1, error: 2 } as const;

const HELP = `gpu-compliance: pre-shipment export checks against the GPU Export Compliance API

usage:
  gpu-compliance check --to <country> --item <productId>:<quantity> [--item …] [options]
  gpu-compliance batch <orders.csv> [--json | --csv]
  gpu-compliance plan --to <country> --product <productId> [--product …] [options]
  gpu-compliance record <checkId> [--out <file.html>]
  gpu-compliance <command> --help

check options:
  --to <code>            destination, ISO 3166-1 alpha-2 (KR, AE, …)
  --item <id>:<qty>      a catalogue product and its quantity; repeat for more lines
  --ship-date <date>     YYYY-MM-DD (default: today on the service)
  --end-user <name>      end user (default: "End user in <destination>")
  --hq <code>            where the end user is headquartered (default: the destination)
  --consignee <name>     ultimate consignee (default: the end user)
  --veu <UVEU|NVEU>      the end user's Validated End User authorization
  --ruleset <id>         rule pack (default: the service's; "baseline-2023" for the regime enforced today)
plan takes the same options with --product <id> instead of --item.

batch: a CSV with a header row and one row per order line, grouped by the "order" column; columns order,
destination, endUserName, endUserHeadquarters, verifiedEndUser, consignee, shipDate, ruleset, productId (or
description, kind, tpp, performanceDensity, datacenter, chipsPerUnit, memoryBandwidthGBs) and quantity.

output: a summary for people by default; --json prints the service's JSON answer; batch --csv prints one CSV
row per order.

environment:
  GPU_COMPLIANCE_URL     the service (default http://127.0.0.1:3000)
  GPU_COMPLIANCE_KEY     an API key (vendor role or above); an officer issues one with
                         npm run apikey -- create --role vendor --name "<who>"

exit status: 0 allowed, 1 not allowed (any order of a batch), 2 error (bad input, refused order, no service)`;

class CliError extends Error {}

const EnvSchema = z.object({
  GPU_COMPLIANCE_URL: z
    .string()
    .url('must be a URL such as http://127.0.0.1:3000')
    .default('http://127.0.0.1:3000'),
  GPU_COMPLIANCE_KEY: z.string().min(1, 'is not set'),
});

function clientFrom(env: NodeJS.ProcessEnv) {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`);
    throw new CliError(
      `${lines.join('; ')}. Set GPU_COMPLIANCE_KEY to an API key (an officer issues one: ` +
        `npm run apikey -- create --role vendor --name "<who>").`,
    );
  }
  const { GPU_COMPLIANCE_URL: baseUrl, GPU_COMPLIANCE_KEY: key } = parsed.data;
  return {
    baseUrl,
    client: createClient<paths>({
      baseUrl: baseUrl.replace(/\/+$/, ''),
      headers: { authorization: `Bearer ${key}` },
    }),
  };
}

const out = (text: string): void => void process.stdout.write(`${text}\n`);
const err = (text: string): void => void process.stderr.write(`${text}\n`);
const n = (value: number): string => value.toLocaleString('en-US');

function problemText(problem: Problem | undefined, status: number): string {
  if (!problem || typeof problem !== 'object' || !('code' in problem)) return `HTTP ${status}`;
  const fields = (problem.errors ?? []).map((e) => `\n  ${e.path}: ${e.message}`).join('');
  return `${problem.status} ${problem.code}: ${problem.detail}${fields}`;
}

function verdict(d: Decision): string {
  if (d.allowed) return `ALLOWED under ${d.authorization ?? 'no licence requirement'}`;
  if (d.licenseRequired)
    return `LICENCE REQUIRED (${d.reviewPolicy?.replaceAll('_', ' ').toLowerCase() ?? 'review'})`;
  return 'NOT ALLOWED';
}

function printDecision(d: Decision, label?: string): void {
  const lines = d.items.map((i) => `${n(i.quantity)} x ${i.productId ?? i.description ?? 'item'}`).join(', ');
  out(`${label ? `${label}: ` : ''}${verdict(d)}`);
  out(
    `  ${d.destination.name} (${d.destination.code}, ${d.destination.tier}): ${lines}; ${n(d.totalTpp)} TPP (${n(d.h100Equivalents)} H100e)`,
  );
  out(
    `  rule pack ${d.ruleset.id} (${d.ruleset.status}${d.ruleset.inForceOnShipDate ? '' : ', not in force on the ship date: a planning answer'})`,
  );
  for (const r of d.reasons) out(`  - ${r.code} (${r.citation}): ${r.message}`);
  for (const [name, pool] of [
    ['allocation', d.quota.countryAllocation],
    ['LPP budget', d.quota.lpp],
  ] as const) {
    if (pool)
      out(
        `  ${name}: ${n(pool.remainingTpp)} of ${n(pool.capTpp)} TPP left${pool.applies ? `, ${n(pool.remainingAfterTpp)} after this` : ''}`,
      );
  }
  for (const w of d.warnings) out(`  ! ${w}`);
  out(`  check ${d.checkId} (printable record: gpu-compliance record ${d.checkId})`);
}

const ORDER_OPTIONS = {
  to: { type: 'string' },
  'ship-date': { type: 'string' },
  'end-user': { type: 'string' },
  hq: { type: 'string' },
  consignee: { type: 'string' },
  veu: { type: 'string' },
  ruleset: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

function orderContext(values: Record<string, string | boolean | string[] | undefined>) {
  const to = values.to;
  if (typeof to !== 'string') throw new CliError('--to <country code> is required');
  const veu = values.veu;
  if (veu !== undefined && veu !== 'UVEU' && veu !== 'NVEU') throw new CliError('--veu must be UVEU or NVEU');
  const name =
    typeof values['end-user'] === 'string' ? values['end-user'] : `End user in ${to.toUpperCase()}`;
  return {
    destination: to,
    endUser: {
      name,
      headquarters: typeof values.hq === 'string' ? values.hq : to,
      verifiedEndUser: (veu as 'UVEU' | 'NVEU' | undefined) ?? null,
    },
    ...(typeof values.consignee === 'string' ? { consignee: values.consignee } : {}),
    ...(typeof values['ship-date'] === 'string' ? { shipDate: values['ship-date'] } : {}),
    ...(typeof values.ruleset === 'string' ? { ruleset: values.ruleset } : {}),
  };
}

function parseItem(spec: string): { productId: string; quantity: number } {
  const match = /^(.+):(\d+)$/.exec(spec);
  if (!match)
    throw new CliError(`--item ${spec}: write it as <productId>:<quantity>, e.g. nvidia-h100-sxm:10000`);
  return { productId: match[1] as string, quantity: Number(match[2]) };
}

async function check(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { ...ORDER_OPTIONS, item: { type: 'string', multiple: true } },
  });
  if (values.help) return (out(HELP), EXIT.allowed);
  const items = (values.item ?? []).map(parseItem);
  if (items.length === 0) throw new CliError('at least one --item <productId>:<quantity> is required');
  const body = { ...orderContext(values), items };
  const { client } = clientFrom(process.env);
  const { data, error, response } = await client.POST('/v1/checks', { body });
  if (!data) throw new CliError(problemText(error as Problem, response.status));
  if (values.json) out(JSON.stringify(data, null, 2));
  else printDecision(data);
  return data.allowed ? EXIT.allowed : EXIT.notAllowed;
}

async function plan(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { ...ORDER_OPTIONS, product: { type: 'string', multiple: true } },
  });
  if (values.help) return (out(HELP), EXIT.allowed);
  const candidates = (values.product ?? []).map((productId) => ({ productId }));
  if (candidates.length === 0) throw new CliError('at least one --product <productId> is required');
  const { client } = clientFrom(process.env);
  const { data, error, response } = await client.POST('/v1/plans', {
    body: { ...orderContext(values), candidates },
  });
  if (!data) throw new CliError(problemText(error as Problem, response.status));
  if (values.json) return (out(JSON.stringify(data, null, 2)), EXIT.allowed);
  printPlan(data);
  return EXIT.allowed;
}

function printPlan(p: Plan): void {
  const units = (v: number | null) => (v === null ? 'no limit' : n(v));
  out(
    `${p.destination.name} (${p.destination.code}, ${p.destination.tier}), ship date ${p.shipDate}, rule pack ${p.ruleset.id}`,
  );
  for (const c of p.candidates) {
    out(
      `  ${c.productId ?? c.description ?? 'item'}: without a licence ${units(c.maxUnits.withoutLicense)}` +
        `${c.authorization ? ` (${c.authorization})` : ''}; with a licence inside the allocation ${units(c.maxUnits.withLicenseWithinAllocation)}`,
    );
  }
  for (const w of p.warnings) out(`  ! ${w}`);
}

async function batch(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { json: { type: 'boolean' }, csv: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) return (out(HELP), EXIT.allowed);
  const file = positionals[0];
  if (!file || positionals.length > 1)
    throw new CliError('batch needs one CSV file: gpu-compliance batch orders.csv');
  const csv = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new CliError(`cannot read ${file}: ${error.code ?? error.message}`);
  });
  const { client } = clientFrom(process.env);
  // The typed body is the JSON form; the CSV form of the same operation is sent as it is.
  const { data, error, response } = await client.POST('/v1/checks/batch', {
    body: csv as unknown as components['schemas']['BatchCheckRequest'],
    bodySerializer: (body) => body as unknown as string,
    headers: { 'content-type': 'text/csv', accept: values.csv ? 'text/csv' : 'application/json' },
    parseAs: values.csv ? 'text' : 'json',
  });
  if (!data) throw new CliError(problemText(error as Problem, response.status));
  if (values.csv) {
    process.stdout.write(data as unknown as string);
    const rows = parse(data as unknown as string, { columns: true }) as Record<string, string>[];
    if (rows.some((row) => row.errorCode)) return EXIT.error;
    return rows.every((row) => row.allowed === 'true') ? EXIT.allowed : EXIT.notAllowed;
  }
  const result = data as BatchResult;
  if (values.json) out(JSON.stringify(result, null, 2));
  let status: number = EXIT.allowed;
  for (const entry of result.data) {
    const label = `order ${entry.order ?? entry.index}`;
    if ('decision' in entry) {
      if (!values.json) printDecision(entry.decision, label);
      if (!entry.decision.allowed && status === EXIT.allowed) status = EXIT.notAllowed;
    } else {
      if (!values.json) out(`${label}: REFUSED ${problemText(entry.problem, entry.problem.status)}`);
      status = EXIT.error;
    }
  }
  if (!values.json) {
    const allowed = result.data.filter((e) => 'decision' in e && e.decision.allowed).length;
    const refused = result.data.filter((e) => 'problem' in e).length;
    out(
      `${result.data.length} orders: ${allowed} allowed, ${result.data.length - allowed - refused} not allowed, ${refused} refused`,
    );
  }
  return status;
}

async function record(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { out: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) return (out(HELP), EXIT.allowed);
  const checkId = positionals[0];
  if (!checkId || positionals.length > 1) throw new CliError('record needs one check id');
  const { client } = clientFrom(process.env);
  const { data, error, response } = await client.GET('/v1/checks/{checkId}/record', {
    params: { path: { checkId } },
    parseAs: 'text',
  });
  if (data === undefined) {
    // Errors are problem+json even when the page was asked for as text; openapi-fetch parses them when it can.
    let problem: Problem | undefined;
    try {
      problem = (typeof error === 'string' ? JSON.parse(error) : error) as Problem;
    } catch {
      problem = undefined;
    }
    throw new CliError(problemText(problem, response.status));
  }
  if (values.out) {
    await writeFile(values.out, data);
    err(`record of check ${checkId} written to ${values.out}`);
  } else {
    process.stdout.write(data);
  }
  return EXIT.allowed;
}

const COMMANDS: Record<string, (argv: string[]) => Promise<number>> = { check, batch, plan, record };

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    out(HELP);
    return command ? EXIT.allowed : EXIT.error;
  }
  const run = COMMANDS[command];
  if (!run) {
    err(`unknown command ${command}\n\n${HELP}`);
    return EXIT.error;
  }
  try {
    return await run(rest);
  } catch (error) {
    if (error instanceof CliError) err(`error: ${error.message}`);
    else if ((error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS'))
      err(`error: ${(error as Error).message}\n(see gpu-compliance ${command} --help)`);
    else if (error instanceof TypeError && /fetch failed/.test(error.message)) {
      const cause = (error as { cause?: { code?: string } }).cause?.code ?? 'unreachable';
      err(
        `error: cannot reach the service (${cause}); set GPU_COMPLIANCE_URL (now ${process.env.GPU_COMPLIANCE_URL ?? 'http://127.0.0.1:3000'})`,
      );
    } else err(`error: ${error instanceof Error ? error.message : String(error)}`);
    return EXIT.error;
  }
}

process.exitCode = await main(process.argv.slice(2));
