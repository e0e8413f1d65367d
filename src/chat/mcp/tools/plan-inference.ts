import { z } from "zod";
import { InferencePlanSchema } from "../../../api/plans.ts";
import { answerInferencePlan, DEFAULT_INFERENCE_FIT } from "../../../service/plans.ts";
import { defineTool } from "../tool.ts";
import { hardwareInputs, oneFitInput, quantityInput } from "./inputs.ts";
import { renderInferencePlanText } from "./plan-text.ts";

export const planInference = defineTool({
  name: "plan_inference",
  title: "Inference-aware model size (training + inference compute)",
  description: [
    "Which model to train when it will also serve a known number of inference tokens: the N and D that reach a loss at the least lifetime compute 6·N·D + 2·N·D_inf (Sardana et al. 2024).",
    "Give loss (nats/token) or flops (a budget whose compute-optimal loss is the target), and inferenceTokens ('2T'; 0 for none); with gpu, the training time.",
    "The answer: params, tokens, the training, inference and total FLOPs, the compute-optimal model for the same loss, and the saving.",
    `One fit with a parametric loss law (default ${DEFAULT_INFERENCE_FIT}, see fitChoice; your own parametric fits too, not compute-law fits).`,
    "The result is the JSON of GET /api/v1/plan/inference.",
  ].join(" "),
  inputSchema: z.object({
    loss: quantityInput("Target loss in nats per token, e.g. 2.0 (give loss or flops)."),
    flops: quantityInput(
      "A training budget whose compute-optimal loss is the target (give loss or flops): 1e24, '5000 PF-days', '1M H100-hours @ 40% MFU'.",
    ),
    inferenceTokens: quantityInput(
      "Lifetime inference tokens D_inf the model will serve: 2e12 or '2T'; 0 for none.",
    ),
    fit: oneFitInput(DEFAULT_INFERENCE_FIT, "loss-law"),
    ...hardwareInputs,
  }),
  outputSchema: InferencePlanSchema,
  async run(c, request) {
    const answer = answerInferencePlan(await c.var.fits(request.fit), request);
    return { structured: answer, text: renderInferencePlanText(answer) };
  },
});
