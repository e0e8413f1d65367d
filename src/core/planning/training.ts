import { SECONDS_PER_HOUR } from "../units.ts";

/** Wall-clock and cost of training at a budget on given hardware. */
export interface TrainingTime {
  gpuHours: number;
  /** Days on `gpus` accelerators. */
  days: number;
  gpus: number;
  mfu: number;
  /** gpuHours × price, in the price's currency, when a price per GPU-hour is given. */
  cost?: number;
}

/**
 * GPU-hours = C / (peak × MFU × 3600) and days = GPU-hours / (gpus × 24).
 * @param flops training compute C, FLOPs
 * @param peakFlops peak dense throughput per GPU, FLOP/s
 * @param mfu model FLOPs utilisation in (0, 1]
 */
export function trainingTime(
  flops: number,
  peakFlops: number,
  mfu: number,
  gpus: number,
  pricePerGpuHour?: number,
): TrainingTime {
  const gpuHours = flops / (peakFlops * mfu * SECONDS_PER_HOUR);
  return {
    gpuHours,
    days: gpuHours / gpus / 24,
    gpus,
    mfu,
    ...(pricePerGpuHour === undefined ? {} : { cost: gpuHours * pricePerGpuHour }),
  };
}
