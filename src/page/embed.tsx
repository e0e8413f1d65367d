import type { ApiError } from "../contract/errors.ts";
import type { AllocateAnswer } from "../service/allocate.ts";
import { askedText, headlineAllocation } from "./answer.tsx";
import { SITE_NAME } from "./layout.tsx";
import { Num, ParamsOnTokens } from "./numbers.tsx";

/** The compact answer card for an iframe; its links open the full page in a new tab. */
export function EmbedCard({
  answer,
  error,
  pageUrl,
}: {
  answer: AllocateAnswer | null;
  error?: ApiError;
  pageUrl: string;
}) {
  const chosen = answer ? headlineAllocation(answer) : undefined;
  return (
    <article class="card">
      {answer && chosen ? (
        <>
          <p class="asked">{askedText(answer)}</p>
          <p class="card-headline">
            <ParamsOnTokens params={chosen.params} tokens={chosen.tokens} />
          </p>
          <p class="under">under {chosen.label}</p>
          <table class="card-table">
            <thead>
              <tr>
                <th scope="col">Fit</th>
                <th scope="col">Params</th>
                <th scope="col">Tokens</th>
              </tr>
            </thead>
            <tbody>
              {answer.allocations.map((a) => (
                <tr>
                  <th scope="row">{a.label}</th>
                  <td>
                    <Num kind="count" value={a.params} unit="parameters" />
                  </td>
                  <td>
                    <Num kind="count" value={a.tokens} unit="tokens" />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : (
        <p class="error" role="alert">
          {error?.message ?? "Give a question, e.g. /embed?flops=1e24."}
        </p>
      )}
      <p class="card-link">
        <a href={pageUrl} target="_blank" rel="noopener">
          Open in {SITE_NAME} ↗
        </a>
      </p>
    </article>
  );
}
