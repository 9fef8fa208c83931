// @ts-check
import { api, describeError } from './api.js';
import { rulesetOptions } from './check.js';
import { byId, h, replace } from './dom.js';
import { h100e, ratio, today, tpp, units, words } from './format.js';

/**
 * The plan for one destination (issue 18, POST /v1/plans), shown beside the allocation chart: for each candidate
 * product on its own, the most units that could ship without a licence and with one inside the remaining
 * allocation, what limits each, and the rule pack the answer was made under with its legal status. Every figure
 * is the API's; the console computes none of them.
 *
 * @typedef {{ id: string, vendor: string, name: string, tpp: number, eccn: string, datacenter?: boolean }} Product
 * @typedef {{ capTpp: number, usedTpp: number, remainingTpp: number, year?: number }} Pool
 * @typedef {{ productId?: string, description?: string, eccn: string, tppPerUnit: number,
 *   h100Equivalents: number, authorization: string | null,
 *   maxUnits: { withoutLicense: number | null, withLicenseWithinAllocation: number | null },
 *   limitedBy: { withoutLicense: string | null, withLicenseWithinAllocation: string | null } }} Candidate
 */

/** The products a buyer weighing datacentre GPUs asks about first; the rest of the catalogue can be added. */
const DEFAULT_CANDIDATES = ['nvidia-h100-sxm', 'nvidia-h200-sxm', 'nvidia-b200', 'amd-mi300x'];

/** What one unit more runs into (API.md, "Planning", limitedBy), in words. */
const LIMITS = /** @type {Record<string, string>} */ ({
  LPP: 'LPP budget',
  COUNTRY_ALLOCATION: 'country allocation',
  NOT_AVAILABLE: 'route closed',
  OTHER_RULE: 'another rule',
});

/**
 * @param {number | null} max
 * @param {string | null} limit
 * @param {string | null} [authorization] what lets the units ship (the without-licence route only)
 */
function routeCell(max, limit, authorization) {
  const limitText = limit === null ? 'no quota applies' : (LIMITS[limit] ?? words(limit));
  return h(
    'td',
    { class: 'num route', 'data-max-units': max === null ? 'null' : max, 'data-limit': limit ?? 'null' },
    h('span', { class: 'units' }, units(max)),
    // The exception that ships them, where the limit does not already name it (AIA on a Tier 1 destination).
    h(
      'small',
      { class: 'limit' },
      authorization && authorization !== limit ? `${authorization}; ${limitText}` : limitText,
    ),
  );
}

/**
 * @param {string} title
 * @param {Pool | null} pool
 * @param {string} none
 */
function poolLine(title, pool, none) {
  return h(
    'li',
    {},
    h('strong', {}, `${title}: `),
    pool
      ? `${tpp(pool.remainingTpp)} of ${tpp(pool.capTpp)} TPP left (${h100e(pool.remainingTpp)} H100e; ${tpp(pool.usedTpp)} held or shipped).`
      : none,
  );
}

/**
 * The legal status of the pack the plan was made under. A pack that has been rescinded says so whatever the
 * ship date, and a pack not in force on the ship date says the answer is for planning, never the law of the day.
 * @param {any} ruleset the plan's `ruleset`
 * @param {any} pack the pack from GET /v1/rulesets, when known
 * @param {string[]} warnings
 */
function legalStatus(ruleset, pack, warnings) {
  const ended = pack?.formallyRescinded
    ? `rescinded in the Federal Register with effect from ${pack.formallyRescinded}`
    : pack?.enforcementStopped
      ? `BIS stopped enforcing it on ${pack.enforcementStopped}; no formal rescission published`
      : null;
  const status = words(ruleset.status);
  return h(
    'section',
    {
      class: ruleset.inForceOnShipDate ? 'legal' : 'legal not-in-force',
      'aria-label': 'Legal status of the plan',
    },
    h(
      'p',
      {},
      `Rule pack ${ruleset.name} (${ruleset.citation}, pack ${ruleset.id}): `,
      h(
        'span',
        { class: 'pack-status' },
        ended === null
          ? `${status} on the ship date.`
          : ruleset.status === 'RESCINDED'
            ? `${status} on the ship date (${ended}).`
            : `${status} on the ship date, and RESCINDED since (${ended}).`,
      ),
      ' ',
      h(
        'strong',
        {},
        ruleset.inForceOnShipDate
          ? 'In force on the ship date.'
          : 'Not in force on the ship date: a planning answer, not the law of the day.',
      ),
    ),
    warnings.length > 0
      ? h(
          'details',
          { class: 'plan-warnings' },
          h('summary', {}, `Warnings with this answer (${warnings.length})`),
          h(
            'ul',
            { class: 'warnings' },
            warnings.map((w) => h('li', {}, w)),
          ),
        )
      : null,
  );
}

