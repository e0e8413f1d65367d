import { z } from "zod";
import { leanAllocateAnswer, readInclude } from "../../../api/lean.ts";
import { answerAllocate } from "../../../service/allocate.ts";
import { defineTool } from "../tool.ts";
import {
  AllocationSummarySchema,
  allocationSummary,
  renderAllocationSummary,
} from "./allocation-summary.ts";
import { fitsInput, hardwareInputs, kaplanBudgetInput, quantityInput } from "./inputs.ts";

export const computeOptimalAllocation = defineTool({
  name: "compute_optimal_allocation",
  title: "Compute-optimal model size and training tokens",
  description: [
    "Answers how big a language model to train, on how many tokens, for a training compute budget, under every published scaling-law fit (Chinchilla approaches 1-3, the Besiroglu et al. 2024 re-fit, Kaplan et al. 2020, DeepSeek, Llama 3, Muennighoff et al., 20 tokens/param).",
    "Give exactly one of flops (a budget), params (a model size), tokens (a data size) or loss (a target loss), as a number or text with units; C ≈ 6·N·D FLOPs, GPU time at peak dense BF16.",
    "Per fit: N (total, or non-embedding for Kaplan and DeepSeek), D, tokens per parameter, loss in nats/token on the fit's own data (not comparable across fits), the growth of N and D for 10x compute, 80% intervals where published, and with gpu the training time and cost.",
    "Warnings flag extrapolation. The result sums up GET /api/v1/allocate at 4 significant digits; that route with include=notes,sources has sources and notes.",
  ].join(" "),
  inputSchema: z.object({
    flops: quantityInput(
      "Training compute budget: FLOPs as a number (1e24) or text: '1e24', '5000 PF-days', '1M H100-hours @ 40% MFU', '1024 H100 x 30 days'.",
    ),
    params: quantityInput("Model size in parameters: 7e10 or '70B'."),
    tokens: quantityInput("Training data in tokens: 1.4e12 or '1.4T'."),
    loss: quantityInput(
      "Target loss in nats per token, e.g. 2.0 (only fits with a loss law answer).",
    ),
    fits: fitsInput,
    kaplanBudget: kaplanBudgetInput,
    ...hardwareInputs,
  }),
  outputSchema: AllocationSummarySchema,
  async run(c, { fits, ...question }) {
    const request = { ...question, fit: fits };
    const answer = leanAllocateAnswer(
      answerAllocate(await c.var.fits(fits), request),
      // Exact numbers, so the summary rounds once, to its own 4 digits.
      readInclude(["exact"]),
    );
    const summary = allocationSummary(answer);
    return { structured: summary, text: renderAllocationSummary(summary) };
  },
});
