import { formatCount, formatFlops, formatLoss, significant } from "../core/format.ts";
import type { DataPlanAnswer, InferencePlanAnswer } from "../service/plans.ts";
import { Actions, HardwareLine, TrainingCells, TrainingHeaders } from "./answer.tsx";
import { Num, ParamsOnTokens } from "./numbers.tsx";
import type { QuestionLinks } from "./query.ts";
import type { PlanTraining } from "./resolve.ts";

const percent = (fraction: number) => `${significant(fraction * 100, 2)}%`;

/** What an inference plan was asked: "1.0e24 FLOPs (its compute-optimal loss 2.03)" or "loss 2.0". */
export function inferenceAskedText(plan: InferencePlanAnswer): string {
  const { query } = plan;
  return query.flops === undefined
    ? `loss ${formatLoss(query.loss)}`
    : `${formatFlops(query.flops)} (compute-optimal loss ${formatLoss(query.loss)})`;
}

/** The inference plan in words, for titles and link previews. */
export function inferenceWords(plan: InferencePlanAnswer): string {
  return `${formatCount(plan.params)} parameters on ${formatCount(plan.tokens)} tokens`;
}

export function inferenceTitle(plan: InferencePlanAnswer): string {
  return `${inferenceAskedText(plan)}, serving ${formatCount(plan.query.inferenceTokens)} tokens: ${inferenceWords(plan)}`;
}

export function inferenceDescription(plan: InferencePlanAnswer): string {
  const co = plan.computeOptimal;
  return `${plan.label}: to reach loss ${formatLoss(plan.loss)} and serve ${formatCount(plan.query.inferenceTokens)} tokens, train ${inferenceWords(plan)} (${formatFlops(plan.totalFlops)} in all), ${percent(plan.savingFraction)} less than the compute-optimal ${formatCount(co.params)} on ${formatCount(co.tokens)} (${formatFlops(co.totalFlops)}).`;
}

export function dataWords(plan: DataPlanAnswer): string {
  return `${formatCount(plan.params)} parameters on ${formatCount(plan.tokens)} tokens (${significant(plan.epochs, 3)} epochs)`;
}

export function dataTitle(plan: DataPlanAnswer): string {
  return `${formatFlops(plan.query.flops)} with ${formatCount(plan.query.uniqueTokens)} unique tokens: ${dataWords(plan)}`;
}

export function dataDescription(plan: DataPlanAnswer): string {
  return `${plan.label}: with ${formatCount(plan.query.uniqueTokens)} unique tokens, train ${dataWords(plan)} for loss ${significant(plan.loss, 4)}, ${significant(plan.lossPenalty, 2)} above the ${significant(plan.unlimited.loss, 4)} of unlimited data (${formatCount(plan.unlimited.params)} on ${formatCount(plan.unlimited.tokens)}).`;
}

function Notes({ notes, warnings = [] }: { notes: readonly string[]; warnings?: string[] }) {
  return (
    <details class="notes">
      <summary>Method and notes</summary>
      <ul>
        {[...notes, ...warnings].map((text) => (
          <li>{text}</li>
        ))}
      </ul>
    </details>
  );
}

function FitLine({
  label,
  source,
  sourceUrl,
}: {
  label: string;
  source: string;
  sourceUrl: string;
}) {
  return (
    <>
      under{" "}
      <a href={sourceUrl} title={source} rel="noopener">
        {label}
      </a>
    </>
  );
}

