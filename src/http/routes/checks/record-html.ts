import { createHash } from 'node:crypto';
import type { CheckRecord } from '../../../services/get-check.ts';

/**
 * The printable record of a check, to file with the order. One self-contained page: its only style sheet is
 * inline and allowed by hash in the page's CSP, there is no script at all, and nothing is loaded from anywhere.
 */
const STYLE = `
:root { color-scheme: light; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #111; margin: 2rem auto; max-width: 60rem; padding: 0 1rem; }
h1 { font-size: 1.5rem; margin: 0 0 .25rem; }
h2 { font-size: 1.1rem; margin: 1.5rem 0 .5rem; border-bottom: 1px solid #999; padding-bottom: .2rem; }
.verdict { font-size: 1.25rem; font-weight: 700; padding: .5rem .75rem; border: 2px solid; display: inline-block; margin: .5rem 0; }
.verdict.allowed { color: #0a5d1a; border-color: #0a5d1a; }
.verdict.refused { color: #8a1010; border-color: #8a1010; }
.status { background: #fff4d6; border-left: 4px solid #b07800; padding: .5rem .75rem; }
table { border-collapse: collapse; width: 100%; margin: .25rem 0; }
th, td { text-align: left; vertical-align: top; padding: .3rem .5rem; border: 1px solid #bbb; }
th { background: #f0f0f0; width: 14rem; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
code, .hash { font-family: ui-monospace, "SFMono-Regular", Menlo, monospace; font-size: .85em; word-break: break-all; }
footer { margin-top: 2rem; font-size: .85em; color: #444; }
@media print {
  body { margin: 0; max-width: none; font-size: 10.5pt; }
  h2 { break-after: avoid; }
  table, tr, .reason { break-inside: avoid; }
  th { background: none; }
  a { color: inherit; text-decoration: none; }
  @page { margin: 18mm 15mm; }
}
`.trim();

export const RECORD_STYLE_HASH = `sha256-${createHash('sha256').update(STYLE).digest('base64')}`;

