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
