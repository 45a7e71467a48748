// The wording editor's live preview. Without this script the Preview button does the same.
const form = document.getElementById("template-form");
const target = document.getElementById("preview");

if (form && target) {
  let timer = null;
  let latest = 0;

  const refresh = async () => {
    const asked = ++latest;
    const data = new FormData(form);
    data.delete("action");
    try {
      const response = await fetch(form.dataset.preview, {
        method: "POST",
        body: data,
        credentials: "same-origin",
        headers: { Accept: "text/html" },
      });
      if (response.ok && asked === latest) {
        target.innerHTML = await response.text();
      }
    } catch {
      // Offline or signed out: the Preview button still works.
    }
  };

  const soon = () => {
    clearTimeout(timer);
    timer = setTimeout(refresh, 300);
  };

  form.querySelector("#body")?.addEventListener("input", soon);
  form.querySelector("#family")?.addEventListener("change", refresh);
  form.dataset.live = "on";
}
