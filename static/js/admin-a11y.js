/* Beheer: names for the widgets that Django's admin builds in JavaScript and leaves unnamed for a
 * screen reader. An autocomplete field (select2) is named only by its current value, so an empty
 * one has no name: it gets its field's label as well. The filter of a many-to-many field puts an
 * aria-label on a plain span, where ARIA does not allow one: the span becomes the image it is.
 * Loaded after Django's own scripts, so these run after theirs. */
"use strict";

(function () {
  function labelIdFor(fieldId) {
    const label = document.querySelector(`label[for="${fieldId}"]`);
    if (label === null) {
      return null;
    }
    if (!label.id) {
      label.id = `${fieldId}-label`;
    }
    return label.id;
  }

  function nameAutocompletes(root) {
    root.querySelectorAll("select.admin-autocomplete").forEach((select) => {
      const labelId = labelIdFor(select.id);
      const widget = select.nextElementSibling;
      if (labelId === null || widget === null || !widget.classList.contains("select2")) {
        return;
      }
      widget.querySelectorAll('[role="combobox"]').forEach((combobox) => {
        const value = combobox.getAttribute("aria-labelledby");
        if (value && !value.split(" ").includes(labelId)) {
          combobox.setAttribute("aria-labelledby", `${labelId} ${value}`);
        }
      });
      widget.querySelectorAll('[role="textbox"]').forEach((textbox) => {
        textbox.setAttribute("aria-labelledby", labelId);
      });
    });
  }

  function nameFilterIcons() {
    document.querySelectorAll(".search-label-icon[aria-label]").forEach((icon) => {
      icon.setAttribute("role", "img");
    });
  }

  if (window.django && window.django.jQuery) {
    window.django.jQuery(() => nameAutocompletes(document));
  }
  document.addEventListener("formset:added", (event) => nameAutocompletes(event.target));
  window.addEventListener("load", nameFilterIcons);
})();
