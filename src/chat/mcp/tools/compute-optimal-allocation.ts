import { z } from "zod";
import { AllocateAnswerSchema } from "../../../api/schemas.ts";
import { answerAllocate } from "../../../service/allocate.ts";
import { renderAllocateText } from "../../text/render.ts";
import { defineTool } from "../tool.ts";
import { fitsInput, hardwareInputs, kaplanBudgetInput, quantityInput } from "./inputs.ts";

export const computeOptimalAllocation = defineTool({
  name: "compute_optimal_allocation",
  title: "Compute-optimal model size and training tokens",
  description: [
    "Answers how big a language model to train and on how many tokens for a training compute budget, under every published scaling-law fit (Chinchilla approaches 1-3, the Besiroglu et al. 2024 re-fit, Kaplan et al. 2020, DeepSeek, Llama 3, 20 tokens/param).",
    "Give exactly one of flops (a budget), params (a model size: the tokens and compute that make it optimal), tokens (a data size) or loss (a target loss: the least compute that reaches it), as a number or text with units.",
    "Compute is C ≈ 6·N·D FLOPs; 1 PF-day = 8.64e19 FLOPs; GPU time such as '1M H100-hours @ 40% MFU' is converted at peak dense BF16.",
    "Each allocation gives parameters N (counted as each fit counts them: total, or non-embedding for Kaplan and DeepSeek), tokens D, tokens per parameter, predicted loss in nats/token on the fit's own dataset (not comparable across fits), and the growth of N and D when compute grows 10x.",
    "Fits that publish uncertainty (Besiroglu et al. 2024, Hoffmann et al. Table 2) add 80% intervals on N, D and loss. With gpu (and optionally gpus, mfu, pricePerGpuHour) each fit adds training GPU-hours = C / (peak × MFU × 3600), days on that many GPUs and cost.",
    "Warnings flag extrapolation beyond a fit's measured range. The result is the JSON of GET /api/v1/allocate.",
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
  outputSchema: AllocateAnswerSchema,
  async run(c, { fits, ...question }) {
    const request = { ...question, fit: fits };
    const answer = answerAllocate(await c.var.fits(fits), request);
    return { structured: answer, text: renderAllocateText(answer) };
  },
});
