/** Conventions stated with every answer. */
export const CONVENTIONS = {
  flops:
    "Training compute C in FLOPs, C ≈ 6·N·D: 2N forward + 4N backward per token (Kaplan et al. 2020 §2.1; Hoffmann et al. 2022 App. F).",
  pfDay: "1 PF-day = 10^15 FLOP/s × 86,400 s = 8.64e19 FLOPs (Kaplan et al. 2020 §1.3).",
  params:
    "Chinchilla-family fits, Llama 3 and the 20:1 rule count all parameters including embeddings; Kaplan et al. and DeepSeek count non-embedding parameters (DeepSeek: non-embedding FLOPs per token / 6).",
  loss: "Cross-entropy in nats per token on each fit's own dataset and tokenizer: losses from different fits are not comparable.",
} as const;

export type Conventions = typeof CONVENTIONS;
