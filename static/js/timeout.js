// Warn before the idle session ends, on the model of the GOV.UK timeout dialog (WCAG 2.2.1 Timing adjustable).
// The server says how long the session has left: on each page (the dialog's data-seconds) and on every response
// to a signed-in request (the X-Session-Seconds header: htmx updates and autosaves keep the session alive too).
// SESSION_WARNING_SECONDS before it ends, the dialog opens with focus in it and says so to screen readers; "Stay
// signed in" (or Escape) starts the session afresh; if nothing happens the page goes to sign in again, and
// anything being typed in a report section has been kept on the server as the writer's draft.
const dialog = document.getElementById("timeout-dialog");

if (dialog) {
  const warning = Number(dialog.dataset.warning);
  const countdown = dialog.querySelector("#timeout-countdown");
  const announcement = document.getElementById("timeout-announcement");
  const csrf = dialog.querySelector("input[name=csrfmiddlewaretoken]").value;
  let deadline = 0;
  let warnTimer = null;
  let endTimer = null;
  let ticker = null;
  let returnFocus = null;
  let lastSaid = null;

  const secondsLeft = () => Math.max(0, Math.round((deadline - Date.now()) / 1000));
  const inWords = (seconds) => {
    if (seconds >= 60) {
      const minutes = Math.ceil(seconds / 60);
      return `${minutes} minute${minutes === 1 ? "" : "s"}`;
    }
    return `${seconds} second${seconds === 1 ? "" : "s"}`;
  };
  // The visible countdown changes every second; screen readers are told every minute, then every 20 seconds in the
  // last minute (as the GOV.UK and HMRC dialogs do), not every second.
  const announce = () => {
    const left = secondsLeft();
    const step = left > 60 ? Math.ceil(left / 60) * 60 : Math.ceil(left / 20) * 20;
    if (step === lastSaid) return;
    lastSaid = step;
    announcement.textContent = `You will be signed out in ${inWords(left)} if you do nothing.`;
  };
  const showCountdown = () => {
    countdown.textContent = inWords(secondsLeft());
    announce();
  };

  const schedule = (seconds) => {
    deadline = Date.now() + seconds * 1000;
    clearTimeout(warnTimer);
    clearTimeout(endTimer);
    warnTimer = setTimeout(warn, Math.max(0, seconds - warning) * 1000);
    endTimer = setTimeout(ended, seconds * 1000);
  };

  const warn = () => {
    document.dispatchEvent(new CustomEvent("app:session-warning"));  // autosave what is being typed, now
    returnFocus = document.activeElement;
    countdown.textContent = inWords(secondsLeft());
    if (!dialog.open) dialog.showModal();  // a modal dialog takes focus: "Stay signed in" is its first control
    dialog.querySelector("#timeout-stay").focus();
    lastSaid = null;
    setTimeout(announce, 150);  // once the dialog is in place, so that screen readers say it
    clearInterval(ticker);
    ticker = setInterval(showCountdown, 1000);
  };

  const close = () => {
    clearInterval(ticker);
    announcement.textContent = "";
    lastSaid = null;
    if (dialog.open) dialog.close();
    if (returnFocus && document.contains(returnFocus)) returnFocus.focus();
  };

  const ended = () => {  // sign out for sure, and come back here after signing in again
    const form = dialog.querySelector("#timeout-ended");
    form.querySelector("input[name=next]").value = window.location.pathname + window.location.search;
    form.submit();
  };

  const stay = async () => {
    let response = null;
    try {
      response = await fetch(dialog.dataset.extendUrl, {
        method: "POST", credentials: "same-origin", headers: { "X-CSRFToken": csrf },
      });
    } catch {
      response = null;
    }
    if (!response || !response.ok) {
      ended();
      return;
    }
    close();
    schedule(Number(response.headers.get("X-Session-Seconds")));
  };

  dialog.querySelector("#timeout-stay").addEventListener("click", stay);
  dialog.addEventListener("cancel", (event) => {  // Escape means "stay signed in", as in the GOV.UK pattern
    event.preventDefault();
    stay();
  });
  // Other requests of this page (htmx updates, autosaves) start the session afresh too.
  const fromResponse = (seconds) => {
    if (seconds && !dialog.open) schedule(Number(seconds));
  };
  document.addEventListener("htmx:afterRequest", (event) => {
    fromResponse(event.detail.xhr && event.detail.xhr.getResponseHeader("X-Session-Seconds"));
  });
  document.addEventListener("app:session-seconds", (event) => fromResponse(event.detail));

  schedule(Number(dialog.dataset.seconds));
}