export class PlanPanel {
  /** @type {Map<string, Product>} */
  products = new Map();
  /** @type {any[]} */
  rulesets = [];
  allowed = false;
  /** Only the newest request may draw: an older answer arriving late must not pass for the current one. */
  sequence = 0;

  constructor() {
    this.form = byId('plan-form', HTMLFormElement);
    this.denied = byId('plan-denied', HTMLElement);
    this.destination = byId('plan-destination', HTMLInputElement);
    this.consignee = byId('plan-consignee', HTMLInputElement);
    this.shipDate = byId('plan-ship-date', HTMLInputElement);
    this.ruleset = byId('plan-ruleset', HTMLSelectElement);
    this.candidates = byId('plan-candidates', HTMLElement);
    this.candidatesSummary = byId('plan-products-summary', HTMLElement);
    this.submit = byId('plan-submit', HTMLButtonElement);
    this.error = byId('plan-error', HTMLElement);
    this.result = byId('plan-result', HTMLElement);
    this.form.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.run();
    });
    this.candidates.addEventListener('change', () => this.countCandidates());
  }

  /**
   * Whether the signed-in role may plan (POST /v1/plans answers vendor, procurement and officer keys). An
   * auditor reads the allocations but runs nothing: a plan is audited as an action, like a check.
   * @param {boolean} allowed
   */
  setAllowed(allowed) {
    this.allowed = allowed;
    this.form.hidden = !allowed;
    this.denied.hidden = allowed;
    this.denied.textContent = allowed
      ? ''
      : 'Your role may read the allocations but not run plans: a plan, like a check, is an audited action.';
  }

  /** @param {{ products: Product[], rulesets: any[] }} reference */
  setReference({ products, rulesets }) {
    const sorted = [...products].sort((a, b) =>
      `${a.vendor} ${a.name}`.localeCompare(`${b.vendor} ${b.name}`),
    );
    this.products = new Map(sorted.map((p) => [p.id, p]));
    this.rulesets = rulesets;
    replace(this.ruleset, rulesetOptions(rulesets));
    if (!this.shipDate.value) this.shipDate.value = today();
    replace(
      this.candidates,
      sorted.map((p) =>
        h(
          'label',
          { class: 'candidate' },
          h('input', {
            type: 'checkbox',
            name: 'candidate',
            value: p.id,
            checked: DEFAULT_CANDIDATES.includes(p.id),
          }),
          ` ${p.vendor} ${p.name} `,
          h('small', {}, `${p.eccn}, ${tpp(p.tpp)} TPP`),
        ),
      ),
    );
    this.countCandidates();
  }

  chosen() {
    return [...this.candidates.querySelectorAll('input[name="candidate"]')]
      .filter((input) => input instanceof HTMLInputElement && input.checked)
      .map((input) => /** @type {HTMLInputElement} */ (input).value);
  }

  countCandidates() {
    const n = this.chosen().length;
    this.candidatesSummary.textContent = `Products: ${n} chosen`;
  }

  /**
   * Plans for a destination chosen elsewhere (a bar of the chart, a row of the table).
   * @param {string} code
   */
  choose(code) {
    if (!this.allowed) return;
    this.destination.value = code;
    void this.run();
  }

  body() {
    const destination = this.destination.value.trim();
    return {
      destination,
      candidates: this.chosen().map((productId) => ({ productId })),
      // The consignee is the end user, headquartered in the destination; other cases are a check's business.
      endUser: { name: this.consignee.value.trim(), headquarters: destination, verifiedEndUser: null },
      shipDate: this.shipDate.value,
      ruleset: this.ruleset.value,
    };
  }

  async run() {
    const mine = (this.sequence += 1);
    this.error.textContent = '';
    const body = this.body();
    // The previous destination's figures go at once: a table beside the chart must be the one asked for.
    replace(this.result, h('p', { class: 'muted' }, `Planning for ${body.destination || '…'}…`));
    this.result.setAttribute('aria-busy', 'true');
    this.submit.disabled = true;
    try {
      const plan = await api('POST', '/v1/plans', { body });
      if (mine !== this.sequence) return;
      replace(this.result, this.view(plan, body.endUser.name));
    } catch (error) {
      if (mine !== this.sequence) return;
      replace(this.result);
      this.error.textContent = `The plan was refused: ${describeError(error)}`;
    } finally {
      if (mine === this.sequence) {
        this.result.removeAttribute('aria-busy');
        this.submit.disabled = false;
      }
    }
  }

  /** Runs the plan on display again (after a refresh of the balances). */
  refresh() {
    if (this.allowed && this.result.querySelector('table')) void this.run();
  }

  /**
   * @param {any} plan the API's answer
   * @param {string} consignee as asked
   */
  view(plan, consignee) {
    const destination = plan.destination;
    const pack = this.rulesets.find((r) => r.id === plan.ruleset.id);
    const where = `${destination.name} (${destination.code}${destination.tier ? `, ${words(destination.tier)}` : ''})`;
    return h(
      'article',
      { class: 'plan-answer', 'data-plan-id': plan.planId, 'data-destination': destination.code },
      legalStatus(plan.ruleset, pack, plan.warnings ?? []),
      h(
        'table',
        { id: 'plan-table', class: 'figures plan-table' },
        h('caption', {}, `${where}, ship date ${plan.shipDate}, consignee ${consignee}: each product alone`),
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            h('th', { scope: 'col' }, 'Product'),
            h('th', { scope: 'col' }, 'ECCN'),
            h(
              'th',
              { scope: 'col', class: 'num' },
              h('abbr', { title: 'H100-equivalents of one unit' }, 'H100e'),
            ),
            h('th', { scope: 'col', class: 'num' }, 'Without a licence'),
            h('th', { scope: 'col', class: 'num' }, 'With a licence, inside the allocation'),
          ),
        ),
        h(
          'tbody',
          {},
          (plan.candidates ?? []).map((/** @type {Candidate} */ c) => {
            const product = c.productId ? this.products.get(c.productId) : undefined;
            return h(
              'tr',
              { 'data-product-id': c.productId ?? null },
              h(
                'th',
                { scope: 'row' },
                product ? `${product.vendor} ${product.name}` : (c.productId ?? c.description ?? ''),
                h('small', { class: 'per-unit' }, `${tpp(c.tppPerUnit)} TPP`),
              ),
              h('td', { class: 'eccn' }, c.eccn),
              h('td', { class: 'num h100e' }, ratio(c.h100Equivalents)),
              routeCell(c.maxUnits.withoutLicense, c.limitedBy.withoutLicense, c.authorization),
              routeCell(c.maxUnits.withLicenseWithinAllocation, c.limitedBy.withLicenseWithinAllocation),
            );
          }),
        ),
      ),
      h(
        'ul',
        { class: 'pools' },
        poolLine(
          'Country allocation',
          plan.pools?.countryAllocation ?? null,
          'none under this pack for this destination.',
        ),
        poolLine(
          `Consignee's LPP budget${plan.pools?.lpp?.year ? `, ${plan.pools.lpp.year}` : ''}`,
          plan.pools?.lpp ?? null,
          'none for this destination under this pack.',
        ),
      ),
      h(
        'p',
        { class: 'muted plan-note' },
        'Units of one product at a time, from the balances now: one unit more would change a check’s answer. ' +
          `A plan reserves nothing; it is audited (plan.create, ${plan.planId}).`,
      ),
    );
  }
}
