import { ApiError } from "../contract/errors.ts";
import { DEFAULT_MFU, findGpu, GPUS, MIN_MFU } from "../core/hardware.ts";
import type { HardwareBudget } from "../core/parse.ts";
import { type TrainingTime, trainingTime } from "../core/planning/training.ts";
import { radixLiteralProblem } from "../core/quantity.ts";

/** Hardware options of an allocate request. */
export interface HardwareRequest {
  gpu?: string;
  gpus?: number | string;
  mfu?: number | string;
  pricePerGpuHour?: number | string;
}

/** The hardware training time is computed for. */
export interface HardwarePlan {
  gpu: string;
  gpuLabel: string;
  /** Peak dense BF16 throughput per GPU, FLOP/s. */
  peakFlops: number;
  gpus: number;
  /** Model FLOPs utilisation, a fraction in (0, 1]. */
  mfu: number;
  mfuIsDefault: boolean;
  /** Price per GPU-hour, in the user's currency. */
  pricePerGpuHour?: number;
  gpuSource: string;
}

/** A decimal number (or percentage, as a fraction) from a hardware field; 400 otherwise. */
function numberField(raw: number | string, field: string, expected: string): number {
  const text = typeof raw === "string" ? raw.trim() : raw;
  const radix = typeof text === "string" ? radixLiteralProblem(text) : undefined;
  if (radix) {
    throw new ApiError(400, "invalid_input", `${field}: ${radix}`, field, expected);
  }
  const percent = typeof text === "string" && text.endsWith("%");
  const value = typeof text === "number" ? text : Number(percent ? text.slice(0, -1) : text);
  if (typeof text === "string" && (text === "" || !/^[0-9.eE+%-]+$/.test(text))) {
    throw new ApiError(400, "invalid_input", `${field}: expected ${expected}`, field, expected);
  }
  if (!Number.isFinite(value)) {
    throw new ApiError(400, "invalid_input", `${field}: expected ${expected}`, field, expected);
  }
  return percent ? value / 100 : value;
}

/**
 * The request's model FLOPs utilisation as a fraction in (0, 1] (`0.4` or `40%`), or undefined
 * when none was given; 400 naming `mfu` otherwise.
 */
export function readRequestMfu(raw: number | string | undefined): number | undefined {
  if (raw === undefined || raw === "") return undefined;
  const mfu = numberField(raw, "mfu", "a utilisation such as 0.4 or 40%");
  if (!(mfu >= MIN_MFU && mfu <= 1)) {
    throw new ApiError(
      400,
      "invalid_input",
      `mfu: expected a utilisation from ${MIN_MFU * 100}% to 100% (or ${MIN_MFU} to 1)`,
      "mfu",
    );
  }
  return mfu;
}

/**
 * Reads gpu, gpus, mfu and pricePerGpuHour; falls back to the hardware of a budget given as GPU
 * time. Returns undefined when no hardware was given.
 */
export function readHardware(
  request: HardwareRequest,
  budgetHardware?: HardwareBudget,
): HardwarePlan | undefined {
  const given = [request.gpu, request.gpus, request.mfu, request.pricePerGpuHour].some(
    (v) => v !== undefined && v !== "",
  );
  if (!given && !budgetHardware) return undefined;
  const gpuName = request.gpu || budgetHardware?.gpu;
  if (!gpuName) {
    throw new ApiError(
      400,
      "invalid_input",
      "gpu: required with gpus, mfu or pricePerGpuHour",
      "gpu",
      GPUS.map((g) => g.id).join(", "),
    );
  }
  const gpu = findGpu(gpuName);
  if (!gpu) {
    throw new ApiError(
      400,
      "invalid_input",
      `gpu: unknown GPU "${gpuName.slice(0, 40)}"`,
      "gpu",
      `one of ${GPUS.map((g) => g.id).join(", ")} (GET /api/v1/gpus)`,
    );
  }
  const gpus =
    request.gpus === undefined || request.gpus === ""
      ? Math.max(1, Math.round(budgetHardware?.gpus ?? 1))
      : numberField(request.gpus, "gpus", "a whole number of GPUs from 1 to 10,000,000");
  if (!Number.isInteger(gpus) || gpus < 1 || gpus > 1e7) {
    throw new ApiError(
      400,
      "invalid_input",
      "gpus: expected a whole number of GPUs from 1 to 10,000,000",
      "gpus",
    );
  }
  // A GPU-time budget was read at the request's mfu when it gave one (see readQuestion).
  const requestMfu = readRequestMfu(request.mfu);
  const mfu = requestMfu ?? budgetHardware?.mfu ?? DEFAULT_MFU;
  const mfuIsDefault = requestMfu === undefined && (budgetHardware?.mfuIsDefault ?? true);
  let pricePerGpuHour: number | undefined;
  if (request.pricePerGpuHour !== undefined && request.pricePerGpuHour !== "") {
    pricePerGpuHour = numberField(
      request.pricePerGpuHour,
      "pricePerGpuHour",
      "a price per GPU-hour such as 2.5",
    );
    if (!(pricePerGpuHour >= 0 && pricePerGpuHour <= 1e4)) {
      throw new ApiError(
        400,
        "invalid_input",
        "pricePerGpuHour: expected a price from 0 to 10,000 per GPU-hour",
        "pricePerGpuHour",
      );
    }
  }
  return {
    gpu: gpu.id,
    gpuLabel: gpu.label,
    peakFlops: gpu.peakFlops,
    gpus,
    mfu,
    mfuIsDefault,
    ...(pricePerGpuHour === undefined ? {} : { pricePerGpuHour }),
    gpuSource: gpu.source,
  };
}

/**
 * Training time of a budget on the planned hardware.
 * @param flops training compute, FLOPs
 * @returns GPU-hours, days on `plan.gpus` GPUs, and cost when priced
 */
export function trainingOn(plan: HardwarePlan, flops: number): TrainingTime {
  return trainingTime(flops, plan.peakFlops, plan.mfu, plan.gpus, plan.pricePerGpuHour);
}
