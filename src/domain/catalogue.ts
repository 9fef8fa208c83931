import { classifyChip, classifySystem, computeTpp, performanceDensity } from './classify.ts';
import { ClassificationError } from './errors.ts';
import type { ChipEccn, Eccn, Peak, ProductKind } from './types.ts';

/**
 * Datasheet inputs for a product. TPP, PD and ECCN are never stored here: they are computed from these
 * figures by classifyProduct, so correcting a figure corrects the classification.
 */
export interface ProductSpec {
  id: string;
  vendor: string;
  name: string;
  kind: ProductKind;
  /** Designed or marketed for data centres (Note 2 to 3A090). */
  datacenter: boolean;
  /** Dense (non-sparse) peaks; empty for a system, whose TPP comes from its component. */
  peaks: Peak[];
  /** Applicable die area: the logic dies on non-planar nodes; null when the vendor does not publish it. */
  dieAreaMm2: number | null;
  /** DRAM bandwidth per chip in GB/s (91 FR 1684 tests it); null for a system (read its component). */
  memoryBandwidthGBs: number | null;
  componentId?: string;
  componentCount?: number;
  source: string;
  confidence: string;
}

export interface ProductClassification {
  tpp: number;
  performanceDensity: number | null;
  eccn: Eccn;
  note2Applied: boolean;
  basis: string;
  /** TPP of one chip: the product's own for a chip, the component's for a system. */
  chipTpp: number;
  /** DRAM bandwidth of one chip: the product's own for a chip, the component's for a system. */
  memoryBandwidthGBs: number | null;
}

export type ComponentLookup = (id: string) => ProductSpec | undefined;

function classifyChipSpec(spec: ProductSpec): ProductClassification & { eccn: ChipEccn } {
  const tpp = computeTpp(spec.peaks);
  const pd = performanceDensity(tpp, spec.dieAreaMm2);
  const result = classifyChip({ tpp, performanceDensity: pd, datacenter: spec.datacenter });
  return {
    tpp,
    performanceDensity: pd,
    eccn: result.eccn,
    note2Applied: result.note2Applied,
    basis: result.basis,
    chipTpp: tpp,
    memoryBandwidthGBs: spec.memoryBandwidthGBs,
  };
}

export function classifyProduct(spec: ProductSpec, lookupComponent: ComponentLookup): ProductClassification {
  if (spec.kind === 'CHIP') return classifyChipSpec(spec);

  if (spec.componentId === undefined || spec.componentCount === undefined) {
    throw new ClassificationError(
      'COMPONENT_REQUIRED',
      `System '${spec.id}' needs componentId and componentCount`,
      {
        id: spec.id,
      },
    );
  }
  const component = lookupComponent(spec.componentId);
  if (component === undefined) {
    throw new ClassificationError(
      'COMPONENT_NOT_FOUND',
      `Component '${spec.componentId}' of '${spec.id}' is unknown`,
      {
        id: spec.id,
        componentId: spec.componentId,
      },
    );
  }
  if (component.kind !== 'CHIP') {
    throw new ClassificationError(
      'COMPONENT_NOT_A_CHIP',
      `Component '${component.id}' of '${spec.id}' is not a chip`,
      {
        id: spec.id,
        componentId: component.id,
      },
    );
  }
  const chip = classifyChipSpec(component);
  const system = classifySystem(
    {
      tpp: chip.tpp,
      performanceDensity: chip.performanceDensity,
      eccn: chip.eccn,
      note2Applied: chip.note2Applied,
    },
    spec.componentCount,
  );
  return {
    tpp: system.tpp,
    performanceDensity: system.performanceDensity,
    eccn: system.eccn,
    note2Applied: system.note2Applied,
    basis: system.basis,
    chipTpp: chip.tpp,
    memoryBandwidthGBs: component.memoryBandwidthGBs,
  };
}

const peak = (precision: string, tops: number, bitLength: number): Peak => ({ precision, tops, bitLength });

// TF32 peaks are left out: its bit length for the TPP formula is unsettled (19 or 32), and it never sets the
// maximum for these parts. FP64 tensor peaks are kept where the reference lists them.
const SECONDARY =
  'medium: datasheet figures from secondary compilations or memory; verify against the vendor datasheet';

