// Tracking page: a link from an e-mail or a receipt's QR code carries the tracking token in the URL fragment
// (/tra-cuu?ma=CODE#t=TOKEN), which the browser never sends to the server. Take it out of the address bar (and the
// history), put it in the form and post it, so the token reaches the server only in a request body.
(function () {
  'use strict';
  var match = /(?:^#|&)t=([^&]*)/.exec(window.location.hash || '');
  if (!match) return;
  var token = '';
  try { token = decodeURIComponent(match[1]); } catch (e) { token = ''; }
  try { window.history.replaceState(null, '', window.location.pathname + window.location.search); } catch (e) { /* old browser */ }
  var form = document.querySelector('form[data-track-form]');
  if (!form || !token) return;
  form.elements.token.value = token;
  if (form.elements.code.value) form.submit();
})();
