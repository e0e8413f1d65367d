import type { ApiError } from "../contract/errors.ts";
import type { FitDefinition } from "../core/fits/schema.ts";
import { DEFAULT_MFU, findGpu, GPUS } from "../core/hardware.ts";
import { MAX_INPUT_LENGTH, type QuantityKind } from "../core/parse.ts";
import { ErrorMessage, errorSlotOf } from "./errors.tsx";
import type { AdvancedField, PageQuery } from "./query.ts";

export { AdvancedErrorSlots, ErrorMessage, errorSlotOf } from "./errors.tsx";

interface Choice {
  kind: QuantityKind;
  label: string;
  hint: string;
  placeholder: string;
}

const CHOICES: readonly Choice[] = [
  { kind: "flops", label: "Compute", hint: "FLOPs, PF-days, GPU-hours", placeholder: "1e24" },
  { kind: "params", label: "Model size", hint: "parameters", placeholder: "70B" },
  { kind: "tokens", label: "Data", hint: "tokens", placeholder: "1.4T" },
  { kind: "loss", label: "Target loss", hint: "nats per token", placeholder: "2.0" },
];

const EXAMPLES: readonly { kind: QuantityKind; text: string }[] = [
  { kind: "flops", text: "1e24" },
  { kind: "flops", text: "5000 PF-days" },
  { kind: "flops", text: "1M H100-hours @ 40% MFU" },
  { kind: "flops", text: "1024 H100 x 30 days" },
  { kind: "params", text: "70B" },
  { kind: "tokens", text: "15T" },
  { kind: "loss", text: "2.0" },
];

const exampleHref = ({ kind, text }: { kind: QuantityKind; text: string }) =>
  `/?${kind}=${encodeURIComponent(text).replace(/%20/g, "+")}`;

/** Examples of the "Advanced" questions: plain links to their permalinks. */
const ADVANCED_EXAMPLES: readonly { href: string; text: string }[] = [
  { href: "/?flops=1e24&inferenceTokens=2T", text: "1e24 serving 2T tokens" },
  { href: "/?flops=1e24&uniqueTokens=500B", text: "1e24 with 500B unique tokens" },
  { href: "/?flops=1e24&gpu=H100&gpus=1024&pricePerGpuHour=2.5", text: "1e24 on 1024 H100s" },
];

/** A text field of the "Advanced" section, with its error slot. */
function AdvancedInput({
  field,
  label,
  hint,
  placeholder,
  query,
  error,
  inputmode,
}: {
  field: AdvancedField;
  label: string;
  hint: string;
  placeholder: string;
  query: PageQuery;
  error: ApiError | undefined;
  inputmode?: "numeric" | "decimal";
}) {
  const invalid = errorSlotOf(error) === field;
  return (
    <div class="adv-field">
      <label for={field}>{label}</label>
      <input
        id={field}
        name={field}
        type="text"
        value={query.advanced[field] ?? ""}
        placeholder={placeholder}
        maxlength={MAX_INPUT_LENGTH}
        autocomplete="off"
        spellcheck={false}
        inputmode={inputmode}
        aria-describedby={`${field}-error ${field}-hint`}
        aria-invalid={invalid ? "true" : "false"}
      />
      <span id={`${field}-hint`} class="hint">
        {hint}
      </span>
      <ErrorMessage error={error} slot={field} />
    </div>
  );
}

/** GPU choice: the known GPUs, and the user's own text when it names none (kept, not lost). */
function GpuSelect({ query, error }: { query: PageQuery; error: ApiError | undefined }) {
  const typed = query.advanced.gpu ?? "";
  const known = typed === "" ? undefined : findGpu(typed);
  return (
    <div class="adv-field">
      <label for="gpu">GPU</label>
      <select
        id="gpu"
        name="gpu"
        aria-describedby="gpu-error gpu-hint"
        aria-invalid={errorSlotOf(error) === "gpu" ? "true" : "false"}
      >
        <option value="" selected={typed === ""}>
          none (no training time)
        </option>
        {GPUS.map((gpu) => (
          <option value={gpu.id} selected={known?.id === gpu.id}>
            {gpu.label.replace(/^NVIDIA /, "")} ({Math.round(gpu.peakFlops / 1e12)} TFLOP/s)
          </option>
        ))}
        {typed !== "" && !known && (
          <option value={typed} selected>
            {typed}
          </option>
        )}
      </select>
      <span id="gpu-hint" class="hint">
        peak dense BF16 (<a href="/api/v1/gpus">sources</a>)
      </span>
      <ErrorMessage error={error} slot="gpu" />
    </div>
  );
}

