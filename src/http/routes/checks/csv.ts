import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { AppError, validationError, type FieldError } from '../../../errors.ts';

/**
 * The CSV form of a batch, for vendors whose order lines live in a spreadsheet: one row per order line, grouped
 * into checks by the `order` column. Order-level columns may be repeated on every row or given on the first row
 * of the order only; rows of one order that disagree are that order's problem, not the batch's.
 */
export const CSV_ORDER_COLUMNS = [
  'destination',
  'endUserName',
  'endUserHeadquarters',
  'verifiedEndUser',
  'consignee',
  'shipDate',
  'ruleset',
] as const;
export const CSV_LINE_COLUMNS = [
  'productId',
  'description',
  'kind',
  'tpp',
  'performanceDensity',
  'datacenter',
  'chipsPerUnit',
  'memoryBandwidthGBs',
  'quantity',
] as const;
const KNOWN = new Set<string>(['order', ...CSV_ORDER_COLUMNS, ...CSV_LINE_COLUMNS]);
const BY_LOWER = new Map([...KNOWN].map((c) => [c.toLowerCase(), c]));

/** What the content-type parser hands the route: the rows of a text/csv body, with their line numbers. */
export class CsvUpload {
  constructor(readonly rows: { line: number; record: Record<string, string> }[]) {}
}

export function parseCsvBody(text: string): CsvUpload {
  let parsed: { record: Record<string, string>; info: { lines: number } }[];
  try {
    parsed = parse(text, {
      bom: true,
      columns: (header: string[]) =>
        header.map((name) => {
          const known = BY_LOWER.get(name.trim().toLowerCase());
          if (!known) {
            throw new AppError('VALIDATION_FAILED', `Unknown CSV column "${name.trim()}".`, {
              errors: [
                {
                  path: 'csv.header',
                  message: `unknown column "${name.trim()}"; known: ${[...KNOWN].join(', ')}`,
                },
              ],
            });
          }
          return known;
        }),
      info: true,
      skip_empty_lines: true,
      trim: true,
    });
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw new AppError('VALIDATION_FAILED', `The CSV body cannot be read: ${(error as Error).message}.`, {
      errors: [{ path: 'csv', message: (error as Error).message }],
    });
  }
  return new CsvUpload(parsed.map(({ record, info }) => ({ line: info.lines, record })));
}

/** Numbers and booleans as JSON would carry them; anything else stays text for the schema to refuse by name. */
function typed(column: string, value: string): unknown {
  if (['tpp', 'performanceDensity', 'chipsPerUnit', 'memoryBandwidthGBs', 'quantity'].includes(column)) {
    if (value.toLowerCase() === 'null' && column === 'performanceDensity') return null;
    return /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : value;
  }
  if (column === 'datacenter') {
    const lower = value.toLowerCase();
    if (['true', 'yes', 'y', '1'].includes(lower)) return true;
    if (['false', 'no', 'n', '0'].includes(lower)) return false;
  }
  if (column === 'verifiedEndUser' && value.toLowerCase() === 'none') return null;
  return value;
}

export interface CsvOrder {
  order: string;
  /** The check body built from the rows, or the rows' own problem. */
  body: Record<string, unknown> | null;
  errors: FieldError[];
  /** CSV line of each item, for error paths. */
  itemLines: number[];
  firstLine: number;
}

