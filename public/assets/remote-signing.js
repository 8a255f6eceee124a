// Remote-signing status page: while the request waits for the phone, ask the API every few seconds and reload the
// page once the request has an outcome (the page itself renders it; without scripts, the "update" link does).
(function () {
  'use strict';
  var box = document.querySelector('[data-remote-status]');
  if (!box || !window.fetch) return;
  var url = box.getAttribute('data-url');
  function check() {
    fetch(url, { credentials: 'same-origin', headers: { accept: 'application/json' } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (body) {
        if (body && (body.status !== 'pending' || body.counts.pending === 0)) { window.location.reload(); return; }
        setTimeout(check, 2000);
      })
      .catch(function () { setTimeout(check, 5000); });
  }
  setTimeout(check, 2000);
})();
