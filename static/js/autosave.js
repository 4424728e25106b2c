// Keep what is being typed in a report section as the writer's private draft on the server (never in the browser:
// NHS computers are shared): every AUTOSAVE_SECONDS while it changes, and when the session timeout warning shows.
const form = document.querySelector("form[data-autosave-url]");

if (form) {
  const text = form.querySelector("textarea[name=text]");
  const version = form.querySelector("input[name=version]");
  const csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  const status = document.getElementById("autosave-status");
  let kept = form.dataset.kept;  // what the server holds (the draft, or the saved text): a refused save's text is not
  let timer = null;
  const say = (message) => { status.textContent = message; };

  const keep = async () => {
    const typed = text.value;
    if (typed === kept) return;
    const body = new URLSearchParams({ text: typed, version: version.value });
    let response = null;
    try {
      response = await fetch(form.dataset.autosaveUrl, {
        method: "POST", body, credentials: "same-origin", redirect: "manual", headers: { "X-CSRFToken": csrf },
      });
    } catch {
      response = null;
    }
    if (!response || response.status !== 204) {
      say("Your draft could not be kept just now: save the section to be sure nothing is lost.");
      return;
    }
    kept = typed;
    const now = new Date();
    say(`Your draft was kept at ${now.toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit" })}.`);
    document.dispatchEvent(new CustomEvent("app:session-seconds", { detail: response.headers.get("X-Session-Seconds") }));
  };

  timer = setInterval(keep, Number(form.dataset.autosaveSeconds) * 1000);
  document.addEventListener("app:session-warning", keep);
  form.addEventListener("submit", () => clearInterval(timer));  // the save itself keeps it now
}
