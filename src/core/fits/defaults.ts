import { EPOCH_BOOTSTRAP } from "./epoch-bootstrap.ts";
import type { FitDefinition } from "./schema.ts";

const HOFFMANN = {
  paper: "Hoffmann et al. 2022, Training Compute-Optimal Large Language Models (arXiv:2203.15556)",
  url: "https://arxiv.org/abs/2203.15556",
};

/** Range of the Chinchilla training runs in Fig. 4, as digitized by Besiroglu et al. 2024. */
const CHINCHILLA_RUNS_FLOPS: [number, number] = [1.4e18, 1.3e22];

/**
 * Hoffmann et al. 2022, approach 1 (minimum over training curves). The paper publishes
 * projections (Table 3), not coefficients; N_opt = 0.0991589 · C^0.49810 is the least-squares
 * fit in log-log space over Table 3's rows and reproduces them to about 1%.
 */
const chinchillaApproach1: FitDefinition = {
  schemaVersion: 1,
  id: "chinchilla-approach1",
  label: "Chinchilla, approach 1 (training-curve envelope)",
  kind: "power-law",
  law: { quantity: "params", coefficient: 0.0991589, exponent: 0.4981 },
  source: {
    ...HOFFMANN,
    where: "Table 3 (projections), Table 2 (a = 0.50)",
    short: "Hoffmann et al. 2022, Table 3",
  },
  parameterConvention: "total",
  flopsConvention: "C = 6ND, N counts all parameters including embeddings (App. F)",
  dataset: "MassiveText",
  measuredRange: {
    flops: CHINCHILLA_RUNS_FLOPS,
    note: "training runs of 70M to over 10B parameters (§3.1); FLOP range of the runs in Fig. 4",
  },
  notes: [
    "N_opt = 0.0991589 · C^0.49810 is a log-log least-squares fit to the rows of Table 3; D_opt = C/(6·N_opt).",
    "Table 3's 67B row prints 1.5T tokens, but C/(6N) at 5.76e23 FLOPs is 1.43T.",
  ],
  uncertainty: {
    paramsExponent: [0.488, 0.502],
    source: "Hoffmann et al. 2022, Table 2 (10th-90th percentiles from bootstrapping)",
  },
};

/**
 * Hoffmann et al. 2022, approach 2 (IsoFLOP profiles). N_opt = 0.144877 · C^0.48994 is the
 * least-squares fit over the approach-2 columns of Table A3.
 */
const chinchillaApproach2: FitDefinition = {
  schemaVersion: 1,
  id: "chinchilla-approach2",
  label: "Chinchilla, approach 2 (IsoFLOP profiles)",
  kind: "power-law",
  law: { quantity: "params", coefficient: 0.144877, exponent: 0.48994 },
  source: {
    ...HOFFMANN,
    where: "Table A3 (approach 2 projections), Table 2 (a = 0.49)",
    short: "Hoffmann et al. 2022, Table A3",
  },
  parameterConvention: "total",
  flopsConvention: "C = 6ND, N counts all parameters including embeddings (App. F)",
  dataset: "MassiveText",
  measuredRange: {
    flops: [6e18, 3e21],
    note: "nine IsoFLOP budgets from 6e18 to 3e21 FLOPs (§3.2)",
  },
  notes: [
    "N_opt = 0.144877 · C^0.48994 is a log-log least-squares fit to the approach-2 rows of Table A3; D_opt = C/(6·N_opt).",
    "Table A3 prints 1.26e24 FLOPs for its 175B row where 1.26e25 is meant.",
    "Table A3's 67B row prints 6.88e23 FLOPs; the power law through its neighbours puts 67B at 6.44e23 FLOPs, so that row sits 6.3% off the line (this fit follows the line).",
  ],
  uncertainty: {
    paramsExponent: [0.462, 0.534],
    source: "Hoffmann et al. 2022, Table 2 (10th-90th percentiles from bootstrapping)",
  },
};

/**
 * Hoffmann et al. 2022, approach 3: L(N, D) = E + A/N^α + B/D^β (eq. 2) with the unrounded
 * estimates from the arXiv TeX source, as hard-coded in Epoch's notebook
 * (epoch-research/analyzing-chinchilla, data_analysis.ipynb: log A 6.0073404, log B 6.0179186,
 * log E 0.5267228, α 0.33917084, β 0.2849083). Eq. (10) prints E 1.69, A 406.4, B 410.7,
 * α 0.34, β 0.28.
 */
