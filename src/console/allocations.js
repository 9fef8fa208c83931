// @ts-check
import { api, describeError } from './api.js';
import { byId, h, replace } from './dom.js';
import { h100e, pct, tpp, tppShort } from './format.js';

/**
 * @typedef {{ country: string, name: string, capTpp: number, reservedTpp: number, shippedTpp: number,
 *   usedTpp: number, remainingTpp: number, govToGovArrangement: boolean }} Quota
 * @typedef {'useShare' | 'remainingTpp' | 'reservedTpp' | 'shippedTpp' | 'capTpp' | 'name'} SortKey
 */

/** Chart.js's UMD build, loaded by its own script tag from the installed package. */
const Chart = /** @type {typeof import('chart.js').Chart} */ (/** @type {any} */ (globalThis).Chart);

/** Colours with enough contrast against each other and the white page; the table carries the same figures. */
const COLOURS = { shipped: '#1d4e89', held: '#c77c02', remaining: '#9cc9a4' };
const BAR_HEIGHT_PX = 22;

/** @param {Quota} q */
const useShare = (q) => (q.capTpp > 0 ? q.usedTpp / q.capTpp : 0);

/** @type {Record<SortKey, (a: Quota, b: Quota) => number>} */
const ORDER = {
  useShare: (a, b) => useShare(b) - useShare(a),
  remainingTpp: (a, b) => a.remainingTpp - b.remainingTpp,
  reservedTpp: (a, b) => b.reservedTpp - a.reservedTpp,
  shippedTpp: (a, b) => b.shippedTpp - a.shippedTpp,
  capTpp: (a, b) => b.capTpp - a.capTpp,
  name: () => 0,
};

/** @type {Set<SortKey>} */
const ASCENDING = new Set(['name', 'remainingTpp']);

/** Table columns: heading, sort key (clicking the heading sorts by it), cell. */
/** @type {{ label: string, key: SortKey, numeric: boolean, cell: (q: Quota) => string }[]} */
const COLUMNS = [
  { label: 'Country', key: 'name', numeric: false, cell: (q) => `${q.name} (${q.country})` },
  { label: 'Cap', key: 'capTpp', numeric: true, cell: (q) => tpp(q.capTpp) },
  { label: 'Held', key: 'reservedTpp', numeric: true, cell: (q) => tpp(q.reservedTpp) },
  { label: 'Shipped', key: 'shippedTpp', numeric: true, cell: (q) => tpp(q.shippedTpp) },
  { label: 'Remaining', key: 'remainingTpp', numeric: true, cell: (q) => tpp(q.remainingTpp) },
  { label: 'Used', key: 'useShare', numeric: true, cell: (q) => pct(useShare(q)) },
];

export class AllocationsPanel {
  /** @type {Quota[]} */
  quotas = [];
  /** The rows the chart shows, in its order (its tooltips read them). @type {Quota[]} */
  shown = [];
  /** @type {import('chart.js').Chart<'bar', number[], string> | null} */
  chart = null;
  /**
   * Called with a country code when the user picks a country (a bar of the chart, a name in the table); null
   * when the role may not plan, and then nothing is offered to click.
   * @type {((code: string) => void) | null}
   */
  onChoose = null;
  /** The country picked last, marked in the table. @type {string | null} */
  chosen = null;

  constructor() {
    this.sort = byId('allocations-sort', HTMLSelectElement);
    this.limit = byId('allocations-limit', HTMLSelectElement);
    this.filter = byId('allocations-filter', HTMLInputElement);
    this.summary = byId('allocations-summary', HTMLElement);
    this.error = byId('allocations-error', HTMLElement);
    this.table = byId('allocations-table', HTMLTableElement);
    this.canvas = byId('allocations-chart', HTMLCanvasElement);
    this.box = byId('allocations-chart-box', HTMLElement);
    byId('allocations-controls', HTMLFormElement).addEventListener('submit', (e) => e.preventDefault());
    this.sort.addEventListener('change', () => this.render());
    this.limit.addEventListener('change', () => this.render());
    this.filter.addEventListener('input', () => this.render());
    byId('allocations-refresh', HTMLButtonElement).addEventListener('click', () => {
      void this.load().then(() => this.onRefresh());
    });
  }

  /** Called after the refresh button has reloaded the balances. */
  onRefresh = () => {};

  /** @param {string} code */
  choose(code) {
    if (!this.onChoose) return;
    this.chosen = code;
    for (const row of this.table.querySelectorAll('tbody tr')) {
      if (row instanceof HTMLElement) row.classList.toggle('chosen', row.dataset.country === code);
    }
    this.onChoose(code);
  }

  async load() {
    this.error.textContent = '';
    try {
      const { data } = await api('GET', '/v1/quotas');
      this.quotas = data;
      this.render();
    } catch (error) {
      this.error.textContent = `Could not load the allocations: ${describeError(error)}`;
    }
  }

  /** The rows on display: filtered, sorted (ties by name), cut to the chosen number. */
  visible() {
    const key = /** @type {SortKey} */ (this.sort.value);
    const needle = this.filter.value.trim().toLowerCase();
    // A country code names one country ("in" is India, not every name containing "in"); other text searches names.
    const byCode = this.quotas.filter((q) => q.country.toLowerCase() === needle);
    const rows = (
      byCode.length > 0 ? byCode : this.quotas.filter((q) => q.name.toLowerCase().includes(needle))
    ).sort((a, b) => ORDER[key](a, b) || a.name.localeCompare(b.name, 'en'));
    const limit = this.limit.value === 'all' ? rows.length : Number(this.limit.value);
    return { rows: rows.slice(0, limit), matching: rows.length };
  }