/** Hardware, inference demand and scarce data: the "Advanced" section of the form. */
function AdvancedSection({ query, error }: { query: PageQuery; error: ApiError | undefined }) {
  const open = Object.keys(query.advanced).length > 0 || errorSlotOf(error) !== "q";
  const common = { query, error };
  return (
    <details class="options advanced" open={open}>
      <summary>Advanced: hardware, inference demand, scarce data</summary>
      <fieldset class="adv">
        <legend>Training hardware (adds training time, GPU-hours and cost)</legend>
        <GpuSelect {...common} />
        <AdvancedInput
          field="gpus"
          label="GPUs"
          hint="how many (default 1)"
          placeholder="1024"
          inputmode="numeric"
          {...common}
        />
        <AdvancedInput
          field="mfu"
          label="MFU"
          hint={`model FLOPs utilisation (default ${Math.round(DEFAULT_MFU * 100)}%)`}
          placeholder="40%"
          inputmode="decimal"
          {...common}
        />
        <AdvancedInput
          field="pricePerGpuHour"
          label="Price per GPU-hour"
          hint="optional, for a cost estimate"
          placeholder="2.5"
          inputmode="decimal"
          {...common}
        />
      </fieldset>
      <fieldset class="adv">
        <legend>Beyond compute-optimal (one at a time)</legend>
        <AdvancedInput
          field="inferenceTokens"
          label="Lifetime inference tokens"
          hint="with a compute budget or a target loss: the model that reaches the same loss at the least training + inference compute (Sardana et al. 2024)"
          placeholder="2T"
          {...common}
        />
        <AdvancedInput
          field="uniqueTokens"
          label="Unique training tokens available"
          hint="with a compute budget: the best split when data must be repeated (Muennighoff et al. 2023)"
          placeholder="500B"
          {...common}
        />
        <p class="help">
          A plan uses one fit: tick one under "Fits and conventions", or leave all ticked for the
          default (the Besiroglu et al. re-fit for inference, Muennighoff et al. for scarce data).
        </p>
      </fieldset>
      <p class="help">
        Try{" "}
        {ADVANCED_EXAMPLES.map((example, i) => (
          <>
            {i > 0 && " · "}
            <a href={example.href}>{example.text}</a>
          </>
        ))}
      </p>
    </details>
  );
}

/** The question form: submits with GET, so every answer is a permalink. */
export function QuestionForm({
  query,
  fits,
  error,
}: {
  query: PageQuery;
  fits: readonly FitDefinition[];
  error?: ApiError;
}) {
  const choice = CHOICES.find((c) => c.kind === query.kind) ?? CHOICES[0];
  const isChecked = (id: string) => query.fits.length === 0 || query.fits.includes(id);
  const optionsOpen = query.fits.length > 0 || query.kaplanBudget === "all";
  return (
    <form id="ask" class="ask" method="get" action="/">
      <fieldset class="kinds">
        <legend>I know my…</legend>
        {CHOICES.map((c) => (
          <label class="kind">
            <input
              type="radio"
              name="ask"
              value={c.kind}
              checked={c.kind === query.kind}
              data-placeholder={c.placeholder}
            />{" "}
            {c.label} <span class="hint">({c.hint})</span>
          </label>
        ))}
      </fieldset>
      <div class="field">
        <label for="q">Value</label>
        <div class="row">
          <input
            id="q"
            name="q"
            type="text"
            value={query.text}
            placeholder={choice?.placeholder}
            maxlength={MAX_INPUT_LENGTH}
            autocomplete="off"
            spellcheck={false}
            aria-describedby="q-error q-help"
            aria-invalid={error && errorSlotOf(error) === "q" ? "true" : "false"}
          />
          <button type="submit">Calculate</button>
        </div>
        <ErrorMessage error={error} query={query} />
        <p id="q-help" class="help">
          Try{" "}
          {EXAMPLES.map((example, i) => (
            <>
              {i > 0 && " · "}
              <a href={exampleHref(example)} data-kind={example.kind} data-example={example.text}>
                {example.kind === "flops" ? example.text : `${example.kind} ${example.text}`}
              </a>
            </>
          ))}
        </p>
      </div>
      <details class="options" open={optionsOpen}>
        <summary>Fits and conventions</summary>
        <fieldset class="fits">
          <legend>Fits to compare (none ticked means all)</legend>
          {fits.map((fit) => (
            <label class="fit">
              <input type="checkbox" name="fit" value={fit.id} checked={isChecked(fit.id)} />{" "}
              {fit.label}
            </label>
          ))}
        </fieldset>
        <label for="kaplanBudget">Kaplan budget convention</label>
        <select id="kaplanBudget" name="kaplanBudget">
          <option value="critical" selected={query.kaplanBudget !== "all"}>
            critical batch size: C_min = C/2 (default)
          </option>
          <option value="all" selected={query.kaplanBudget === "all"}>
            whole budget: C_min = C
          </option>
        </select>
      </details>
      <AdvancedSection query={query} error={error} />
    </form>
  );
}