/** Seed catalogue, written from /reference/ai-chip-export-data.json (each entry names that file's sources). */
export const SEED_PRODUCTS: readonly ProductSpec[] = [
  {
    id: 'nvidia-h100-sxm',
    vendor: 'NVIDIA',
    name: 'H100 SXM5 80GB',
    kind: 'CHIP',
    datacenter: true,
    peaks: [
      peak('FP8', 1979, 8),
      peak('INT8', 1979, 8),
      peak('BF16', 989.5, 16),
      peak('FP16', 989.5, 16),
      peak('FP64', 67, 64),
    ],
    dieAreaMm2: 814,
    memoryBandwidthGBs: 3350,
    source:
      'NVIDIA H100 datasheet, sparse figures halved; SemiAnalysis on the AI Diffusion rule (2025) gives 15,831 TPP and an 814 mm² GH100 die. The H100-equivalent basis.',
    confidence: 'high: TPP and die area confirmed by a secondary source; other datasheet values from memory',
  },
  {
    id: 'nvidia-h100-pcie',
    vendor: 'NVIDIA',
    name: 'H100 PCIe 80GB',
    kind: 'CHIP',
    datacenter: true,
    peaks: [peak('FP8', 1513, 8), peak('INT8', 1513, 8), peak('BF16', 756, 16), peak('FP16', 756, 16)],
    dieAreaMm2: 814,
    memoryBandwidthGBs: 2000,
    source: 'NVIDIA H100 datasheet, PCIe column (3,026 sparse FP8 halved); same GH100 die as the SXM part.',
    confidence: SECONDARY,
  },
  {
    id: 'nvidia-h200-sxm',
    vendor: 'NVIDIA',
    name: 'H200 SXM 141GB',
    kind: 'CHIP',
    datacenter: true,
    peaks: [peak('FP8', 1979, 8), peak('INT8', 1979, 8), peak('BF16', 989.5, 16), peak('FP16', 989.5, 16)],
    dieAreaMm2: 814,
    memoryBandwidthGBs: 4800,
    source:
      'NVIDIA H200 datasheet (GH100 compute, as H100 SXM); 814 mm² die per aiwiki; named by 91 FR 1684 as under 21,000 TPP and 6,500 GB/s.',
    confidence: SECONDARY,
  },
  {
    id: 'nvidia-h800',
    vendor: 'NVIDIA',
    name: 'H800 SXM',
    kind: 'CHIP',
    datacenter: true,
    peaks: [peak('FP8', 1979, 8), peak('INT8', 1979, 8), peak('BF16', 989.5, 16)],
    dieAreaMm2: 814,
    memoryBandwidthGBs: 3350,
    source:
      'China-market H100 with NVLink cut to 400 GB/s and tensor throughput unchanged; caught by the TPP-only test of 88 FR 73458.',
    confidence: 'low: figures from memory; verify against the vendor datasheet',
  },
  {
    id: 'nvidia-h20',
    vendor: 'NVIDIA',
    name: 'H20',
    kind: 'CHIP',
    datacenter: true,
    peaks: [peak('FP8', 296, 8), peak('INT8', 296, 8), peak('BF16', 148, 16), peak('FP16', 148, 16)],
    dieAreaMm2: 814,
    memoryBandwidthGBs: 4000,
    source:
      'Press and SemiAnalysis reports of the H20 specification; licence requirement to China by BIS letter of 2025-04-09 (NVIDIA Form 8-K, 2025-04-15).',
    confidence: 'low: figures from memory; verify against the vendor datasheet',
  },
  {
    id: 'nvidia-a100-sxm',
    vendor: 'NVIDIA',
    name: 'A100 SXM4 80GB',
    kind: 'CHIP',
    datacenter: true,
    peaks: [
      peak('INT8', 624, 8),
      peak('INT4', 1248, 4),
      peak('BF16', 312, 16),
      peak('FP16', 312, 16),
      peak('FP64', 19.5, 64),
    ],
    dieAreaMm2: 826,
    memoryBandwidthGBs: 2039,
    source: 'NVIDIA A100 datasheet, sparse figures halved; 826 mm² GA100 die from memory.',
    confidence: SECONDARY,
  },
  {
    id: 'nvidia-a800',
    vendor: 'NVIDIA',
    name: 'A800 SXM4 80GB',
    kind: 'CHIP',
    datacenter: true,
    peaks: [peak('INT8', 624, 8), peak('BF16', 312, 16), peak('FP16', 312, 16)],
    dieAreaMm2: 826,
    memoryBandwidthGBs: 2039,
    source: 'China-market A100 with NVLink reduced to 400 GB/s and tensor throughput unchanged.',
    confidence: 'low: figures from memory; verify against the vendor datasheet',
  },
  {
    id: 'nvidia-l40s',
    vendor: 'NVIDIA',
    name: 'L40S',
    kind: 'CHIP',
    datacenter: true,
    peaks: [peak('FP8', 733, 8), peak('INT8', 733, 8), peak('BF16', 362.05, 16), peak('FP16', 362.05, 16)],
    dieAreaMm2: 608.5,
    memoryBandwidthGBs: 864,
    source:
      'NVIDIA L40S datasheet (733 dense FP8) as tabulated by third parties; AD102 die of 608.5 mm² from memory.',
    confidence: SECONDARY,
  },
  {
    id: 'nvidia-l20',
    vendor: 'NVIDIA',
    name: 'L20',
    kind: 'CHIP',
    datacenter: true,
    peaks: [peak('FP8', 239, 8), peak('INT8', 239, 8), peak('BF16', 119.5, 16), peak('FP16', 119.5, 16)],
    dieAreaMm2: 608.5,
    memoryBandwidthGBs: 864,
    source:
      'Third-party compilations of the China-market AD102 part; PD of about 3.14 sits just under the 3.2 line, so the die-area basis matters.',
    confidence: SECONDARY,
  },
  {
    id: 'nvidia-l4',
    vendor: 'NVIDIA',
    name: 'L4',
    kind: 'CHIP',
    datacenter: true,
    peaks: [peak('FP8', 242.5, 8), peak('INT8', 242.5, 8), peak('BF16', 121, 16), peak('FP16', 121, 16)],
    dieAreaMm2: 294.5,
    memoryBandwidthGBs: 300,
    source:
      'NVIDIA L4 datasheet, sparse figures halved; AD104 die of 294.5 mm² from memory; NVIDIA FY2024 10-K lists the L4 among parts hit by the October 2023 rule.',
    confidence: SECONDARY,
  },
  {
    id: 'nvidia-b100',
    vendor: 'NVIDIA',
    name: 'B100',
    kind: 'CHIP',
    datacenter: true,
    peaks: [peak('FP8', 3500, 8), peak('INT8', 3500, 8), peak('FP4', 7000, 4), peak('BF16', 1750, 16)],
    dieAreaMm2: null,
    memoryBandwidthGBs: 8000,
    source:
      'NVIDIA Blackwell launch figures, dense taken as half of sparse; two-die package, die area not published.',
    confidence: 'low: figures from memory; verify against the vendor datasheet',
  },
  {
    id: 'nvidia-b200',
    vendor: 'NVIDIA',
    name: 'B200 (HGX, per GPU)',
    kind: 'CHIP',
    datacenter: true,
    peaks: [peak('FP8', 4500, 8), peak('INT8', 4500, 8), peak('FP4', 9000, 4), peak('BF16', 2250, 16)],
    dieAreaMm2: null,
    memoryBandwidthGBs: 8000,
    source: 'Third-party compilations (4.5 PFLOPS dense FP8); die area not published.',
    confidence: SECONDARY,
  },
  {
    id: 'nvidia-gb200',
    vendor: 'NVIDIA',
    name: 'GB200 (per Blackwell GPU)',
    kind: 'CHIP',
    datacenter: true,
    peaks: [peak('FP8', 5000, 8), peak('INT8', 5000, 8), peak('FP4', 10000, 4), peak('BF16', 2500, 16)],
    dieAreaMm2: null,
    memoryBandwidthGBs: 8000,
    source:
      'Third-party compilations of GB200 NVL72 per-GPU figures; superchip and NVL72 systems are 4A090.a.',
    confidence: SECONDARY,
  },
  {
    id: 'amd-mi300x',
    vendor: 'AMD',
    name: 'Instinct MI300X',
    kind: 'CHIP',
    datacenter: true,
    peaks: [
      peak('FP8', 2614.9, 8),
      peak('INT8', 2614.9, 8),
      peak('BF16', 1307.4, 16),
      peak('FP16', 1307.4, 16),
      peak('FP32', 163.4, 32),
    ],
    dieAreaMm2: null,
    memoryBandwidthGBs: 5300,
    source:
      'AMD MI300X datasheet figures as compiled by third parties; chiplet design whose applicable die area (all FinFET logic dies) is not published.',
    confidence: SECONDARY,
  },
  {
    id: 'amd-mi325x',
    vendor: 'AMD',
    name: 'Instinct MI325X',
    kind: 'CHIP',
    datacenter: true,
    peaks: [
      peak('FP8', 2614.9, 8),
      peak('INT8', 2614.9, 8),
      peak('BF16', 1307.4, 16),
      peak('FP16', 1307.4, 16),
    ],
    dieAreaMm2: null,
    memoryBandwidthGBs: 6000,
    source: 'Same CDNA3 compute as MI300X with 256 GB HBM3E; named by 91 FR 1684 with the H200.',
    confidence: 'low: figures from memory; verify against the vendor datasheet',
  },
  {
    id: 'amd-mi250x',
    vendor: 'AMD',
    name: 'Instinct MI250X',
    kind: 'CHIP',
    datacenter: true,
    peaks: [
      peak('BF16', 383, 16),
      peak('FP16', 383, 16),
      peak('INT8', 383, 8),
      peak('INT4', 383, 4),
      peak('FP64', 95.7, 64),
    ],
    dieAreaMm2: null,
    memoryBandwidthGBs: 3277,
    source:
      'AMD MI250X specification (383 TFLOPS FP16/BF16, no sparsity) per third-party compilations; two GCDs.',
    confidence: SECONDARY,
  },
  {
    id: 'intel-gaudi2',
    vendor: 'Intel',
    name: 'Gaudi 2',
    kind: 'CHIP',
    datacenter: true,
    peaks: [peak('FP8', 865, 8), peak('BF16', 432, 16)],
    dieAreaMm2: null,
    memoryBandwidthGBs: 2450,
    source: 'Intel Gaudi white-paper figures as tabulated by third parties (FP8 865, BF16 432 TFLOPS).',
    confidence: SECONDARY,
  },
  {
    id: 'intel-gaudi3',
    vendor: 'Intel',
    name: 'Gaudi 3',
    kind: 'CHIP',
    datacenter: true,
    peaks: [peak('FP8', 1835, 8), peak('BF16', 1835, 16)],
    dieAreaMm2: null,
    memoryBandwidthGBs: 3700,
    source:
      'Intel Gaudi 3 white paper (matrix engines at 1,835 TFLOPS in both FP8 and BF16, so BF16 sets TPP).',
    confidence: SECONDARY,
  },
  {
    id: 'nvidia-dgx-h100',
    vendor: 'NVIDIA',
    name: 'DGX H100 (8 x H100 SXM)',
    kind: 'SYSTEM',
    datacenter: true,
    peaks: [],
    dieAreaMm2: null,
    memoryBandwidthGBs: null,
    componentId: 'nvidia-h100-sxm',
    componentCount: 8,
    source:
      'NVIDIA DGX H100 system with eight H100 SXM GPUs; a system has the TPP of its GPUs (4A090, 88 FR 73458).',
    confidence: 'high: composition published by NVIDIA',
  },
];

const SEED_BY_ID = new Map(SEED_PRODUCTS.map((product) => [product.id, product]));

export function findSeedProduct(id: string): ProductSpec | undefined {
  return SEED_BY_ID.get(id);
}
