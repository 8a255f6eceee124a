// Receipt page: the dossier is filed, so the saved draft of its form is no longer needed; "In biên nhận" prints.
(function () {
  'use strict';
  var marker = document.querySelector('[data-clear-draft-key]');
  if (marker) { try { localStorage.removeItem(marker.getAttribute('data-clear-draft-key')); } catch (e) { /* storage disabled */ } }
  var print = document.querySelector('[data-print]');
  if (print) print.addEventListener('click', function () { window.print(); });
})();
