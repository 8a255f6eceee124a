// Filters the procedure list as the citizen types, without accents ("chuyen truong" finds "Chuyển trường").
// The same search works without JavaScript: the form submits ?q= and the server filters.
(function () {
  'use strict';
  var input = document.querySelector('input[data-filter]');
  if (!input) return;
  var list = document.querySelector(input.getAttribute('data-filter'));
  var count = document.getElementById('result-count');
  var fold = function (s) {
    return s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/[đĐ]/g, 'd').toLowerCase().replace(/\s+/g, ' ').trim();
  };
  var items = Array.prototype.slice.call(list.querySelectorAll('li[data-search]'));
  input.addEventListener('input', function () {
    var words = fold(input.value).split(' ').filter(Boolean);
    var shown = 0;
    items.forEach(function (li) {
      var text = li.getAttribute('data-search');
      var match = words.every(function (w) { return text.indexOf(w) !== -1; });
      li.hidden = !match;
      if (match) shown++;
    });
    if (count) count.textContent = words.length ? 'Tìm thấy ' + shown + ' / ' + items.length + ' thủ tục.' : items.length + ' thủ tục.';
  });
})();
