// Progressive enhancement only: every page works without this script.
import { initAll } from "./nhsuk/nhsuk-frontend.min.js";

document.body.classList.add("js-enabled", "nhsuk-frontend-supported");
initAll();

// Print buttons: shown only where JavaScript can print; without it, the browser's own Print.
for (const button of document.querySelectorAll("[data-print]")) {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
}

// Live regions (the duty view, the queue): fetched again every few seconds and swapped in
// place. Only the region is replaced, never a form someone is typing in, and not while
// focus is inside it (a keyboard user on a button keeps their place). If Cradle cannot be
// reached the page says so, so a stale view is never mistaken for a quiet one.
const POLL_MS = 5000;

for (const region of document.querySelectorAll("[data-live-src]")) {
  const stale = document.querySelector(".live-stale");
  let last = region.innerHTML;
  let busy = false;

  const refresh = async () => {
    const focused = document.activeElement;
    if (busy || (focused && focused !== document.body && region.contains(focused))) return;
    busy = true;
    try {
      const response = await fetch(region.dataset.liveSrc, {
        credentials: "same-origin",
        cache: "no-store",
        redirect: "manual",
      });
      if (!response.ok) throw new Error(`status ${response.status}`);
      const html = await response.text();
      if (html !== last) {
        region.innerHTML = html;
        last = html;
        initAll({ scope: region });
      }
      const state = region.querySelector("[data-title]");
      if (state) document.title = state.dataset.title;
      if (stale) stale.hidden = true;
    } catch {
      if (stale) stale.hidden = false;
    } finally {
      busy = false;
    }
  };

  window.setInterval(refresh, POLL_MS);
}
