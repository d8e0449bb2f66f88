// Keyboard help for the problem-code picker. ↓ in the search box goes to the matches (the arrow
// keys then choose among them). Enter, in the search box or on a match, picks the highlighted
// match (the chosen one, else the first) and, where the widget names the next field (data-next:
// the request form's work address), moves the focus there; it never submits the whole form.
// Enter pressed before the matches for the latest letters arrived waits for them.
function pickHighlighted(picker, moveOn) {
  const options = picker.querySelectorAll(".picker-results input[type=radio]");
  if (options.length === 0) {
    return;
  }
  const checked = picker.querySelector(".picker-results input[type=radio]:checked");
  const target = checked || options[0];
  if (!checked) {
    target.checked = true;
    target.dispatchEvent(new Event("change", { bubbles: true }));
  }
  const next = moveOn && picker.dataset.next ? document.getElementById(picker.dataset.next) : null;
  (next || target).focus();
}
document.addEventListener("keydown", (event) => {
  if (event.altKey || event.ctrlKey || event.metaKey || event.defaultPrevented) {
    return;
  }
  const picker = event.target.closest ? event.target.closest("[data-picker]") : null;
  if (!picker) {
    return;
  }
  const query = picker.querySelector(".picker-query");
  if (event.target === query && event.key === "ArrowDown") {
    event.preventDefault();
    pickHighlighted(picker, false);
  } else if (event.target === query && event.key === "Enter") {
    event.preventDefault();
    if (query.value === "" || picker.dataset.answered === query.value) {
      pickHighlighted(picker, true);
      return;
    }
    picker.dataset.pickWhenAnswered = "true";
    if (picker.dataset.asked !== query.value) {
      window.htmx.trigger(query, "search");
    }
  } else if (event.key === "Enter" && event.target.matches(".picker-results input[type=radio]")
             && picker.dataset.next) {
    event.preventDefault();
    pickHighlighted(picker, true);
  }
});
document.addEventListener("htmx:beforeRequest", (event) => {
  const query = event.detail.elt;
  if (query.matches && query.matches(".picker-query")) {
    query.closest("[data-picker]").dataset.asked = query.value;
  }
});
document.addEventListener("htmx:afterSwap", (event) => {
  const query = event.detail.requestConfig ? event.detail.requestConfig.elt : null;
  if (!query || !query.matches || !query.matches(".picker-query")) {
    return;
  }
  const picker = query.closest("[data-picker]");
  picker.dataset.answered = picker.dataset.asked;
  if (picker.dataset.pickWhenAnswered && picker.dataset.answered === query.value) {
    delete picker.dataset.pickWhenAnswered;
    pickHighlighted(picker, true);
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

// Disclosure menus (<details data-menu>) in the top bar: they open and close without this script;
// it closes them as menus are expected to close: one at a time, on Esc (the focus goes back to the
// menu's button) and on a click or focus outside.
document.addEventListener("toggle", (event) => {
  const menu = event.target;
  if (!menu.matches || !menu.matches("details[data-menu]") || !menu.open) {
    return;
  }
  document.querySelectorAll("details[data-menu][open]").forEach((other) => {
    if (other !== menu) {
      other.open = false;
    }
  });
}, true);
function closeMenus(except) {
  document.querySelectorAll("details[data-menu][open]").forEach((menu) => {
    if (!except || !menu.contains(except)) {
      menu.open = false;
    }
  });
}
document.addEventListener("click", (event) => closeMenus(event.target));
document.addEventListener("focusin", (event) => closeMenus(event.target));
// Capturing, and stopped when it closed a menu: that Esc belongs to the menu, not to the page's
// other Esc handlers (closing a panel, discarding a request).
window.addEventListener("keydown", (event) => {
  if (event.key !== "Escape") {
    return;
  }
  const menu = document.querySelector("details[data-menu][open]");
  if (!menu) {
    return;
  }
  menu.open = false;
  event.preventDefault();
  event.stopPropagation();
  menu.querySelector("summary").focus();
}, true);

// The request desk (templates/requests_app/request_edit.html) ----------------------------------

// Styles for what only works with this script (the article drawer over the form).
document.documentElement.classList.add("js");

// Keyboard shortcuts, handled here rather than with accesskey (its modifiers differ between
// browsers, and it does nothing inside a text field). Alt+letter on Linux and Windows; on macOS,
// where Option+letter types characters, Ctrl+Option+letter. Checked against the browsers' own on
// Linux and Windows: Firefox opens a menu with Alt+letter only for its menu bar's letters (F, E,
// V, S, B, T, H), Chromium uses Alt+F, Alt+E and Alt+D; Alt+N, I, A, C, K and P are free in
// both. Ctrl+Enter does nothing in a page in either. event.code names the key whatever letter
// the layout or Option makes of it. AltGr, which is Ctrl+Alt on Windows, types characters
// (AltGr+A is "ą" in Polish), so Ctrl+Alt counts on macOS only.
const IS_MAC = /Mac/.test(
  (navigator.userAgentData && navigator.userAgentData.platform) || navigator.platform || "");
const SHORTCUTS = {
  KeyN: () => submitForm(document.querySelector("form.new-request")),
  KeyI: () => chooseRequestType("information"),
  KeyA: () => chooseRequestType("action"),
  KeyC: () => chooseRequestType("comment"),
  KeyK: () => focusField(document.getElementById("id_kb_q")),
  KeyP: () => focusField(document.getElementById("id_caller_phone")),
  KeyR: () => availabilityShortcut(),
};
function isShortcut(event) {
  if (event.metaKey || event.shiftKey) {
    return false;
  }
  if (IS_MAC) {
    return event.ctrlKey && event.altKey;
  }
  return event.altKey && !event.ctrlKey && !event.getModifierState("AltGraph");
}
function submitForm(form) {
  if (!form) {
    return false;
  }
  form.requestSubmit();
  return true;
}
function focusField(field) {
  if (!field || field.disabled || field.closest("[hidden]")) {
    return false;
  }
  field.focus();
  return true;
}
function chooseRequestType(value) {
  const radio = document.querySelector(
    `#request-form input[name=request_type][value="${CSS.escape(value)}"]`);
  if (!radio || radio.disabled) {
    return false;
  }
  if (!radio.checked) {
    radio.checked = true;
    radio.dispatchEvent(new Event("change", { bubbles: true }));
  }
  const section = radio.form.querySelector(
    `[data-switch="request_type"][data-values~="${CSS.escape(value)}"]`);
  const first = section && section.querySelector(
    "input:not([type=hidden]):not([disabled]), textarea:not([disabled]), select:not([disabled])");
  (first || radio).focus();
  return true;
}
// The availability for calls in the account menu (templates/calls/availability.html): Available
// when not, else the menu, open, on the first pause reason.
function availabilityShortcut() {
  const control = document.getElementById("availability");
  if (!control) {
    return false;
  }
  const ready = control.querySelector("[data-availability-ready]");
  if (ready) {
    // A click, not requestSubmit(): htmx sends the value of the button clicked.
    if (!ready.disabled) {
      ready.click();
    }
    return !ready.disabled;
  }
  const pause = control.querySelector("[data-availability-pause]:not([disabled])");
  const menu = control.closest("details");
  if (!pause || !menu) {
    return false;
  }
  menu.open = true;
  pause.focus();
  return true;
}
function isTextField(element) {
  if (element.isContentEditable || element.tagName === "TEXTAREA" || element.tagName === "SELECT") {
    return true;
  }
  return element.tagName === "INPUT"
    && !["radio", "checkbox", "button", "submit", "reset", "range", "color", "file"].includes(element.type);
}
// On a Mac the titles and aria-keyshortcuts say what to press there.
if (IS_MAC) {
  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("[aria-keyshortcuts*='Alt+']").forEach((element) => {
      element.setAttribute("aria-keyshortcuts",
        element.getAttribute("aria-keyshortcuts").replace(/Alt\+/g, "Control+Alt+"));
      const labelled = element.title ? element : element.closest("[title]");
      if (labelled) {
        labelled.title = labelled.title.replace(/Alt\+/g, "Ctrl+Option+");
      }
    });
  });
}

// Capturing, so that a shortcut works whatever field has the focus; the menus' Esc (above) runs
// first and marks the event handled.
window.addEventListener("keydown", (event) => {
  if (event.defaultPrevented || event.repeat) {
    return;
  }
  if (isShortcut(event) && SHORTCUTS[event.code]) {
    if (SHORTCUTS[event.code]()) {
      event.preventDefault();
    }
    return;
  }
  const plain = !event.altKey && !event.ctrlKey && !event.metaKey;
  if (event.key === "Enter" && !event.altKey && !event.shiftKey
      && (event.ctrlKey || (IS_MAC && event.metaKey))) {
    // The form the focus is in, if it has its own (the reply by e-mail); else the page's first.
    const own = event.target.closest ? event.target.closest("form") : null;
    const save = (own && own.querySelector("[data-shortcut-save]"))
      || document.querySelector("[data-shortcut-save]");
    if (save && !save.disabled) {
      event.preventDefault();
      save.form.requestSubmit(save);
    }
  } else if (event.key === "Escape" && plain) {
    if (closeShortcutsPanel() || closeArticle() || escapeToDiscard(event)) {
      event.preventDefault();
    }
  } else if (event.key === "?" && !event.ctrlKey && !event.altKey && !event.metaKey
             && !isTextField(event.target)) {
    if (openShortcutsPanel()) {
      event.preventDefault();
    }
  }
}, true);

// The "Keyboard shortcuts" panel (templates/base.html): a popover, so its button opens it
// without this script; `?` opens it too. Closing it gives the focus back.
let shortcutsOpener = null;
function openShortcutsPanel() {
  const panel = document.getElementById("shortcuts-panel");
  if (!panel || !panel.showPopover) {
    return false;
  }
  panel.showPopover();
  return true;
}
function closeShortcutsPanel() {
  const panel = document.getElementById("shortcuts-panel");
  if (!panel || !panel.matches(":popover-open")) {
    return false;
  }
  panel.hidePopover();
  return true;
}
document.addEventListener("beforetoggle", (event) => {
  if (event.target.id === "shortcuts-panel" && event.newState === "open") {
    shortcutsOpener = document.activeElement;
  }
}, true);
document.addEventListener("toggle", (event) => {
  if (event.target.id !== "shortcuts-panel") {
    return;
  }
  if (event.newState === "open") {
    event.target.querySelector("h2").focus();
  } else if (shortcutsOpener && shortcutsOpener.isConnected
             && (event.target.contains(document.activeElement) || document.activeElement === document.body)) {
    shortcutsOpener.focus();
  }
}, true);

// An article opened from the request shows in the drawer over the form: from its top, with the
// focus on its heading. Esc or Close closes it and gives the focus back to the article's title.
let articleOpener = null;
document.addEventListener("htmx:afterSwap", (event) => {
  const drawer = event.detail.target;
  if (!drawer || drawer.id !== "kb-article") {
    return;
  }
  articleOpener = event.detail.requestConfig ? event.detail.requestConfig.elt : null;
  drawer.hidden = false;
  drawer.scrollTop = 0;
  const heading = drawer.querySelector("h2");
  if (heading) {
    heading.focus({ preventScroll: true });
  }
});
function closeArticle() {
  const drawer = document.getElementById("kb-article");
  if (!drawer || drawer.hidden) {
    return false;
  }
  drawer.hidden = true;
  const back = articleOpener && articleOpener.isConnected
    ? articleOpener : document.getElementById("id_kb_q");
  if (back) {
    back.focus();
  }
  return true;
}
document.addEventListener("click", (event) => {
  if (event.target.closest && event.target.closest("[data-close-article]")) {
    closeArticle();
  }
});

// ↓ from the knowledge-base search goes to the articles found; ↑ and ↓ move among them, ↑ from
// the first goes back to the search.
document.addEventListener("keydown", (event) => {
  if ((event.key !== "ArrowDown" && event.key !== "ArrowUp") || event.altKey || event.ctrlKey
      || event.metaKey || !event.target.closest) {
    return;
  }
  const box = event.target.closest("[data-arrow-into]");
  if (box) {
    const first = event.key === "ArrowDown"
      ? document.querySelector(`${box.dataset.arrowInto} [data-opens-article]`) : null;
    if (first) {
      event.preventDefault();
      first.focus();
    }
    return;
  }
  const title = event.target.closest("[data-opens-article]");
  if (!title) {
    return;
  }
  const list = title.closest(".kb-hits");
  const titles = Array.from(list.querySelectorAll("[data-opens-article]"))
    .filter((element) => element.offsetParent !== null);
  const index = titles.indexOf(title) + (event.key === "ArrowDown" ? 1 : -1);
  event.preventDefault();
  if (index >= 0 && index < titles.length) {
    titles[index].focus();
  } else if (index < 0 && list.id === "kb-hits") {
    document.getElementById("id_kb_q").focus();
  }
});

// Enter in a caller field looks the caller up at once (hx-trigger "lookup") and presses no
// button. Enter in the form's other one-line fields saves, as the Save button would: never
// another button that happens to come first in the form.
document.addEventListener("keydown", (event) => {
  if (event.key !== "Enter" || event.defaultPrevented || event.altKey || event.ctrlKey
      || event.metaKey || event.shiftKey || !event.target.closest) {
    return;
  }
  const caller = event.target.closest("[data-enter-lookup]");
  if (caller) {
    event.preventDefault();
    window.htmx.trigger(caller, "lookup");
    return;
  }
  const field = event.target;
  const form = field.closest("[data-request-form]");
  if (!form || field.tagName !== "INPUT" || ["submit", "button"].includes(field.type)
      || field.matches("[data-enter-clicks], .picker-query")) {
    return;
  }
  event.preventDefault();
  const save = form.querySelector("[data-shortcut-save]");
  if (save) {
    form.requestSubmit(save);
  }
});

// Unsaved changes: what the form holds, compared with what it held when the page was shown.
// A form shown again after a refused save (data-unsaved) holds unsaved changes from the start.
// Fields that only find things (data-not-saved: the searches) do not count.
const shownState = new WeakMap();
function formState(form) {
  const parts = [];
  for (const element of form.elements) {
    if (!element.name || element.disabled || element.matches("[data-not-saved]")
        || ["submit", "button", "reset"].includes(element.type)
        || element.name === "csrfmiddlewaretoken"
        || ((element.type === "radio" || element.type === "checkbox") && !element.checked)) {
      continue;
    }
    parts.push(`${element.name}=${element.value}`);
  }
  return parts.sort().join("&");
}
function hasUnsavedChanges(form) {
  return form.hasAttribute("data-unsaved") || formState(form) !== shownState.get(form);
}
let leavingBySubmit = false;
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-request-form]").forEach((form) => {
    shownState.set(form, formState(form));
  });
});
document.addEventListener("submit", (event) => {
  if (event.target.matches("[data-request-form]")) {
    leavingBySubmit = true;
  }
});
window.addEventListener("pageshow", () => {
  leavingBySubmit = false;
});
// Leaving a form with unsaved changes asks first (the browser's own question); saving does not.
window.addEventListener("beforeunload", (event) => {
  const form = document.querySelector("[data-request-form]");
  if (form && !leavingBySubmit && hasUnsavedChanges(form)) {
    event.preventDefault();
    event.returnValue = "";
  }
});

