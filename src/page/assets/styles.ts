/** The page's stylesheet, served as /assets/app.css (CSP style-src 'self': no inline styles). */
export const STYLESHEET = `:root {
  --fg: #1b1f24; --muted: #57606a; --line: #d0d7de; --soft: #eef0f2;
  --accent: #0072b2; --warn: #8a4b00; --error: #b3261e;
  color: var(--fg); background: #fff; line-height: 1.45;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  overflow-wrap: break-word;
}
* { box-sizing: border-box; }
body { margin: 0 auto; padding: 0 16px 32px; max-width: 1120px; }
a { color: var(--accent); }
.site { padding: 16px 0 0; }
.site h1 { font-size: 1.5rem; margin: 0; }
.site h1 a { color: inherit; text-decoration: none; }
.site p { margin: 4px 0 0; color: var(--muted); }
.ask { margin: 16px 0; padding: 16px; border: 1px solid var(--line); border-radius: 8px; }
.kinds { border: 0; padding: 0; margin: 0 0 12px; display: flex; flex-wrap: wrap; gap: 6px 18px; }
.kinds legend, .fits legend { font-weight: 600; padding: 0; margin-bottom: 6px; }
.hint { color: var(--muted); font-size: .875em; }
.field > label { display: block; font-weight: 600; margin-bottom: 4px; }
.row { display: flex; gap: 8px; }
#q { flex: 1; min-width: 0; font: inherit; font-size: 1.125rem; padding: 8px 10px;
  border: 1px solid #8c959f; border-radius: 6px; }
#q[aria-invalid="true"] { border-color: var(--error); outline-color: var(--error); }
button, .button { font: inherit; padding: 8px 14px; border-radius: 6px; border: 1px solid var(--accent);
  background: var(--accent); color: #fff; cursor: pointer; text-decoration: none; display: inline-block; }
.error { color: var(--error); margin: 8px 0 0; font-weight: 600; }
.error:empty { display: none; }
.expected { font-weight: 400; }
.help { color: var(--muted); font-size: .875rem; margin: 8px 0 0; }
.options { margin-top: 12px; }
.options summary { cursor: pointer; color: var(--accent); }
.fits { border: 0; padding: 0; margin: 8px 0; display: grid; gap: 4px; }
select { font: inherit; max-width: 100%; display: block; margin-top: 4px; }
[aria-busy="true"] + #result { opacity: .6; transition: opacity .2s .15s; }
.headline h2 { font-size: 1.75rem; margin: 2px 0; line-height: 1.2; }
.asked { margin: 0; color: var(--muted); }
.interpretation { font-size: .875rem; }
.under { margin: 0 0 8px; }
.actions { display: flex; flex-wrap: wrap; gap: 8px; align-items: flex-start; margin: 12px 0; }
.actions .button { background: #fff; color: var(--accent); padding: 4px 12px; }
.curl[open] { flex-basis: 100%; }
.curl summary { list-style: none; }
.curl summary::-webkit-details-marker { display: none; }
.curl pre { white-space: pre-wrap; word-break: break-all; background: #f6f8fa; padding: 8px;
  border-radius: 6px; margin: 8px 0 0; font-size: .8125rem; }
data { font-variant-numeric: tabular-nums; white-space: nowrap; cursor: help; }
.compare { border-collapse: collapse; width: 100%; font-size: .9375rem; }
.compare caption { text-align: left; color: var(--muted); padding: 4px 0; font-size: .875rem; }
.compare th, .compare td { padding: 6px 8px; border-bottom: 1px solid var(--line); text-align: right;
  vertical-align: top; }
.compare th[scope="row"], .compare thead th:first-child { text-align: left; }
.compare th[scope="row"] { max-width: 24rem; }
.source, .warning { display: block; font-weight: 400; font-size: .8125rem; }
.warning { color: var(--warn); }
.warning summary { cursor: pointer; }
.scale { white-space: nowrap; }
.skipped { color: var(--muted); font-size: .875rem; }
.charts { display: grid; gap: 16px; margin: 20px 0; }
.figure { margin: 0; min-width: 0; }
.chart { width: 100%; height: auto; display: block; }
.chart text { fill: var(--fg); }
.chart .grid { stroke: #e3e6e9; }
.chart .frame { stroke: #8c959f; }
.chart .axis-label { fill: var(--muted); }
figcaption { font-size: .875rem; color: var(--muted); }
.legend { list-style: none; padding: 0; margin: 6px 0 0; display: flex; flex-wrap: wrap; gap: 4px 14px;
  color: var(--fg); }
.swatch { vertical-align: middle; }
.notes { margin: 16px 0; }
.notes summary { cursor: pointer; color: var(--accent); }
.notes h3 { font-size: 1rem; margin: 12px 0 4px; }
.foot { color: var(--muted); font-size: .875rem; border-top: 1px solid var(--line); margin-top: 24px;
  padding-top: 12px; }
@media (min-width: 920px) { .charts { grid-template-columns: 1fr 1fr; } }
@media (max-width: 560px) { .chart { font-size: 16px; } }
@media (max-width: 720px) {
  .headline h2 { font-size: 1.4rem; }
  .compare caption { display: block; }
  .compare thead { display: none; }
  .compare, .compare tbody, .compare tr, .compare th, .compare td { display: block; width: 100%; }
  .compare tr { border: 1px solid var(--line); border-radius: 8px; margin: 0 0 10px; padding: 6px 10px; }
  .compare th[scope="row"] { border: 0; padding: 4px 0; max-width: none; }
  .compare td { display: flex; justify-content: space-between; gap: 12px; border: 0;
    border-top: 1px solid var(--soft); padding: 4px 0; }
  .compare td::before { content: attr(data-label); color: var(--muted); text-align: left; }
}
.interval { display: block; color: var(--muted); font-size: .75rem; white-space: nowrap; cursor: help; }
.hardware { margin: 0 0 8px; font-size: .9375rem; }
.adv { border: 0; padding: 0; margin: 12px 0 0; display: grid; gap: 10px 16px;
  grid-template-columns: repeat(auto-fill, minmax(200px, 1fr)); }
.adv legend { font-weight: 600; padding: 0; margin-bottom: 6px; }
.adv .help { grid-column: 1 / -1; }
.adv-field label { display: block; font-weight: 600; font-size: .9375rem; }
.adv-field input, .adv-field select, .fit-options input { font: inherit; width: 100%; padding: 6px 8px;
  border: 1px solid #8c959f; border-radius: 6px; margin: 2px 0; }
.adv-field .hint { display: block; }
.adv-field [aria-invalid="true"] { border-color: var(--error); }
.plan h2 { margin-top: 4px; }
.saving { color: #00634a; }
.saving-line { font-size: .9375rem; }
.headline .warning { margin: 4px 0; }
textarea { font: .875rem/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; width: 100%;
  padding: 8px; border: 1px solid #8c959f; border-radius: 6px; }
textarea[aria-invalid="true"] { border-color: var(--error); }
.fit-options { display: flex; flex-wrap: wrap; gap: 12px; align-items: flex-end; margin-top: 12px; }
.fit-options label { font-weight: 600; flex: 1 1 180px; }
button.secondary { background: #fff; color: var(--accent); padding: 4px 12px; }
button[disabled] { opacity: .6; cursor: progress; }
[hidden] { display: none !important; }
#csv-example { background: #f6f8fa; padding: 8px; border-radius: 6px; font-size: .8125rem;
  max-height: 16rem; overflow: auto; }
.law { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .9375rem;
  margin: 4px 0; overflow-wrap: anywhere; }
.warnings { padding-left: 0; list-style: none; }
.plan-with { margin: 12px 0; max-width: 36rem; }
.plan-with label { display: block; font-weight: 600; margin-bottom: 4px; }
.plan-with input { flex: 1; min-width: 0; font: inherit; padding: 6px 8px; border: 1px solid #8c959f;
  border-radius: 6px; }
.coefficients, .predictions { margin: 12px 0; }
code { font-size: .875em; overflow-wrap: anywhere; }
body.embed { padding: 0; max-width: none; }
.card { margin: 4px; padding: 12px 14px; border: 1px solid var(--line); border-radius: 8px;
  font-size: .9375rem; }
.card .asked, .card .under { font-size: .875rem; }
.card-headline { font-size: 1.25rem; font-weight: 700; margin: 2px 0; line-height: 1.25; }
.card-table { border-collapse: collapse; width: 100%; font-size: .8125rem; margin-top: 6px; }
.card-table th, .card-table td { text-align: right; padding: 2px 4px; border-bottom: 1px solid var(--soft); }
.card-table th[scope="row"], .card-table thead th:first-child { text-align: left; font-weight: 400; }
.card-link { margin: 8px 0 0; font-size: .875rem; }
`;
