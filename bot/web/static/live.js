// Live regions: parts of a page brought up to date without reloading it, so that what
// someone is typing, where their cursor is and what has focus stay as they were.
// Progressive enhancement: without this script the page still works (reload to see news).
//
// How a page uses it (any console page may):
//   <script type="module" src="/static/live.js"></script>
//   <div data-live-poll="2000">          the page is fetched again every 2 seconds
//     <ol id="x" data-live>               this element's content is replaced when it changed
//     <ol id="y" data-live data-live-end> ...and kept scrolled to its newest (last) item
//     <form data-live-submit>             sent in the background; [data-live-clear] emptied
//     <ol id="z" data-live data-live-announce="New text on Chloe's phone">
//     <p data-live-status aria-live="polite" class="nhsuk-u-visually-hidden"></p>
//                                         what changed is announced to screen readers
// Regions need an id that is the same in every rendering of the page. Polling pauses while
// the tab is hidden and catches up when it is shown again.

const root = document.querySelector("[data-live-poll]");
if (root) start(root);

function start(root) {
  const every = Math.max(500, Number(root.dataset.livePoll) || 3000);
  let busy = false;

  for (const region of document.querySelectorAll("[data-live-end]")) scrollToEnd(region);

  async function refresh() {
    if (busy) return;
    busy = true;
    try {
      const response = await fetch(location.href, {
        credentials: "same-origin",
        cache: "no-store",
        headers: { Accept: "text/html" },
      });
      if (response.ok) swap(new DOMParser().parseFromString(await response.text(), "text/html"));
    } catch {
      // The server is restarting or the network dropped: the next round tries again.
    } finally {
      busy = false;
    }
  }

  function schedule() {
    setTimeout(async () => {
      if (!document.hidden) await refresh();
      schedule();
    }, every);
  }

  schedule();
  document.addEventListener("visibilitychange", () => {
    if (!document.hidden) refresh();
  });

  for (const form of document.querySelectorAll("form[data-live-submit]")) {
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const clear = form.querySelector("[data-live-clear]");
      if (clear && !clear.value.trim()) return;
      let response;
      try {
        response = await fetch(form.action, {
          method: "POST",
          credentials: "same-origin",
          body: new URLSearchParams(new FormData(form)),
        });
      } catch {
        response = null;
      }
      if (!response || !response.ok) {
        form.submit(); // the ordinary way, so that any error page is seen
        return;
      }
      if (clear) clear.value = "";
      await refresh();
    });
  }
}

function swap(fresh) {
  const news = [];
  for (const region of document.querySelectorAll("[data-live][id]")) {
    const next = fresh.getElementById(region.id);
    if (!next || next.innerHTML === region.innerHTML) continue;
    const follow = region.hasAttribute("data-live-end") && atEnd(region);
    region.innerHTML = next.innerHTML;
    if (follow) scrollToEnd(region);
    if (region.dataset.liveAnnounce) news.push(region.dataset.liveAnnounce);
  }
  const status = document.querySelector("[data-live-status]");
  if (status && news.length) status.textContent = news.join(". ") + ".";
}

function atEnd(element) {
  return element.scrollHeight - element.scrollTop - element.clientHeight < 48;
}

function scrollToEnd(element) {
  element.scrollTop = element.scrollHeight;
}