// Discard is for a request with nothing typed: it goes away as soon as something is.
function offerDiscard(form) {
  const button = form.querySelector("[data-discard]");
  if (button) {
    button.hidden = hasUnsavedChanges(form);
  }
}
["input", "change"].forEach((type) => {
  document.addEventListener(type, (event) => {
    const form = event.target.closest ? event.target.closest("[data-request-form]") : null;
    if (form) {
      offerDiscard(form);
    }
  });
});

// Esc twice discards a request with nothing typed (its Discard button); the first Esc says so.
// Esc in a field with text in it is that field's (a search box clears itself), not a discard.
let discardArmedUntil = 0;
function escapeToDiscard(event) {
  const button = document.querySelector("[data-discard]");
  const form = button ? button.form : null;
  if (!form || hasUnsavedChanges(form) || (isTextField(event.target) && event.target.value)) {
    return false;
  }
  const hint = document.querySelector("[data-discard-hint]");
  if (Date.now() < discardArmedUntil) {
    discardArmedUntil = 0;
    form.requestSubmit(button);
    return true;
  }
  discardArmedUntil = Date.now() + 3000;
  if (hint) {
    hint.textContent = hint.dataset.text;
    setTimeout(() => {
      if (Date.now() >= discardArmedUntil) {
        hint.textContent = "";
      }
    }, 3100);
  }
  return true;
}

// After a save the focus is on the confirmation at the top (after a refused one, on the error
// summary: showErrorSummary above).
document.addEventListener("DOMContentLoaded", () => {
  const confirmation = document.querySelector(".messages");
  if (confirmation && !document.querySelector("[data-error-summary]")) {
    confirmation.setAttribute("tabindex", "-1");
    confirmation.focus();
  }
});

// The call timer: mm:ss since the request started, counted on from what the server measured
// (data-elapsed, so the agent's clock does not matter); it stands still once the request is
// finished (data-finished).
document.addEventListener("DOMContentLoaded", () => {
  const timers = Array.from(document.querySelectorAll("[data-call-timer]:not([data-finished])"));
  if (timers.length === 0) {
    return;
  }
  const shown = performance.now();
  const tick = () => {
    timers.forEach((timer) => {
      const seconds = Number(timer.dataset.elapsed) + Math.floor((performance.now() - shown) / 1000);
      timer.textContent = `${String(Math.floor(seconds / 60)).padStart(2, "0")}:${String(seconds % 60).padStart(2, "0")}`;
    });
  };
  tick();
  setInterval(tick, 1000);
});
