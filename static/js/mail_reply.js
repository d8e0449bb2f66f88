/* The "Reply by e-mail" box (templates/mail/reply_box.html): the Insert button puts the chosen
   article's plain text (its option's data-text) into the message where the cursor is, instead
   of posting the form; the page works the same without this script. */
(function () {
  "use strict";

  function insert(form) {
    var select = form.querySelector("select[name=article]");
    var message = form.querySelector("textarea[name=text]");
    if (!select || !message) return false;
    var option = select.options[select.selectedIndex];
    var text = option && option.dataset.text;
    if (!text) {
      select.focus();
      return true;
    }
    var start = message.selectionStart;
    var end = message.selectionEnd;
    // Untouched, the cursor stands at the start: the article goes after what is typed.
    if (document.activeElement !== message && start === 0 && end === 0) {
      start = end = message.value.length;
    }
    var before = message.value.slice(0, start);
    var after = message.value.slice(end);
    var glueBefore = before && !/\n\n$/.test(before) ? (/\n$/.test(before) ? "\n" : "\n\n") : "";
    var glueAfter = after && !/^\n/.test(after) ? "\n\n" : "";
    message.value = before + glueBefore + text + glueAfter + after;
    var cursor = (before + glueBefore + text).length;
    select.selectedIndex = 0;
    message.focus();
    message.setSelectionRange(cursor, cursor);
    message.dispatchEvent(new Event("input", { bubbles: true }));
    var status = document.querySelector("[data-insert-status]");
    if (status) status.textContent = status.dataset.text;
    return true;
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-insert-article]");
    if (!button) return;
    var form = button.closest("form");
    if (form && insert(form)) event.preventDefault();
  });
})();
