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
    "Predicts the final training loss of a model with N parameters trained on D tokens, under every fit with a loss law (Chinchilla approach 3 and the Besiroglu et al. 2024 re-fit, L = E + A/N^α + B/D^β; Kaplan et al. 2020 eq. 1.5).",
    "Also gives, for the same compute C = 6·N·D, the compute-optimal N and D and their loss on the same frontier compute_optimal_allocation reports (for Kaplan: Table 6 and L(C_min), eq. 1.3), so excessLoss shows what the chosen split costs (null, with nullReasons, where the two losses come from different laws or a loss far outside the fit's data is withheld).",
    "params and tokens are numbers or text with units ('70B', '1.4T').",
    "Fits with a repeated-data law (muennighoff-2023) always apply it: with uniqueTokens, tokens beyond it are repeated epochs, and unique data beyond the tokens trained on changes nothing (U = min(uniqueTokens, tokens), Muennighoff et al. 2023); other fits ignore uniqueTokens with a warning.",
    "Losses are cross-entropy in nats per token on each fit's own dataset and tokenizer: compare them within one fit, not across fits. Kaplan counts non-embedding parameters.",
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
