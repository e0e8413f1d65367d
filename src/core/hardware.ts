/** An accelerator with its peak dense BF16 throughput. */
export interface Gpu {
  id: string;
  label: string;
  /** Peak dense BF16 tensor throughput, FLOP/s (without sparsity). */
  peakFlops: number;
  source: string;
  aliases: readonly string[];
}

/**
 * Peak dense BF16 figures as NVIDIA states them (sparsity figures halved where NVIDIA lists
 * only those); see the reference sheet, §6.
 */
export const GPUS: readonly Gpu[] = [
  {
    id: "H100",
    label: "NVIDIA H100 SXM",
    peakFlops: 989e12,
    source:
      "NVIDIA H100 datasheet: 1,979 TFLOPS BF16 Tensor Core with sparsity, 1/2 without (≈989 TFLOPS dense)",
    aliases: ["h100", "h100-sxm", "h100sxm", "h100 sxm"],
  },
  {
    id: "H100-PCIe",
    label: "NVIDIA H100 PCIe",
    peakFlops: 756e12,
    source: "NVIDIA H100 datasheet: 1,513 TFLOPS BF16 Tensor Core with sparsity, 1/2 without",
    aliases: ["h100-pcie", "h100pcie", "h100 pcie"],
  },
  {
    id: "A100",
    label: "NVIDIA A100 SXM",
    peakFlops: 312e12,
    source: "NVIDIA A100 datasheet: 312 TFLOPS BF16 Tensor Core (624 with sparsity)",
    aliases: ["a100", "a100-sxm", "a100sxm", "a100 sxm", "a100-80gb", "a100-40gb"],
  },
];

/**
 * Default model FLOPs utilisation when the user gives none: a planning assumption, in line with
 * Llama 3 405B's 38-43% BF16 MFU on H100 (Llama 3 2024, Table 4).
 */
export const DEFAULT_MFU = 0.4;

/**
 * The least MFU accepted: 1%. Below it a budget or a training time is surely a slip (a 0 too
 * many), and the answer's GPU-hours would overflow into nonsense.
 */
export const MIN_MFU = 0.01;

export const DEFAULT_MFU_SOURCE =
  "planning default; Llama 3 405B trained at 38-43% BF16 MFU on H100 (Llama 3 2024, Table 4)";

/** Looks a GPU up by id or alias, case-insensitively. */
export function findGpu(name: string): Gpu | undefined {
  const key = name.trim().toLowerCase();
  return GPUS.find((gpu) => gpu.id.toLowerCase() === key || gpu.aliases.includes(key));
}
