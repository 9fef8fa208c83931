/** Request bodies for the benchmark. shipDate is pinned so the decisions do not change with the calendar. */

export const SHIP_DATE = '2025-06-01';

/** Tier 1: no licence, no quota read. */
export const TIER1_CHECK = {
  destination: 'KR',
  items: [{ productId: 'nvidia-h100-sxm', quantity: 10_000 }],
  endUser: { name: 'Bench Korea Cloud', headquarters: 'KR', verifiedEndUser: null },
  shipDate: SHIP_DATE,
};

/** Tier 2 above LPP: a licence against the country allocation, which the check reads. */
export const TIER2_CHECK = {
  destination: 'AE',
  items: [{ productId: 'nvidia-h100-sxm', quantity: 2_000 }],
  endUser: { name: 'Bench Gulf Cloud', headquarters: 'AE', verifiedEndUser: null },
  shipDate: SHIP_DATE,
};

/** The Tier 2 country the reservations hammer: every reservation locks its one allocation row. */
export const RESERVATION_COUNTRY = 'IN';
/** Raised by PATCH before the run (the schema's maximum) so the allocation never runs out mid-run. */
export const RESERVATION_ALLOCATION_TPP = 1e13;
/** 1,700 x H100 = 26,914,400 TPP: above one consignee's LPP budget (26,900,000), so it holds the allocation. */
export const RESERVATION_QUANTITY = 1_700;
/** A country has many consignees; cycling through a few also exercises the LPP pool lookups. */
export const RESERVATION_CONSIGNEES = 64;

export function reservationBody(consignee: number): string {
  return JSON.stringify({
    destination: RESERVATION_COUNTRY,
    items: [{ productId: 'nvidia-h100-sxm', quantity: RESERVATION_QUANTITY }],
    endUser: { name: 'Bench India Compute', headquarters: RESERVATION_COUNTRY, verifiedEndUser: null },
    consignee: `Bench Consignee ${consignee}`,
    shipDate: SHIP_DATE,
  });
}

/** Lines in one heavy order: the schema's maximum (MAX_ITEMS). */
export const HEAVY_LINES = 500;
const HEAVY_PRODUCTS = ['nvidia-h100-sxm', 'nvidia-h200-sxm', 'nvidia-a100-sxm', 'nvidia-l40s', 'nvidia-l4'];

/** A 500-line Tier 2 order mixing catalogue products and custom boards: the most one check may ask for. */
export function heavyOrder(): unknown {
  return {
    destination: 'AE',
    items: Array.from({ length: HEAVY_LINES }, (_, i) =>
      i % 2 === 0
        ? { productId: HEAVY_PRODUCTS[(i / 2) % HEAVY_PRODUCTS.length] as string, quantity: 1 + (i % 7) }
        : {
            description: `Bench custom board ${i}`,
            tpp: 1_000 + i * 17.125,
            performanceDensity: 4.2,
            datacenter: true,
            quantity: 2,
          },
    ),
    endUser: { name: 'Bench Gulf Integrator', headquarters: 'AE', verifiedEndUser: null },
    shipDate: SHIP_DATE,
  };
}
