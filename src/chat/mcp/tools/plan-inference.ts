import { z } from "zod";
import { InferencePlanSchema } from "../../../api/plans.ts";
import { answerInferencePlan, DEFAULT_INFERENCE_FIT } from "../../../service/plans.ts";
import { defineTool } from "../tool.ts";
import { oneFitInput, quantityInput } from "./inputs.ts";
import { renderInferencePlanText } from "./plan-text.ts";

export const planInference = defineTool({
  name: "plan_inference",
  title: "Inference-aware model size (training + inference compute)",
  description: [
    "Answers which model to train when it will also serve a known number of inference tokens: the model size N and training tokens D that reach a loss at the least lifetime compute, training 6·N·D plus inference 2·N·D_inf FLOPs (Sardana et al. 2024).",
    "Give loss (a target loss in nats/token) or flops (a training budget whose compute-optimal loss is the target), and inferenceTokens (lifetime tokens served, e.g. '2T'; 0 gives the compute-optimal model).",
    "The answer has params, tokens, tokensPerParam, trainingFlops, inferenceFlops and totalFlops (FLOPs), the compute-optimal model for the same loss with its lifetime compute, and the saving (savingFlops, savingFraction of the compute-optimal total).",
    `It uses one fit with a parametric loss law L = E + A/N^α + B/D^β (default ${DEFAULT_INFERENCE_FIT}, stated in the answer's fitChoice; your own parametric fits work too, compute-law fits do not); losses are on that fit's dataset.`,
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
  }),
  outputSchema: InferencePlanSchema,
  async run(c, request) {
    const answer = answerInferencePlan(await c.var.fits(request.fit), request);
    return { structured: answer, text: renderInferencePlanText(answer) };
  },
});
