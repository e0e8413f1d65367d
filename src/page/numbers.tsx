import {
  formatCount,
  formatFlops,
  formatLoss,
  formatScientific,
  significant,
} from "../core/format.ts";
import type { QuantityKind } from "../core/parse.ts";

export type NumberKind = "count" | "flops" | "loss" | "ratio" | "factor";

/** A number for people, as text. */
export function formatFor(kind: NumberKind, value: number): string {
  switch (kind) {
    case "count":
      return formatCount(value);
    case "flops":
      return formatFlops(value);
    case "loss":
      return formatLoss(value);
    case "ratio":
      return value >= 1e4 ? formatScientific(value) : significant(value, 3);
    case "factor":
      return `×${significant(value, 3)}`;
  }
}

/** The exact value, for a title: counts as whole numbers with separators, others in full. */
export function exactText(kind: NumberKind, value: number): string {
  return kind === "count" && value < 1e21
    ? Math.round(value).toLocaleString("en-US")
    : String(value);
}

/** A number for people with its exact value on hover (title) and in `value`. */
export function Num({ kind, value, unit }: { kind: NumberKind; value: number; unit?: string }) {
  const exact = `${exactText(kind, value)}${unit ? ` ${unit}` : ""}`;
  return (
    <data value={String(value)} title={exact}>
      {formatFor(kind, value)}
    </data>
  );
}

/** The asked quantity in words: "1.0e24 FLOPs", "70B parameters", "loss 2.0". */
export function describeAsked(kind: QuantityKind, value: number): string {
  switch (kind) {
    case "flops":
      return formatFlops(value);
    case "params":
      return `${formatCount(value)} parameters`;
    case "tokens":
      return `${formatCount(value)} tokens`;
    case "loss":
      return `loss ${significant(value, 4)}`;
  }
}

/** "52.1B parameters on 1.1T tokens", with the exact values on hover. */
export function ParamsOnTokens(props: { params: number; tokens: number }) {
  return (
    <>
      <Num kind="count" value={props.params} unit="parameters" /> parameters on{" "}
      <Num kind="count" value={props.tokens} unit="tokens" /> tokens
    </>
  );
}
