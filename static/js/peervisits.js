// Progressive enhancements; every page works without this file.
document.documentElement.classList.add("js");

// Selects marked data-autosubmit send their form as soon as they change.
document.querySelectorAll("select[data-autosubmit]").forEach((select) => {
  select.addEventListener("change", () => select.form.submit());
});