/** Nothing may load, run or be framed; the inline style sheet is allowed by its hash alone. */
export const RECORD_CSP = [
  "default-src 'none'",
  `style-src '${RECORD_STYLE_HASH}'`,
  "img-src 'none'",
  "script-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

function escape(value: string | number | null | undefined): string {
  return String(value ?? '')
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

const number = (value: number): string => value.toLocaleString('en-US');

function row(label: string, value: string): string {
  return `<tr><th scope="row">${escape(label)}</th><td>${value}</td></tr>`;
}

interface PoolView {
  applies: boolean;
  capTpp: number;
  usedTpp: number;
  remainingTpp: number;
  thisShipmentTpp: number;
  remainingAfterTpp: number;
  year?: number;
}

function poolRow(name: string, pool: PoolView | null): string {
  if (!pool)
    return `<tr><th scope="row">${escape(name)}</th><td colspan="5">not applicable to this destination</td></tr>`;
  const cells = [pool.capTpp, pool.usedTpp, pool.remainingTpp, pool.thisShipmentTpp, pool.remainingAfterTpp]
    .map((v) => `<td class="num">${number(v)}</td>`)
    .join('');
  const label = `${name}${pool.year !== undefined ? ` (${pool.year})` : ''}${pool.applies ? '' : ', not drawn'}`;
  return `<tr><th scope="row">${escape(label)}</th>${cells}</tr>`;
}

export function renderCheckRecord(record: CheckRecord, printedAt: string): string {
  const { decision: d, input, resolved, audit } = record;
  const verdict = d.allowed
    ? `Allowed${d.authorization ? ` under ${d.authorization === 'NLR' ? 'NLR (no licence required)' : `License Exception/authorization ${d.authorization}`}` : ''}`
    : d.licenseRequired
      ? `Licence required${d.reviewPolicy ? ` (${d.reviewPolicy.replaceAll('_', ' ').toLowerCase()})` : ''}`
      : 'Not allowed';
  const items = d.items
    .map(
      (item) =>
        `<tr><td>${escape(item.productId ?? item.description ?? '')}</td><td class="num">${number(item.quantity)}</td>` +
        `<td>${escape(item.eccn)}</td><td class="num">${number(item.tppPerUnit)}</td><td class="num">${number(item.tpp)}</td></tr>`,
    )
    .join('');
  const reasons = d.reasons
    .map(
      (r) =>
        `<tr class="reason"><td><code>${escape(r.code)}</code></td><td>${escape(r.citation)}</td><td>${escape(r.message)}</td></tr>`,
    )
    .join('');
  const warnings = d.warnings.map((w) => `<li>${escape(w)}</li>`).join('');
  const status = d.ruleset.inForceOnShipDate
    ? `In force on the ship date (${escape(d.ruleset.status)}).`
    : `<strong>Not in force on the ship date</strong> (status ${escape(d.ruleset.status)}): a planning answer, not the law of the day.`;

  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Export check ${escape(d.checkId)}</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<h1>Export compliance check: ${escape(d.destination.name)} (${escape(d.destination.code)})</h1>
<div>Check <code>${escape(d.checkId)}</code>, answered ${escape(audit.occurredAt)}</div>
<div class="verdict ${d.allowed ? 'allowed' : 'refused'}">${escape(verdict)}</div>
</header>

<h2>Rule pack and legal status</h2>
<table>
${row('Rule pack', `${escape(d.ruleset.name)} (<code>${escape(d.ruleset.id)}</code>, ${escape(d.ruleset.citation)})`)}
${row('Status', status)}
</table>

<h2>Inputs</h2>
<table>
${row('Destination', `${escape(d.destination.name)} (${escape(d.destination.code)})${d.destination.tier ? `, ${escape(d.destination.tier.replace('_', ' '))}` : ''}${d.destination.countryGroups?.length ? `, Country Groups ${escape(d.destination.countryGroups.join(', '))}` : ''}`)}
${row('End user', `${escape(resolved.endUserName)}, headquartered in ${escape(resolved.headquarters)}${resolved.verifiedEndUser ? `, ${escape(resolved.verifiedEndUser)}` : ''}`)}
${row('Consignee', escape(resolved.consignee))}
${row('Ship date', escape(resolved.shipDate))}
${row('Rule pack requested', escape(input.ruleset ?? `default (${resolved.ruleset})`))}
</table>
<table>
<thead><tr><th>Item</th><th>Quantity</th><th>ECCN</th><th>TPP per unit</th><th>TPP</th></tr></thead>
<tbody>${items}</tbody>
<tfoot><tr><th colspan="4">Total (${escape(d.h100Equivalents)} H100-equivalents)</th><td class="num">${number(d.totalTpp)}</td></tr></tfoot>
</table>

<h2>Decision</h2>
<table>
${row('Allowed to ship now', d.allowed ? 'yes' : 'no')}
${row('Licence required', d.licenseRequired ? 'yes' : 'no')}
${row('Authorization', escape(d.authorization ?? 'none'))}
${row('Review policy', escape(d.reviewPolicy ?? 'not applicable'))}
</table>

<h2>Reasons</h2>
<table>
<thead><tr><th>Code</th><th>Citation</th><th>Explanation</th></tr></thead>
<tbody>${reasons}</tbody>
</table>

<h2>Quota at the time of the check (TPP)</h2>
<table>
<thead><tr><th>Pool</th><th>Cap</th><th>Used</th><th>Remaining</th><th>This shipment</th><th>Remaining after</th></tr></thead>
<tbody>
${poolRow('Country allocation', d.quota.countryAllocation)}
${poolRow('Consignee LPP budget', d.quota.lpp)}
</tbody>
</table>
${warnings ? `<h2>Warnings</h2><ul class="status">${warnings}</ul>` : ''}

<h2>Audit trail</h2>
<table>
${row('Audit sequence number', escape(audit.seq))}
${row('Event hash (sha256)', `<span class="hash">${escape(audit.hash)}</span>`)}
${row('Previous event hash', `<span class="hash">${escape(audit.prevHash)}</span>`)}
${row('Asked by role', escape(audit.actorRole ?? 'none'))}
</table>
<footer>Printed ${escape(printedAt)}. The hash chains this record to every earlier one: GET /v1/audit/verify
recomputes the chain, so a record that was altered after it was written does not verify.</footer>
</body>
</html>
`;
}
