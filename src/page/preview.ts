import { formatCount, formatLoss } from "../core/format.ts";
import type { AllocateAnswer, AllocationAnswer } from "../service/allocate.ts";
import { askedText, headlineAllocation } from "./answer.tsx";
import { SITE_NAME } from "./layout.tsx";

/** Longest link-preview description, characters (unfurlers cut around 200-300). */
const MAX_DESCRIPTION = 300;

const LANDING_TITLE = `${SITE_NAME}: model size, tokens and loss for a training budget`;
const LANDING_DESCRIPTION =
  "Type a FLOP budget (1e24, 5000 PF-days, 1M H100-hours) and see what Chinchilla, Kaplan and later scaling-law fits would train with it, side by side, with charts.";

const allocationWords = (a: AllocationAnswer) =>
  `${formatCount(a.params)} parameters on ${formatCount(a.tokens)} tokens`;

/** The document and preview title: the headline numbers for an answer. */
export function headlineTitle(answer: AllocateAnswer | null): string {
  const chosen = answer && headlineAllocation(answer);
  if (!answer || !chosen) return LANDING_TITLE;
  return `${askedText(answer)}: ${allocationWords(chosen)} · ${SITE_NAME}`;
}

/** The preview description: the headline fit, then the others, within MAX_DESCRIPTION. */
export function previewText(answer: AllocateAnswer | null): string {
  const chosen = answer && headlineAllocation(answer);
  if (!answer || !chosen) return LANDING_DESCRIPTION;
  const loss = chosen.loss === null ? "" : `, predicted loss ${formatLoss(chosen.loss)}`;
  let text = `${chosen.label}: ${allocationWords(chosen)}${loss}.`;
  for (const other of answer.allocations) {
    if (other === chosen) continue;
    const next = ` ${other.label}: ${formatCount(other.params)} on ${formatCount(other.tokens)}.`;
    if (text.length + next.length > MAX_DESCRIPTION) break;
    text += next;
  }
  return text;
}
