/**
 * The page's script, served as /assets/app.js (CSP script-src 'self'). Progressive: the page
 * works without it. It updates the answer as the user types (debounced), from the
 * server-rendered fragment at /partials/result, keeps the URL the permalink with
 * history.replaceState, fills the examples in place and copies links. On /fit it posts the
 * pasted CSV to POST /api/v1/fits and opens the fit's page.
 */
export const CLIENT_SCRIPT = `(() => {
  "use strict";
  if (!window.fetch || !window.URLSearchParams || !window.AbortController) return;
  document.documentElement.classList.add("js");

  function copyLink(link) {
    const url = new URL(link.dataset.copy, location.href).href;
    const label = link.textContent;
    const done = (text) => {
      link.textContent = text;
      setTimeout(() => {
        link.textContent = label;
      }, 2000);
    };
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(url).then(
        () => done("Copied"),
        () => done("Copy failed"),
      );
    } else {
      done("Copy failed");
    }
  }

  document.addEventListener("click", (event) => {
    const target = event.target instanceof Element ? event.target.closest("[data-copy]") : null;
    if (!target || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return;
    event.preventDefault();
    copyLink(target);
  });

  const fitForm = document.getElementById("fit-form");
  if (fitForm) fitRuns(fitForm);
  const form = document.getElementById("ask");
  const input = document.getElementById("q");
  if (form && input) calculator(form, input);

  function fitRuns(fitForm) {
    const csv = document.getElementById("csv");
    const error = document.getElementById("csv-error");
    const button = fitForm.querySelector('button[type="submit"]');
    const fill = fitForm.querySelector("[data-fill-example]");
    if (fill) {
      fill.hidden = false;
      fill.addEventListener("click", () => {
        const example = document.getElementById(fill.dataset.fillExample);
        if (example) csv.value = example.textContent;
        csv.focus();
      });
    }
    function show(message, status) {
      error.textContent = message;
      error.dataset.status = String(status);
      csv.setAttribute("aria-invalid", message ? "true" : "false");
    }
    fitForm.addEventListener("submit", (event) => {
      event.preventDefault();
      const params = new URLSearchParams();
      const name = fitForm.elements.namedItem("name");
      const bootstrap = fitForm.elements.namedItem("bootstrap");
      if (name && name.value.trim()) params.set("name", name.value.trim());
      if (bootstrap && bootstrap.value.trim()) params.set("bootstrap", bootstrap.value.trim());
      show("", 200);
      fitForm.setAttribute("aria-busy", "true");
      if (button) button.disabled = true;
      fetch("/api/v1/fits" + (params.toString() ? "?" + params.toString() : ""), {
        method: "POST",
        headers: { "content-type": "text/csv", accept: "application/json" },
        body: csv.value,
      })
        .then((response) =>
          response.json().then(
            (body) => ({ response, body }),
            () => ({ response, body: null }),
          ),
        )
        .then(({ response, body }) => {
          if (response.ok && body && typeof body.id === "string") {
            location.assign("/fit/" + encodeURIComponent(body.id));
            return;
          }
          let message = body && body.error && body.error.message ? body.error.message : "HTTP " + response.status;
          const retry = response.headers.get("retry-after");
          if ((response.status === 429 || response.status === 503) && retry) {
            message += " (try again in " + retry + " s)";
          }
          show(message, response.status);
        })
        .catch((problem) => show("Could not reach the server (" + problem.message + ").", 0))
        .finally(() => {
          fitForm.removeAttribute("aria-busy");
          if (button) button.disabled = false;
        });
    });
  }

  function calculator(form, input) {
    const DEBOUNCE_MS = 300;
    let timer = 0;
    let latest = 0;
    let controller = null;

    function syncPlaceholder() {
      const checked = form.querySelector('input[name="ask"]:checked');
      if (checked && checked.dataset.placeholder) input.placeholder = checked.dataset.placeholder;
    }

    function showProblem(message) {
      const error = document.getElementById("q-error");
      if (error) {
        error.textContent = message;
        error.dataset.status = "0";
      }
    }

    function swap(html) {
      const template = document.createElement("template");
      template.innerHTML = html;
      const result = template.content.querySelector("#result");
      const oldResult = document.getElementById("result");
      const errors = template.content.querySelectorAll(".error[id$='-error']");
      if (!result || !oldResult || errors.length === 0) throw new Error("unexpected fragment");
      oldResult.replaceWith(result);
      for (const error of errors) {
        const old = document.getElementById(error.id);
        if (!old) continue;
        old.replaceWith(error);
        const field = document.getElementById(error.id.replace(/-error$/, ""));
        if (field) field.setAttribute("aria-invalid", error.dataset.status === "200" ? "false" : "true");
        if (error.dataset.status !== "200") {
          const details = error.closest("details");
          if (details) details.open = true;
        }
      }
      if (result.dataset.permalink) history.replaceState(null, "", result.dataset.permalink);
      if (result.dataset.title) document.title = result.dataset.title;
    }

    function update() {
      clearTimeout(timer);
      if (controller) controller.abort();
      controller = new AbortController();
      const request = ++latest;
      const params = new URLSearchParams(new FormData(form));
      form.setAttribute("aria-busy", "true");
      fetch("/partials/result?" + params.toString(), {
        signal: controller.signal,
        headers: { accept: "text/html" },
      })
        .then((response) => {
          if (!response.ok) throw new Error("HTTP " + response.status);
          return response.text();
        })
        .then((html) => {
          if (request === latest) swap(html);
        })
        .catch((error) => {
          if (error && error.name === "AbortError") return;
          showProblem("Could not update the answer (" + error.message + "); press Calculate to load it.");
        })
        .finally(() => {
          if (request === latest) form.removeAttribute("aria-busy");
        });
    }

    function schedule() {
      clearTimeout(timer);
      timer = setTimeout(update, DEBOUNCE_MS);
    }

    form.addEventListener("input", (event) => {
      if (event.target instanceof HTMLInputElement && event.target.type === "text") schedule();
    });
    form.addEventListener("change", (event) => {
      if (event.target instanceof HTMLInputElement && event.target.type === "text") return;
      syncPlaceholder();
      update();
    });
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      update();
    });
    document.addEventListener("click", (event) => {
      const target = event.target instanceof Element ? event.target.closest("[data-example]") : null;
      if (!target || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return;
      event.preventDefault();
      const radio = form.querySelector('input[name="ask"][value="' + target.dataset.kind + '"]');
      if (radio) radio.checked = true;
      input.value = target.dataset.example || "";
      syncPlaceholder();
      update();
      input.focus();
    });
    syncPlaceholder();
  }
})();
`;
