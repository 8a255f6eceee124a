// The apply page's "Chọn từ kho giấy tờ của tôi" (templates/pages/partials/document-store-picker.hbs): a slot with a
// stored document chosen needs no upload, so its file input stops being required (and is cleared) while one is chosen,
// and its label's required marker "*" is hidden meanwhile.
(function () {
  'use strict';
  function sync(picker) {
    var select = picker.querySelector('select');
    var input = document.getElementById(picker.getAttribute('data-store-picker'));
    if (!select || !input) return;
    // The label's marker says whether the upload is required now: drawn by the template, and for a conditionally
    // required upload added and removed by form.js as its condition changes (only added when none is there, so it is
    // hidden here rather than removed).
    var mark = input.labels && input.labels[0] ? input.labels[0].querySelector('.req') : null;
    var chosen = select.value !== '';
    var wasChosen = input.disabled;
    if (chosen) { input.required = false; input.value = ''; }
    input.disabled = chosen;
    if (!chosen && wasChosen) input.required = mark !== null;
    if (mark) mark.hidden = chosen;
  }
  function all() { Array.prototype.forEach.call(document.querySelectorAll('[data-store-picker]'), sync); }
  // Every change, not only the picker's: listening on the document, this runs after form.js's listener on the form,
  // which may just have added the marker of a now conditionally required upload.
  document.addEventListener('change', all);
  // Before form.js's own submit listener (a capturing listener on the document runs first), which then re-applies
  // conditional requirements and skips the disabled upload when it checks the form.
  document.addEventListener('submit', all, true);
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', all); else all();
})();
