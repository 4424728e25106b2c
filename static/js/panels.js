// After an in-place (htmx) update, start the design system's components in the new content and move focus to
// what the person needs next: the error summary when the update was refused (role=alert announces it; its links
// take them to each field), else the result message (role=status), else the updated item's heading. Without
// this, focus falls to <body> when the form that had it is swapped out, and a screen reader user hears nothing.
import { initAll } from "../vendor/nhsuk-frontend/nhsuk-frontend.min.js";

function focusOn(element) {
  if (!element.hasAttribute("tabindex")) element.setAttribute("tabindex", "-1");
  element.focus();
}

function focusAfterUpdate(swapped, submitted) {
  const summary = swapped.querySelector('[data-module="nhsuk-error-summary"]');
  if (summary) {
    // The error summary component focuses itself as it starts; this makes sure of it.
    if (document.activeElement !== summary) focusOn(summary);
    return;
  }
  const active = document.activeElement;
  if (active && active !== document.body && swapped.contains(active)) return; // the content chose (autofocus)
  const result = swapped.querySelector(".app-panel-message, [data-focus-after-update]");
  if (result) {
    focusOn(result);
    return;
  }
  if (submitted && (!active || active === document.body)) {
    const heading = swapped.querySelector("h2, h3");
    if (heading) focusOn(heading);
  }
}

document.addEventListener("htmx:afterSettle", (event) => {
  const swapped = event.target;
  // Also fired for out-of-band swaps (an action's version inputs): those hold nothing to start or focus.
  if (!(swapped instanceof Element) || !swapped.isConnected || swapped.matches("input")) return;
  initAll({ scope: swapped });
  const verb = event.detail && event.detail.requestConfig ? event.detail.requestConfig.verb : "";
  focusAfterUpdate(swapped, String(verb).toLowerCase() === "post");
});