const chinchillaApproach3: FitDefinition = {
  schemaVersion: 1,
  id: "chinchilla-approach3",
  label: "Chinchilla, approach 3 (parametric loss, unrounded)",
  kind: "parametric",
  E: 1.693374,
  A: 406.401,
  B: 410.7228,
  alpha: 0.33917084,
  beta: 0.2849083,
  source: {
    ...HOFFMANN,
    where: "eq. (2), eq. (4), eq. (10) (unrounded, from the TeX source)",
    short: "Hoffmann et al. 2022, eq. 4 and 10",
  },
  parameterConvention: "total",
  flopsConvention: "C = 6ND, N counts all parameters including embeddings (App. F)",
  dataset: "MassiveText",
  measuredRange: {
    flops: CHINCHILLA_RUNS_FLOPS,
    note: "FLOP range of the training runs in Fig. 4",
  },
  notes: [
    "Uses the unrounded constants (E 1.693374, A 406.401, B 410.7228, α 0.33917084, β 0.2849083); the rounded eq. (10) constants (E 1.69, A 406.4, B 410.7, α 0.34, β 0.28) give a model about 20% smaller (32B instead of 40B at 5.76e23 FLOPs).",
    "The closed form of eq. (4) lands 2-18% away from the paper's own approach-3 projections in Table A3.",
    "Besiroglu et al. 2024 could not reproduce this fit from the paper's data; see epoch-2024.",
  ],
  uncertainty: {
    paramsExponent: [0.454, 0.455],
    source:
      "Hoffmann et al. 2022, Table 2 (10th-90th percentiles from bootstrapping); the implied a = 0.4565 lies outside it, so the interval is re-centred with its width; Besiroglu et al. 2024 find it implausibly narrow",
  },
};

/**
 * Besiroglu, Erdil, Barnett, You 2024, "Chinchilla Scaling: A replication attempt": the re-fit
 * of eq. (2) on 240 digitized Chinchilla runs (E 1.8172, A 482.01, B 2085.43, α 0.3478,
 * β 0.3658; point estimates confirmed by Pearce & Song's code).
 */
const epoch2024: FitDefinition = {
  schemaVersion: 1,
  id: "epoch-2024",
  label: "Besiroglu et al. re-fit of approach 3 (Epoch AI)",
  kind: "parametric",
  E: 1.8172,
  A: 482.01,
  B: 2085.43,
  alpha: 0.3478,
  beta: 0.3658,
  source: {
    paper:
      "Besiroglu, Erdil, Barnett, You 2024, Chinchilla Scaling: A replication attempt (arXiv:2404.10102)",
    url: "https://arxiv.org/abs/2404.10102",
    where: "table of re-fitted estimates (eq. 2 form, Huber loss summed over 240 runs)",
    short: "Besiroglu et al. 2024, re-fit of eq. 2",
  },
  parameterConvention: "total",
  flopsConvention: "C = 6ND, N counts all parameters including embeddings",
  dataset: "MassiveText (Chinchilla runs digitized from Hoffmann et al. Fig. 4)",
  measuredRange: {
    flops: CHINCHILLA_RUNS_FLOPS,
    note: "FLOP range of the 240 digitized runs",
  },
  notes: [
    "Implied N_opt ∝ C^0.513 and D_opt ∝ C^0.487, about 20 tokens per parameter, in line with approaches 1 and 2.",
  ],
  uncertainty: {
    paramsExponent: [0.487368, 0.538632],
    bootstrap: EPOCH_BOOTSTRAP,
    source:
      "intervals: 201 bootstrap refits of the 240 digitized runs (src/core/fits/epoch-bootstrap.ts, npm run fits:bootstrap); paramsExponent: Besiroglu et al. 2024's bootstrap standard error (epoch-research/analyzing-chinchilla, data_analysis.ipynb: a = 0.513 (0.020)) as a normal 80% interval, ±1.2816 SE",
  },
};

/**
 * Kaplan et al. 2020, App. A Table 6 (compute-efficient training, C_min in PF-days, N
 * non-embedding), Table 5 / eq. (1.3) L(C_min) and Table 2 / eq. (1.5) L(N, D).
 */
