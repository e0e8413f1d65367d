import type { ApiError, ErrorReading } from "../contract/errors.ts";
import { QUANTITY_KINDS, type QuantityKind } from "../core/parse.ts";
import { ADVANCED_FIELDS, type AdvancedField, canonicalSearch, type PageQuery } from "./query.ts";

/** Where an error is shown: next to the "Advanced" field it names, else next to the question. */
export function errorSlotOf(error: ApiError | undefined): "q" | AdvancedField {
  const field = error?.field;
  return (ADVANCED_FIELDS as readonly string[]).includes(field ?? "")
    ? (field as AdvancedField)
    : "q";
}

const isKind = (field: string): field is QuantityKind =>
  (QUANTITY_KINDS as readonly string[]).includes(field);

/**
 * The page asking `query` again with its question replaced by `reading` (`/?params=70B`),
 * keeping the fit selection and the "Advanced" fields.
 */
export function readingHref(query: PageQuery | undefined, reading: ErrorReading): string {
  if (!query || !isKind(reading.field)) {
    return `/?${reading.field}=${encodeURIComponent(reading.value)}`;
  }
  const asked: PageQuery = {
    ...query,
    kind: reading.field,
    text: reading.value,
    given: { [reading.field]: reading.value },
    fromForm: false,
  };
  // No published ids: the selection is kept as given (a permalink is already canonical).
  return `/?${canonicalSearch(asked, [])}`;
}

/** The readings of an ambiguous input as links, e.g. "Ask instead: params=70B · tokens=70B". */
function ReadingLinks({
  readings,
  query,
}: {
  readings: readonly ErrorReading[];
  query: PageQuery | undefined;
}) {
  return (
    <span class="readings">
      {" Ask instead: "}
      {readings.map((reading, i) => (
        <>
          {i > 0 && " · "}
          <a href={readingHref(query, reading)} data-field={reading.field}>
            {`${reading.field}=${reading.value}`}
          </a>
        </>
      ))}
    </span>
  );
}

/**
 * The API's message for bad input, in the slot next to the field it names (empty elsewhere),
 * with the readings of an ambiguous input as links (kept from `query`).
 * `slot` is "q" (the question) or an "Advanced" field; the script swaps slots by id.
 */
export function ErrorMessage({
  error,
  slot = "q",
  query,
}: {
  error?: ApiError | undefined;
  slot?: "q" | AdvancedField;
  query?: PageQuery | undefined;
}) {
  const shown = error && errorSlotOf(error) === slot ? error : undefined;
  return (
    <p
      id={`${slot}-error`}
      class="error"
      role="alert"
      data-status={shown ? String(shown.status) : "200"}
    >
      {shown ? shown.message : ""}
      {shown?.readings?.length ? <ReadingLinks readings={shown.readings} query={query} /> : ""}
      {shown?.expected ? <span class="expected"> Expected: {shown.expected}.</span> : ""}
    </p>
  );
}

/** Every error slot after the question's, for the live-update fragment. */
export function AdvancedErrorSlots({ error }: { error?: ApiError | undefined }) {
  return (
    <>
      {ADVANCED_FIELDS.map((field) => (
        <ErrorMessage error={error} slot={field} />
      ))}
    </>
  );
}
