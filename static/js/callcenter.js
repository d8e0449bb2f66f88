// Keyboard help for the problem-code picker: from the search box, Enter or the down arrow
// moves to the matching codes instead of submitting the whole form.
document.addEventListener("keydown", (event) => {
  const query = event.target.closest ? event.target.closest(".picker-query") : null;
  if (!query || (event.key !== "Enter" && event.key !== "ArrowDown")) {
    return;
  }
  const picker = query.closest("[data-picker]");
  const options = picker.querySelectorAll(".picker-results input[type=radio]");
  if (options.length === 0) {
    if (event.key === "Enter") {
      event.preventDefault();
    }
    return;
  }
  event.preventDefault();
  const checked = picker.querySelector(".picker-results input[type=radio]:checked");
  const target = checked || options[0];
  target.focus();
  if (!checked) {
    target.checked = true;
    target.dispatchEvent(new Event("change", { bubbles: true }));
  }
});

// Show that a part of the page is being fetched, for slow connections.
document.addEventListener("htmx:beforeRequest", (event) => {
  event.target.setAttribute("aria-busy", "true");
});
document.addEventListener("htmx:afterRequest", (event) => {
  event.target.removeAttribute("aria-busy");
});

// Sections for some choices only (the request form's type, the article form's kind) carry
// data-switch="<field name>" data-values="<the values they are for>". Hidden sections keep what
// was typed in them: switching back shows it again, and it is saved with the rest.
document.addEventListener("change", (event) => {
  const { form, name, value } = event.target;
  if (!form || !name) {
    return;
  }
  form.querySelectorAll(`[data-switch="${CSS.escape(name)}"]`).forEach((section) => {
    section.hidden = !section.dataset.values.split(" ").includes(value);
  });
});

// "Copy caller address": the known customer's postal address into the work address.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-copy-from]");
  if (!button) {
    return;
  }
  const source = document.querySelector(button.dataset.copyFrom);
  const target = document.querySelector(button.dataset.copyTo);
  if (source && target) {
    target.value = source.dataset.address;
    target.focus();
  }
});

// A search box inside a bigger form (the request form's knowledge-base search): Enter presses
// its own Search button instead of saving the whole form.
document.addEventListener("keydown", (event) => {
  const box = event.target.closest ? event.target.closest("[data-enter-clicks]") : null;
  if (!box || event.key !== "Enter") {
    return;
  }
  event.preventDefault();
  document.getElementById(box.dataset.enterClicks).click();
});

// A form's error summary (templates/includes/error_summary.html) takes the focus when it appears,
// on page load or in an HTMX answer, so it is read out and in view. A link whose field the page
// does not show becomes plain text; a link that works moves the focus to its field.
function showErrorSummary(root) {
  if (!root.querySelector) {
    return;
  }
  const summary = root.matches && root.matches("[data-error-summary]")
    ? root : root.querySelector("[data-error-summary]");
  if (!summary) {
    return;
  }
  summary.querySelectorAll("a[href^='#']").forEach((link) => {
    if (!document.getElementById(link.hash.slice(1))) {
      link.replaceWith(document.createTextNode(link.textContent));
    }
  });
  summary.focus();
}
document.addEventListener("DOMContentLoaded", () => showErrorSummary(document));
document.addEventListener("htmx:load", (event) => {
  // Only what this answer brought: an older summary elsewhere must not steal the focus.
  if (event.target !== document.body) {
    showErrorSummary(event.target);
  }
});
document.addEventListener("click", (event) => {
  const link = event.target.closest ? event.target.closest("[data-error-summary] a[href^='#']") : null;
  const field = link ? document.getElementById(link.hash.slice(1)) : null;
  if (!field) {
    return;
  }
  event.preventDefault();
  const label = document.querySelector(`label[for="${CSS.escape(field.id)}"]`);
  (label || field).scrollIntoView({ block: "start" });
  field.focus({ preventScroll: true });
});

// Error pages: "Back to the previous page" needs the browser's history, so it shows only with it.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-history-back]").forEach((button) => {
    button.hidden = window.history.length < 2;
  });
});
document.addEventListener("click", (event) => {
  if (event.target.closest && event.target.closest("[data-history-back]")) {
    window.history.back();
  }
});

// A failed HTMX request (the server answered 4xx/5xx, or the network is down): htmx swaps
// nothing, so what was typed stays; say so next to what triggered it, in the texts <body> carries
// (translated by the server). The next successful request from that element removes the message.
const requestErrors = new WeakMap();
function showRequestError(event, text) {
  const trigger = event.detail.elt;
  if (!trigger || !trigger.isConnected) {
    return;
  }
  let message = requestErrors.get(trigger);
  if (!message || !message.isConnected) {
    message = document.createElement("p");
    message.className = "request-error";
    message.setAttribute("role", "alert");
    // Beside the field the person was in (hx-trigger may listen to another element, or to a
    // change bubbling up from inside a bigger block); a form gets it at its top.
    const touched = event.detail.requestConfig && event.detail.requestConfig.triggeringEvent
      ? event.detail.requestConfig.triggeringEvent.target : null;
    const near = touched && touched.isConnected && touched.closest ? touched : trigger;
    if (near.tagName === "FORM") {
      near.prepend(message);
    } else {
      (near.closest(".field") || near).after(message);
    }
    requestErrors.set(trigger, message);
  }
  message.textContent = text;
}
document.addEventListener("htmx:responseError", (event) => {
  const texts = document.body.dataset;
  const status = event.detail.xhr ? event.detail.xhr.status : 0;
  showRequestError(event, status === 503 ? texts.errorUnavailable : texts.errorServer);
});
document.addEventListener("htmx:timeout", (event) => {
  showRequestError(event, document.body.dataset.errorNetwork);
});
document.addEventListener("htmx:sendError", (event) => {
  showRequestError(event, document.body.dataset.errorNetwork);
});
document.addEventListener("htmx:afterRequest", (event) => {
  const trigger = event.detail.elt;
  const message = trigger ? requestErrors.get(trigger) : null;
  if (message && event.detail.successful) {
    message.remove();
    requestErrors.delete(trigger);
  }
});