const kaplan2020: FitDefinition = {
  schemaVersion: 1,
  id: "kaplan-2020",
  label: "Kaplan et al. 2020 (compute-efficient frontier)",
  kind: "kaplan",
  computeEfficient: {
    params: { coefficient: 1.3e9, exponent: 0.73 },
    tokens: { coefficient: 2e10, exponent: 0.27 },
    batchTokens: { coefficient: 2.0e6, exponent: 0.24 },
    minSteps: { coefficient: 5.4e3, exponent: 0.03 },
  },
  lossVsComputeMin: { alpha: 0.05, scalePFDays: 3.1e8 },
  lossVsParamsAndTokens: { alphaN: 0.076, alphaD: 0.103, Nc: 6.4e13, Dc: 1.8e13 },
  source: {
    paper: "Kaplan et al. 2020, Scaling Laws for Neural Language Models (arXiv:2001.08361)",
    url: "https://arxiv.org/abs/2001.08361",
    where:
      "App. A Table 6 (allocation), Table 5 / eq. (1.3) (loss vs C_min), Table 2 / eq. (1.5) (L(N, D))",
    short: "Kaplan et al. 2020, Table 6 and eq. 1.3",
  },
  parameterConvention: "non-embedding",
  flopsConvention:
    "C_min in PF-days of non-embedding compute (6N per token); C_min = C/2 when training at the critical batch size (§6.3)",
  dataset: "WebText2 (BPE, 50257-token vocabulary)",
  measuredRange: {
    flops: [8.64e11, 8.64e20],
    note: "approximately 1e-8 to 10 PF-days, the compute axis of Fig. 1 and Fig. 13 (models up to 1.5B non-embedding parameters)",
  },
  notes: [
    "Parameters exclude embeddings; compare with total-parameter fits only after adding the embedding matrices.",
    "Table 6's N_opt and D_opt are not mutually consistent with C = 6ND (6·N·D/C ≈ 0.9 with C_min = C/2).",
    "Kaplan's laws contradict each other beyond about 1e4 PF-days (eq. 6.8).",
  ],
};

/**
 * DeepSeek LLM 2024, §3.2: M_opt = 0.1715 · C^0.5243 (M = non-embedding FLOPs per token, incl.
 * attention), D_opt = 5.8316 · C^0.4757, C = M·D.
 */
const deepseek2024: FitDefinition = {
  schemaVersion: 1,
  id: "deepseek-2024",
  label: "DeepSeek LLM 2024 (IsoFLOP, FLOPs per token)",
  kind: "power-law",
  law: { quantity: "flopsPerToken", coefficient: 0.1715, exponent: 0.5243 },
  source: {
    paper:
      "DeepSeek-AI 2024, DeepSeek LLM: Scaling Open-Source Language Models with Longtermism (arXiv:2401.02954)",
    url: "https://arxiv.org/abs/2401.02954",
    where: "§3.2, eq. (4): M_opt = 0.1715·C^0.5243, D_opt = 5.8316·C^0.4757",
    short: "DeepSeek-AI 2024, §3.2 eq. 4",
  },
  parameterConvention: "non-embedding",
  flopsConvention:
    "C = M·D with M the non-embedding FLOPs per token including attention; parameters shown are M/6",
  dataset: "DeepSeek LLM pre-training data (current data)",
  measuredRange: {
    flops: [1e17, 3e20],
    note: "eight budgets from 1e17 to 3e20 FLOPs (§3.2)",
  },
  notes: [
    "Model scale is M, non-embedding FLOPs per token (72·n_layer·d_model² + 12·n_layer·d_model·l_seq); the parameters shown are the 6N-equivalent M/6.",
    "Tokens are C/M, which equals the published D_opt = 5.8316·C^0.4757 to within 0.02% (0.1715 × 5.8316 = 1.0001).",
  ],
};

/**
 * Llama 3 2024, §3.2.1: N*(C) = A·C^α is the optimal number of training *tokens*. The text
 * gives (α, A) = (0.53, 0.29); the Fig. 3 legend gives (0.537, 0.299).
 */
