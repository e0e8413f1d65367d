import type { ApiError } from "../api/errors.ts";
import type { FitDefinition } from "../core/fits/schema.ts";
import { MAX_INPUT_LENGTH, type QuantityKind } from "../core/parse.ts";
import type { PageQuery } from "./query.ts";

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
            aria-invalid={error ? "true" : "false"}
          />
          <button type="submit">Calculate</button>
        </div>
        <ErrorMessage error={error} />
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
    </form>
  );
}

/** The API's message for bad input, next to the input (empty when there is none). */
export function ErrorMessage({ error }: { error?: ApiError | undefined }) {
  return (
    <p id="q-error" class="error" role="alert" data-status={error ? String(error.status) : "200"}>
      {error ? error.message : ""}
      {error?.expected ? <span class="expected"> Expected: {error.expected}.</span> : ""}
    </p>
  );
}
