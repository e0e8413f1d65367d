import { z } from "zod";
import { DataPlanSchema } from "../../../api/plans.ts";
import { answerDataPlan, DEFAULT_DATA_FIT } from "../../../service/plans.ts";
import { defineTool } from "../tool.ts";
import { oneFitInput, quantityInput } from "./inputs.ts";
import { renderDataPlanText } from "./plan-text.ts";

export const planData = defineTool({
  name: "plan_data",
  title: "Best model when unique data is limited (repeated epochs)",
  description: [
    "Answers how to spend a training budget when only uniqueTokens unique tokens exist, so data may be repeated for several epochs (Muennighoff et al. 2023: repeated tokens and extra parameters lose value with effective data D' and parameters N').",
    "Give flops (a budget: 1e24, '5000 PF-days', '1M H100-hours @ 40% MFU') and uniqueTokens ('500B').",
    "The answer has params, tokens, epochs (tokens / uniqueTokens), tokensPerParam and the loss in nats/token, the loss and model with unlimited data, the loss penalty, and warnings past about 4 epochs (loss starts to suffer), 16 (repeats worth about half) and 40 (repeats worth almost nothing).",
    "It needs a fit with a repeated-data law: muennighoff-2023 (the default and the only published one); fits of your own runs have no such law and are refused.",
    "The result is the JSON of GET /api/v1/plan/data.",
  ].join(" "),
  inputSchema: z.object({
    flops: quantityInput(
      "Training compute budget: FLOPs as a number (1e24) or text: '1e24', '5000 PF-days', '1M H100-hours @ 40% MFU'.",
    ),
    uniqueTokens: quantityInput("Unique tokens available: 5e11 or '500B'."),
    fit: oneFitInput(DEFAULT_DATA_FIT, "repeated-data"),
  }),
  outputSchema: DataPlanSchema,
  async run(c, request) {
    const answer = answerDataPlan(await c.var.fits(request.fit), request);
    return { structured: answer, text: renderDataPlanText(answer) };
  },
});
