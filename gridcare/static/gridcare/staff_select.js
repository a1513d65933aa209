// The search box above a staff <select> (accounts.forms.StaffSelect): typing hides the options and area groups
// that do not match. The box stays hidden without JavaScript, where the grouped select alone works.
document.addEventListener("DOMContentLoaded", () => {
  for (const box of document.querySelectorAll("input.staff-filter")) {
    const select = document.getElementById(box.dataset.filters);
    if (!select) continue;
    box.hidden = false;
    box.addEventListener("input", () => {
      const words = box.value.trim().toLowerCase();
      for (const group of select.querySelectorAll("optgroup")) {
        let shown = 0;
        for (const option of group.querySelectorAll("option")) {
          const match = !words || (group.label + " " + option.text).toLowerCase().includes(words);
          option.hidden = !match;
          shown += match;
        }
        group.hidden = shown === 0;
      }
    });
  }
});
