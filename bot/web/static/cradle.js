// Progressive enhancement only: every page works without this script.
import { initAll } from "./nhsuk/nhsuk-frontend.min.js";

document.body.classList.add("js-enabled", "nhsuk-frontend-supported");
initAll();

// Print buttons: shown only where JavaScript can print; without it, the browser's own Print.
for (const button of document.querySelectorAll("[data-print]")) {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
}
