import { z } from "zod";
import { DataPlanSchema } from "../../../api/plans.ts";
import { answerDataPlan, DEFAULT_DATA_FIT } from "../../../service/plans.ts";
import { defineTool } from "../tool.ts";
import { hardwareInputs, oneFitInput, quantityInput } from "./inputs.ts";
import { renderDataPlanText } from "./plan-text.ts";

export const planData = defineTool({
  name: "plan_data",
  title: "Best model when unique data is limited (repeated epochs)",
  description: [
    "How to spend a training budget when only uniqueTokens unique tokens exist, so data repeats (Muennighoff et al. 2023: repeats and extra parameters lose value).",
    "Give flops (1e24, '5000 PF-days') and uniqueTokens ('500B'); with gpu, the training time.",
    "The answer: params, tokens, epochs, loss, the model and loss with unlimited data, the loss penalty, and warnings past about 4, 16 and 40 epochs.",
    "It needs a repeated-data law: muennighoff-2023, the default and only one; fits of your own runs have no such law and are refused.",
    "The result is the JSON of GET /api/v1/plan/data.",
  ].join(" "),
  inputSchema: z.object({
    flops: quantityInput(
      "Training compute budget: FLOPs as a number (1e24) or text: '1e24', '5000 PF-days', '1M H100-hours @ 40% MFU'.",
    ),
    uniqueTokens: quantityInput("Unique tokens available: 5e11 or '500B'."),
    fit: oneFitInput(DEFAULT_DATA_FIT, "repeated-data"),
    ...hardwareInputs,
  }),
  outputSchema: DataPlanSchema,
  async run(c, request) {
    const answer = answerDataPlan(await c.var.fits(request.fit), request);
    return { structured: answer, text: renderDataPlanText(answer) };
  },
});
