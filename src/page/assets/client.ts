/**
 * The page's script, served as /assets/app.js (CSP script-src 'self'). Progressive: the page
 * works without it. It updates the answer as the user types (debounced), from the
 * server-rendered fragment at /partials/result, keeps the URL the permalink with
 * history.replaceState, fills the examples in place and copies links.
 */
export const CLIENT_SCRIPT = `(() => {
  "use strict";
  const form = document.getElementById("ask");
  const input = document.getElementById("q");
  if (!form || !input || !window.fetch || !window.URLSearchParams || !window.AbortController) return;
  document.documentElement.classList.add("js");
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
    const error = template.content.querySelector("#q-error");
    const oldResult = document.getElementById("result");
    const oldError = document.getElementById("q-error");
    if (!result || !error || !oldResult || !oldError) throw new Error("unexpected fragment");
    oldResult.replaceWith(result);
    oldError.replaceWith(error);
    input.setAttribute("aria-invalid", error.dataset.status === "200" ? "false" : "true");
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

  input.addEventListener("input", schedule);
  form.addEventListener("change", (event) => {
    if (event.target === input) return;
    syncPlaceholder();
    update();
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    update();
  });
  document.addEventListener("click", (event) => {
    const target = event.target instanceof Element ? event.target.closest("[data-copy], [data-example]") : null;
    if (!target || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return;
    event.preventDefault();
    if (target.dataset.copy) {
      copyLink(target);
      return;
    }
    const radio = form.querySelector('input[name="ask"][value="' + target.dataset.kind + '"]');
    if (radio) radio.checked = true;
    input.value = target.dataset.example || "";
    syncPlaceholder();
    update();
    input.focus();
  });
  syncPlaceholder();
})();
`;