  render() {
    const { rows, matching } = this.visible();
    const held = this.quotas.reduce((sum, q) => sum + q.reservedTpp, 0);
    const shipped = this.quotas.reduce((sum, q) => sum + q.shippedTpp, 0);
    this.summary.textContent =
      `${this.quotas.length} Tier 2 countries; ${tpp(held)} TPP held and ${tpp(shipped)} TPP shipped in all ` +
      `(${h100e(held + shipped)} H100-equivalents). Showing ${rows.length} of ${matching}, sorted by ` +
      `${this.sort.selectedOptions[0]?.textContent?.toLowerCase() ?? ''}.`;
    this.renderChart(rows);
    this.renderTable(rows);
  }

  /** @param {Quota[]} rows */
  renderChart(rows) {
    this.shown = rows;
    // CSSOM, not a style attribute: the CSP allows no inline styles.
    this.box.style.height = `${Math.max(rows.length, 1) * BAR_HEIGHT_PX + 70}px`;
    const labels = rows.map((q) => `${q.name} (${q.country})`);
    const datasets = [
      { label: 'Shipped', data: rows.map((q) => q.shippedTpp), backgroundColor: COLOURS.shipped },
      { label: 'Held', data: rows.map((q) => q.reservedTpp), backgroundColor: COLOURS.held },
      {
        label: 'Remaining',
        data: rows.map((q) => Math.max(q.remainingTpp, 0)),
        backgroundColor: COLOURS.remaining,
      },
    ];
    if (this.chart) {
      this.chart.data.labels = labels;
      this.chart.data.datasets.forEach((dataset, i) => {
        dataset.data = datasets[i]?.data ?? [];
      });
      this.chart.update();
      return;
    }
    this.chart = new Chart(this.canvas, {
      type: 'bar',
      data: { labels, datasets },
      options: {
        indexAxis: 'y',
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        scales: {
          x: {
            stacked: true,
            title: { display: true, text: 'TPP (cap = shipped + held + remaining)' },
            ticks: { callback: (value) => tppShort(Number(value)) },
          },
          y: { stacked: true, ticks: { autoSkip: false } },
        },
        // A bar (or its row) picks the country for the plan beside the chart.
        onClick: (event, _elements, chart) => {
          const q = this.rowAt(chart, event.native);
          if (q) this.choose(q.country);
        },
        onHover: (event, _elements, chart) => {
          // CSSOM, not a style attribute: the CSP allows no inline styles.
          this.canvas.style.cursor = this.onChoose && this.rowAt(chart, event.native) ? 'pointer' : '';
        },
        plugins: {
          legend: { position: 'top' },
          tooltip: {
            callbacks: {
              label: (item) =>
                `${item.dataset.label}: ${tpp(item.parsed.x)} TPP (${h100e(item.parsed.x ?? 0)} H100e)`,
              footer: (items) => {
                const q = this.shown[items[0]?.dataIndex ?? -1];
                return q ? `Cap ${tpp(q.capTpp)} TPP, ${pct(useShare(q))} used` : '';
              },
            },
          },
        },
      },
    });
  }

  /**
   * The country whose row of bars is under the pointer, anywhere along it (not only on a bar).
   * @param {import('chart.js').Chart} chart
   * @param {Event | null} event
   * @returns {Quota | undefined}
   */
  rowAt(chart, event) {
    if (!event) return undefined;
    const [hit] = chart.getElementsAtEventForMode(event, 'y', { intersect: false }, false);
    return hit ? this.shown[hit.index] : undefined;
  }

  /** @param {Quota[]} rows */
  renderTable(rows) {
    const current = this.sort.value;
    const head = h(
      'tr',
      {},
      COLUMNS.map((column) =>
        h(
          'th',
          {
            scope: 'col',
            class: column.numeric ? 'num' : null,
            'aria-sort':
              column.key === current ? (ASCENDING.has(column.key) ? 'ascending' : 'descending') : null,
          },
          h(
            'button',
            {
              type: 'button',
              class: 'sort',
              onclick: () => {
                this.sort.value = column.key;
                this.render();
              },
            },
            column.label,
          ),
        ),
      ),
    );
    replace(/** @type {HTMLElement} */ (this.table.tHead), head);
    replace(
      this.table.tBodies[0] ?? this.table.createTBody(),
      rows.map((q) =>
        h(
          'tr',
          { 'data-country': q.country, class: q.country === this.chosen ? 'chosen' : null },
          COLUMNS.map((column, i) =>
            i === 0
              ? h(
                  'th',
                  { scope: 'row' },
                  this.onChoose
                    ? h(
                        'button',
                        {
                          type: 'button',
                          class: 'choose',
                          title: `Show the plan for ${q.name}`,
                          onclick: () => this.choose(q.country),
                        },
                        column.cell(q),
                      )
                    : column.cell(q),
                  q.govToGovArrangement
                    ? h('abbr', { title: 'Government-to-government arrangement: allocation doubled' }, ' G2G')
                    : null,
                )
              : h('td', { class: column.numeric ? 'num' : null }, column.cell(q)),
          ),
        ),
      ),
    );
  }
}
