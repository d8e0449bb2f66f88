// A report's period: typing a day sets the menu to "From – to"; choosing a preset clears the
// days, so that what is shown is what the menu says (the server reads typed days as "From – to").
document.addEventListener("input", (event) => {
  const field = event.target;
  const form = field.form;
  if (!form || !["first_day", "last_day"].includes(field.name) || !form.elements.period) {
    return;
  }
  if (form.elements.first_day.value || form.elements.last_day.value) {
    form.elements.period.value = "custom";
  }
});
document.addEventListener("change", (event) => {
  const menu = event.target;
  const form = menu.form;
  if (!form || menu.name !== "period" || menu.value === "custom" || !form.elements.first_day) {
    return;
  }
  form.elements.first_day.value = "";
  form.elements.last_day.value = "";
});
