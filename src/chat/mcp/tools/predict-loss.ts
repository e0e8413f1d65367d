import { z } from "zod";
import { PredictAnswerSchema } from "../../../api/schemas.ts";
import { answerPredict } from "../../../service/predict.ts";
import { renderPredictText } from "../../text/render.ts";
import { defineTool } from "../tool.ts";
import { fitsInput, kaplanBudgetInput, quantityInput } from "./inputs.ts";

export const predictLoss = defineTool({
  name: "predict_loss",
  title: "Predicted loss of a model size and token count",
  description: [
    "Predicts the final loss of N parameters trained on D tokens under every fit with a loss law (Chinchilla approach 3, the Besiroglu et al. 2024 re-fit, Muennighoff et al. 2023, Kaplan et al. 2020 eq. 1.5).",
    "Also gives the compute-optimal N, D and loss for the same C = 6·N·D, on the frontier compute_optimal_allocation reports, and excessLoss, what the split costs (null with nullReasons when the losses come from different laws or one is withheld).",
    "params and tokens: numbers or text ('70B', '1.4T'). uniqueTokens: for muennighoff-2023, tokens beyond it repeat (only unique tokens trained on count); other fits ignore it with a warning.",
    "Losses are nats per token on each fit's own dataset: compare within a fit. Kaplan counts non-embedding parameters.",
    "The result is the JSON of GET /api/v1/predict.",
  ].join(" "),
  inputSchema: z.object({
    params: quantityInput("Model size in parameters: 7e10 or '70B'."),
    tokens: quantityInput("Training tokens: 1.4e12 or '1.4T'."),
    uniqueTokens: quantityInput(
      "Unique tokens available, e.g. '25B': tokens beyond it are repeated epochs (used by fits with a repeated-data law: muennighoff-2023).",
    ),
    fits: fitsInput,
    kaplanBudget: kaplanBudgetInput,
  }),
  outputSchema: PredictAnswerSchema,
  async run(c, { fits, params, tokens, uniqueTokens, kaplanBudget }) {
    const request = { params, tokens, uniqueTokens, fit: fits, kaplanBudget };
    const answer = answerPredict(await c.var.fits(fits), request);
    return { structured: answer, text: renderPredictText(answer) };
  },
});
