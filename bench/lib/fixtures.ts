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
