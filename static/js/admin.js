// Django's admin: what it needs to pass the site's accessibility checks.
// templates/admin/base_site.html loads this file, deferred, on every admin page.
"use strict";
{
  const $ = window.django && window.django.jQuery;

  // select2's boxes (the admin's autocomplete_fields) take their name from the field's
  // label: select2 names them by the option chosen, so an empty one has no name at all
  // (axe-core's aria-input-field-name).
  const labelId = (select) => {
    const label = select.id && document.querySelector(`label[for="${CSS.escape(select.id)}"]`);
    if (!label) {
      return null;
    }
    label.id ||= `${select.id}_label`;
    return label.id;
  };

  const nameBoxes = (root) => {
    $(root)
      .find("select.admin-autocomplete")
      .each((i, select) => {
        const instance = $(select).data("select2");
        const label = labelId(select);
        if (!instance || !label) {
          return;
        }
        const container = instance.$container[0];
        // The box (a combobox), with what is chosen, and what is inside it: the chosen
        // option (a read-only textbox) or the search field of a multiple choice.
        container.querySelectorAll("[role=combobox]").forEach((box) => {
          const chosen = box.querySelector("[role=textbox][id]");
          box.setAttribute("aria-labelledby", chosen ? `${label} ${chosen.id}` : label);
        });
        container.querySelectorAll("[role=textbox], [role=searchbox]").forEach((field) => {
          field.setAttribute("aria-labelledby", label);
        });
      });
  };

  // The magnifier in the search labels of filter_horizontal's lists bears the label's
  // words in an aria-label, which a plain <span> may not have (axe-core's
  // aria-prohibited-attr): it is an image. SelectFilter2.js makes them when the page loads.
  window.addEventListener("load", () => {
    document.querySelectorAll(".help-tooltip[aria-label]:not([role])").forEach((icon) => {
      icon.setAttribute("role", "img");
    });
  });

  if ($) {
    // After django's autocomplete.js has made the boxes: its handlers were set before.
    $(() => nameBoxes(document));
    document.addEventListener("formset:added", (event) => nameBoxes(event.target));
    // Open, a box says which list it controls (an expanded combobox must: axe-core's
    // aria-required-attr; select2 only sets aria-owns), and the search field of a single
    // choice, in a dropdown at the end of the page, is named too.
    $(document).on("select2:open", (event) => {
      const instance = $(event.target).data("select2");
      if (!instance) {
        return;
      }
      const box = instance.$container[0].querySelector("[role=combobox][aria-owns]");
      if (box) {
        box.setAttribute("aria-controls", box.getAttribute("aria-owns"));
      }
      const label = labelId(event.target);
      const search = instance.$dropdown[0].querySelector(".select2-search__field");
      if (label && search) {
        search.setAttribute("aria-labelledby", label);
      }
    });
    $(document).on("select2:close", (event) => {
      const instance = $(event.target).data("select2");
      instance?.$container[0].querySelector("[role=combobox]")?.removeAttribute("aria-controls");
    });
  }
}