const llama32024: FitDefinition = {
  schemaVersion: 1,
  id: "llama3-2024",
  label: "Llama 3 2024 (IsoFLOP, tokens law)",
  kind: "power-law",
  law: { quantity: "tokens", coefficient: 0.299, exponent: 0.537 },
  source: {
    paper: "Llama Team, AI @ Meta 2024, The Llama 3 Herd of Models (arXiv:2407.21783)",
    url: "https://arxiv.org/abs/2407.21783",
    where: "§3.2.1 and the Fig. 3 legend: tokens = 0.299·C^0.537",
    short: "Llama Team 2024, §3.2.1 and Fig. 3",
  },
  parameterConvention: "total",
  flopsConvention: "C = 6ND; parameters are C/(6·D)",
  dataset: "Llama 3 pre-training data mix",
  measuredRange: {
    flops: [6e18, 1e22],
    note: "budgets from 6e18 to 1e22 FLOPs, models of 40M to 16B parameters (§3.2.1)",
  },
  notes: [
    "Uses the Fig. 3 legend pair (α, A) = (0.537, 0.299): it reproduces the paper's own extrapolation (402B parameters on 16.55T tokens at 3.8e25 FLOPs gives 389B on 16.3T here). The rounded pair in the text, (0.53, 0.29), gives 10.5T tokens and 605B parameters at that budget.",
    "The exponent is sensitive to rounding: extrapolating far from 1e22 FLOPs magnifies it.",
  ],
};

/**
 * Muennighoff et al. 2023, "Scaling Data-Constrained Language Models": eq. (7) with effective
 * data and parameters (eq. 5-6). Fitted values from huggingface/datablations README
 * ("Parametric Fit", commit 13701315): a, b, e, α, β, R_D*, R_N* = 6.255414, 7.3049974,
 * 0.6254804, 0.3526596, 0.3526596, 15.387756, 5.309743; A = e^a, B = e^b, E = e^e.
 */
const muennighoff2023: FitDefinition = {
  schemaVersion: 1,
  id: "muennighoff-2023",
  label: "Muennighoff et al. 2023 (data-constrained)",
  kind: "parametric",
  E: 1.8691436784054858,
  A: 520.8249516599187,
  B: 1487.716093782861,
  alpha: 0.3526596,
  beta: 0.3526596,
  dataConstrained: { RDStar: 15.387756, RNStar: 5.309743 },
  source: {
    paper: "Muennighoff et al. 2023, Scaling Data-Constrained Language Models (arXiv:2305.16264)",
    url: "https://arxiv.org/abs/2305.16264",
    where: "eq. (5)-(7); fitted values from the datablations README, Parametric Fit",
    short: "Muennighoff et al. 2023, eq. 5-7",
  },
  parameterConvention: "total",
  flopsConvention: "C = 6ND, N all parameters",
  dataset: "C4 (the paper's data-constrained runs)",
  measuredRange: {
    flops: [1e18, 4.9e22],
    note: "approximate: over 400 runs of up to 9B parameters and 900B tokens (abstract)",
  },
  notes: [
    "With unlimited unique data it is a Chinchilla-form law with α = β (tied exponents), so N_opt and D_opt both grow as C^0.5.",
    "Give uniqueTokens (predict, plan/data) to account for repeated data: repeated tokens decay with R_D* = 15.39, excess parameters with R_N* = 5.31.",
  ],
};

/** The ~20 tokens per parameter rule of thumb read off Chinchilla (Table 1: 70B on 1.4T; Table 3). */
const tokensPerParam20: FitDefinition = {
  schemaVersion: 1,
  id: "tokens-per-param-20",
  label: "Rule of thumb: 20 tokens per parameter",
  kind: "tokens-per-param",
  tokensPerParam: 20,
  source: {
    ...HOFFMANN,
    where:
      "Table 1 (Chinchilla: 70B parameters on 1.4T tokens) and Table 3 (20.0-21.6 tokens per parameter)",
    short: "Hoffmann et al. 2022, Tables 1 and 3",
  },
  parameterConvention: "total",
  flopsConvention: "C = 6ND with D = 20N, so N = sqrt(C/120)",
  dataset: "MassiveText",
  measuredRange: null,
  notes: [
    "Not a fitted law: the ratio read off Chinchilla's own model and Table 3. The paper does not state it as a rule.",
  ],
};

/** Every published fit bundled with the Worker, in display order. */
export const DEFAULT_FITS: readonly FitDefinition[] = [
  chinchillaApproach3,
  epoch2024,
  chinchillaApproach1,
  chinchillaApproach2,
  kaplan2020,
  deepseek2024,
  llama32024,
  muennighoff2023,
  tokensPerParam20,
];

/** Ids of the bundled fits, in display order. */
export const DEFAULT_FIT_IDS: readonly string[] = DEFAULT_FITS.map((fit) => fit.id);