/** Groups rows into orders, in order of first appearance. */
export function csvOrders(upload: CsvUpload): CsvOrder[] {
  if (upload.rows.length === 0) {
    throw validationError([{ path: 'csv', message: 'no rows: a header and at least one order line' }]);
  }
  const orders = new Map<string, { line: number; record: Record<string, string> }[]>();
  const errors: FieldError[] = [];
  for (const row of upload.rows) {
    const order = row.record.order ?? '';
    if (order === '') {
      errors.push({ path: `csv.line[${row.line}].order`, message: 'every row needs an order' });
      continue;
    }
    orders.set(order, [...(orders.get(order) ?? []), row]);
  }
  if (errors.length > 0) throw validationError(errors);

  return [...orders.entries()].map(([order, rows]) => {
    const first = rows[0] as (typeof rows)[number];
    const problems: FieldError[] = [];
    const context: Record<string, string> = {};
    for (const column of CSV_ORDER_COLUMNS) {
      for (const row of rows) {
        const value = row.record[column] ?? '';
        if (value === '') continue;
        if (context[column] === undefined) context[column] = value;
        else if (context[column] !== value) {
          problems.push({
            path: `csv.line[${row.line}].${column}`,
            message: `"${value}" differs from "${context[column]}" given earlier for order ${order}`,
          });
        }
      }
    }
    const items = rows.map((row) => {
      const item: Record<string, unknown> = {};
      for (const column of CSV_LINE_COLUMNS) {
        const value = row.record[column] ?? '';
        if (value !== '') item[column] = typed(column, value);
      }
      return item;
    });
    const endUser: Record<string, unknown> = {};
    if (context.endUserName !== undefined) endUser.name = context.endUserName;
    if (context.endUserHeadquarters !== undefined) endUser.headquarters = context.endUserHeadquarters;
    if (context.verifiedEndUser !== undefined)
      endUser.verifiedEndUser = typed('verifiedEndUser', context.verifiedEndUser);
    const body: Record<string, unknown> = { destination: context.destination, items, endUser };
    for (const column of ['consignee', 'shipDate', 'ruleset'] as const) {
      if (context[column] !== undefined) body[column] = context[column];
    }
    return {
      order,
      body: problems.length > 0 ? null : body,
      errors: problems,
      itemLines: rows.map((row) => row.line),
      firstLine: first.line,
    };
  });
}

const BODY_TO_COLUMN: Record<string, string> = {
  'endUser.name': 'endUserName',
  'endUser.headquarters': 'endUserHeadquarters',
  'endUser.verifiedEndUser': 'verifiedEndUser',
  endUser: 'endUserName',
};

/** body.items[2].quantity -> csv.line[7].quantity: a vendor fixes the spreadsheet, not the JSON it became. */
export function csvPath(order: CsvOrder, path: string): string {
  const item = /^body\.items\[(\d+)\](?:\.(.+))?$/.exec(path);
  if (item) {
    const line = order.itemLines[Number(item[1])] ?? order.firstLine;
    return `csv.line[${line}]${item[2] ? `.${item[2]}` : ''}`;
  }
  const field = path.replace(/^body\.?/, '');
  return `csv.line[${order.firstLine}]${field ? `.${BODY_TO_COLUMN[field] ?? field}` : ''}`;
}

export interface CsvResultRow {
  index: number;
  order?: string | undefined;
  decision?: {
    checkId: string;
    allowed: boolean;
    licenseRequired: boolean;
    authorization: string | null;
    reviewPolicy: string | null;
    destination: { code: string };
    totalTpp: number;
    h100Equivalents: number;
    reasons: { code: string }[];
    ruleset: { id: string; inForceOnShipDate: boolean };
  };
  problem?: { code: string; detail: string; errors?: FieldError[] };
}

export const CSV_RESULT_COLUMNS = [
  'index',
  'order',
  'checkId',
  'allowed',
  'licenseRequired',
  'authorization',
  'reviewPolicy',
  'destination',
  'totalTpp',
  'h100Equivalents',
  'reasons',
  'ruleset',
  'inForceOnShipDate',
  'errorCode',
  'errorDetail',
] as const;

/** One row per check, in request order: the decision's headline, or the problem that refused it. */
export function resultsToCsv(rows: CsvResultRow[]): string {
  return stringify(
    rows.map(({ index, order, decision: d, problem: p }) => ({
      index,
      order: order ?? '',
      checkId: d?.checkId ?? '',
      allowed: d ? String(d.allowed) : '',
      licenseRequired: d ? String(d.licenseRequired) : '',
      authorization: d?.authorization ?? '',
      reviewPolicy: d?.reviewPolicy ?? '',
      destination: d?.destination.code ?? '',
      totalTpp: d?.totalTpp ?? '',
      h100Equivalents: d?.h100Equivalents ?? '',
      reasons: d ? d.reasons.map((r) => r.code).join(' ') : '',
      ruleset: d?.ruleset.id ?? '',
      inForceOnShipDate: d ? String(d.ruleset.inForceOnShipDate) : '',
      errorCode: p?.code ?? '',
      errorDetail: p ? [p.detail, ...(p.errors ?? []).map((e) => `${e.path}: ${e.message}`)].join(' | ') : '',
    })),
    { header: true, columns: [...CSV_RESULT_COLUMNS] },
  );
}
