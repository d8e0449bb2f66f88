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

// The request form shows the sections of the chosen request type. Hidden sections keep what
// was typed in them: switching back shows it again, and it is saved with the rest.
document.addEventListener("change", (event) => {
  if (event.target.name !== "request_type") {
    return;
  }
  const form = event.target.form;
  form.querySelectorAll("[data-for-type]").forEach((section) => {
    section.hidden = section.dataset.forType !== event.target.value;
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
