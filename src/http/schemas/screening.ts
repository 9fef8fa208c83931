import { z } from 'zod';
import { SCREENING_LIST_CODES } from '../../domain/screening.ts';

export const ScreeningMatchSchema = z
  .object({
    party: z.enum(['CONSIGNEE', 'END_USER']).optional().describe('Which party of the shipment matched'),
    partyName: z.string().optional().describe('The name that was screened'),
    entryName: z.string().describe('The listed party'),
    matchedName: z.string().describe('The listed name or alternate name that matched'),
    source: z
      .string()
      .describe('The CSL source list, e.g. "Entity List (EL) - Bureau of Industry and Security"'),
    list: z.enum(SCREENING_LIST_CODES).describe('EL, MEU, UVL, DPL, SDN or OTHER'),
    countries: z.array(z.string()).describe("Countries of the entry's addresses"),
    score: z
      .number()
      .describe('0 to 1: 1 for the same party identity; trigram similarity otherwise, ±country'),
    kind: z.enum(['HIT', 'POSSIBLE_MATCH']),
    licenseRequirement: z.string().nullable(),
    licensePolicy: z.string().nullable(),
    federalRegisterNotice: z.string().nullable(),
    startDate: z.string().nullable(),
  })
  .meta({ id: 'ScreeningMatch', description: 'One restricted-party list entry a name matched' });

export const ScreeningResultSchema = z
  .object({
    listId: z
      .string()
      .nullable()
      .describe('The import screened against (GET /v1/screening-lists); null: none yet'),
    importedAt: z.string().nullable(),
    matches: z.array(ScreeningMatchSchema),
  })
  .meta({ id: 'ScreeningResult', description: 'What a screening found, and against which import' });
