/** Splits a `fit` selection (comma-separated text or an array) into trimmed, non-empty ids. */
export function fitIdsOf(selection: string | readonly string[] | undefined): string[] {
  return (typeof selection === "string" ? selection.split(",") : (selection ?? []))
    .map((id) => id.trim())
    .filter((id) => id !== "");
}