/** The inference-aware plan (Sardana et al. 2024) next to the compute-optimal one. */
export function InferenceResult({
  plan,
  training,
  links,
}: {
  plan: InferencePlanAnswer;
  training: PlanTraining | undefined;
  links: QuestionLinks;
}) {
  const co = plan.computeOptimal;
  const withCost = training?.hardware.pricePerGpuHour !== undefined;
  const rows = [
    { name: "Inference-aware", lifetime: plan, time: training?.plan },
    { name: "Compute-optimal", lifetime: co, time: training?.reference },
  ];
  const serving = plan.query.inferenceTokens;
  return (
    <>
      <div class="headline plan">
        <p class="asked">
          {inferenceAskedText(plan)}, serving <Num kind="count" value={serving} unit="tokens" />{" "}
          tokens
          <span class="interpretation">
            {" "}
            ({plan.query.interpretation}; {plan.query.inferenceTokensInterpretation})
          </span>
        </p>
        <h2>
          <ParamsOnTokens params={plan.params} tokens={plan.tokens} />
        </h2>
        <p class="under">
          <FitLine {...plan} />: reaches loss <Num kind="loss" value={plan.loss} /> with{" "}
          <Num kind="flops" value={plan.totalFlops} unit="FLOPs" /> of training and inference
          {serving > 0 ? (
            <>
              , <strong class="saving">{percent(plan.savingFraction)} less</strong> than the
              compute-optimal <Num kind="count" value={co.params} unit="parameters" /> on{" "}
              <Num kind="count" value={co.tokens} unit="tokens" /> tokens (
              <Num kind="flops" value={co.totalFlops} unit="FLOPs" />
              ).
            </>
          ) : (
            <>; with no inference the compute-optimal plan is the cheapest.</>
          )}
        </p>
      </div>
      <Actions links={links} />
      {training && <HardwareLine hardware={training.hardware} />}
      <div class="table-wrap">
        <table class="compare plan-table">
          <caption>
            Lifetime compute of two plans that reach loss {formatLoss(plan.loss)} and serve{" "}
            {formatCount(serving)} tokens (training 6·N·D, inference 2·N·D_inf)
          </caption>
          <thead>
            <tr>
              <th scope="col">Plan</th>
              <th scope="col">Parameters</th>
              <th scope="col">Tokens</th>
              <th scope="col">Tokens / param</th>
              <th scope="col">Training</th>
              <th scope="col">Inference</th>
              <th scope="col">Total</th>
              {training && <TrainingHeaders withCost={withCost} />}
            </tr>
          </thead>
          <tbody>
            {rows.map(({ name, lifetime, time }) => (
              <tr>
                <th scope="row">{name}</th>
                <td data-label="Parameters">
                  <Num kind="count" value={lifetime.params} unit="parameters" />
                </td>
                <td data-label="Tokens">
                  <Num kind="count" value={lifetime.tokens} unit="tokens" />
                </td>
                <td data-label="Tokens / param">
                  <Num kind="ratio" value={lifetime.tokensPerParam} />
                </td>
                <td data-label="Training">
                  <Num kind="flops" value={lifetime.trainingFlops} unit="FLOPs" />
                </td>
                <td data-label="Inference">
                  <Num kind="flops" value={lifetime.inferenceFlops} unit="FLOPs" />
                </td>
                <td data-label="Total">
                  <Num kind="flops" value={lifetime.totalFlops} unit="FLOPs" />
                </td>
                {training && <TrainingCells training={time} withCost={withCost} />}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p class="saving-line">
        Saving: <Num kind="flops" value={plan.savingFlops} unit="FLOPs" /> (
        {percent(plan.savingFraction)} of the compute-optimal plan's lifetime compute).
      </p>
      <Notes notes={plan.notes} />
    </>
  );
}

/** The data-constrained plan (Muennighoff et al. 2023) next to the unlimited-data one. */
export function DataResult({
  plan,
  training,
  links,
}: {
  plan: DataPlanAnswer;
  training: PlanTraining | undefined;
  links: QuestionLinks;
}) {
  const rows = [
    { name: "With your unique data", p: plan },
    { name: "With unlimited data", p: plan.unlimited },
  ];
  return (
    <>
      <div class="headline plan">
        <p class="asked">
          {formatFlops(plan.query.flops)} with{" "}
          <Num kind="count" value={plan.query.uniqueTokens} unit="tokens" /> unique tokens
          <span class="interpretation">
            {" "}
            ({plan.query.interpretation}; {plan.query.uniqueTokensInterpretation})
          </span>
        </p>
        <h2>
          <ParamsOnTokens params={plan.params} tokens={plan.tokens} /> (
          <data value={String(plan.epochs)} title={`${plan.epochs} epochs`}>
            {significant(plan.epochs, 3)}
          </data>{" "}
          epochs)
        </h2>
        <p class="under">
          <FitLine {...plan} />: predicted loss <Num kind="loss" value={plan.loss} />,{" "}
          <data value={String(plan.lossPenalty)} title={`${plan.lossPenalty} nats/token`}>
            {significant(plan.lossPenalty, 2)}
          </data>{" "}
          above the <Num kind="loss" value={plan.unlimited.loss} /> that unlimited unique data would
          reach.
        </p>
        {plan.warnings.map((w) => (
          <p class="warning">⚠ {w.message}</p>
        ))}
      </div>
      <Actions links={links} />
      {training && <HardwareLine hardware={training.hardware} time={training.plan} />}
      <div class="table-wrap">
        <table class="compare plan-table">
          <caption>
            The best split of {formatFlops(plan.query.flops)} with{" "}
            {formatCount(plan.query.uniqueTokens)} unique tokens, and with unlimited data
          </caption>
          <thead>
            <tr>
              <th scope="col">Data</th>
              <th scope="col">Parameters</th>
              <th scope="col">Tokens</th>
              <th scope="col">Epochs</th>
              <th scope="col" title="Predicted loss, nats per token">
                Loss
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map(({ name, p }) => (
              <tr>
                <th scope="row">{name}</th>
                <td data-label="Parameters">
                  <Num kind="count" value={p.params} unit="parameters" />
                </td>
                <td data-label="Tokens">
                  <Num kind="count" value={p.tokens} unit="tokens" />
                </td>
                <td data-label="Epochs">
                  <data
                    value={String(p.epochs)}
                    title={`${p.epochs} × your ${plan.query.uniqueTokens} unique tokens`}
                  >
                    {significant(p.epochs, 3)}
                  </data>
                  {p !== plan && <small class="interval">of your data's size</small>}
                </td>
                <td data-label="Loss">
                  <Num kind="loss" value={p.loss} unit="nats/token" />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <Notes notes={plan.notes} />
    </>
  );
}
