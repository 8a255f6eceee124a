// The apply page's "Chọn từ kho giấy tờ của tôi" (templates/pages/partials/document-store-picker.hbs): a slot with a
// stored document chosen needs no upload, so its file input stops being required (and is cleared) while one is chosen.
(function () {
  'use strict';
  function sync(picker) {
    var select = picker.querySelector('select');
    var input = document.getElementById(picker.getAttribute('data-store-picker'));
    if (!select || !input) return;
    if (!input.hasAttribute('data-was-required')) input.setAttribute('data-was-required', input.required ? 'true' : 'false');
    var chosen = select.value !== '';
    if (chosen) { input.required = false; input.value = ''; }
    input.disabled = chosen;
    if (!chosen && input.getAttribute('data-was-required') === 'true') input.required = true;
  }
  function all() { Array.prototype.forEach.call(document.querySelectorAll('[data-store-picker]'), sync); }
  document.addEventListener('change', function (event) {
    if (event.target && event.target.closest && event.target.closest('[data-store-picker]')) sync(event.target.closest('[data-store-picker]'));
  });
  // Before form.js's own submit listener (a capturing listener on the document runs first), which then re-applies
  // conditional requirements and skips the disabled upload when it checks the form.
  document.addEventListener('submit', all, true);
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', all); else all();
})();
