// Application and supplement forms: keeps a draft in localStorage (survives a reload), makes conditional fields
// required when their condition holds, checks fields in the browser with the same rules the server applies, and
// uploads with a progress bar (XMLHttpRequest). Without JavaScript the forms still post and the server validates.
(function () {
  'use strict';

  function fieldsOf(form) {
    return Array.prototype.slice.call(form.elements).filter(function (el) {
      return el.name && el.name !== '_csrf' && el.name !== 'idempotencyKey' && el.type !== 'file' && el.type !== 'hidden' && el.type !== 'submit' && el.type !== 'button';
    });
  }

  function valueOf(form, name) {
    var el = form.elements[name];
    if (!el) return '';
    if (el.type === 'checkbox') return el.checked ? 'true' : '';
    return el.value;
  }

  // --- draft -------------------------------------------------------------------------------------------------
  function setupDraft(form) {
    var key = form.getAttribute('data-draft-key');
    if (!key) return;
    var serverHasValues = form.querySelector('[aria-invalid="true"]') !== null;
    try {
      var saved = JSON.parse(localStorage.getItem(key) || 'null');
      if (saved && !serverHasValues) {
        fieldsOf(form).forEach(function (el) {
          if (!(el.name in saved)) return;
          if (el.type === 'checkbox') el.checked = saved[el.name] === true;
          else if (el.type === 'radio') el.checked = saved[el.name] === el.value;
          else el.value = saved[el.name];
        });
        var note = document.createElement('p');
        note.className = 'notice';
        note.setAttribute('role', 'status');
        note.textContent = 'Đã khôi phục thông tin bạn nhập lần trước (giấy tờ cần chọn lại).';
        form.parentNode.insertBefore(note, form);
      }
    } catch (e) { /* storage disabled or corrupt: start empty */ }
    var save = function () {
      var data = {};
      fieldsOf(form).forEach(function (el) {
        if (el.type === 'checkbox') data[el.name] = el.checked;
        else if (el.type === 'radio') { if (el.checked) data[el.name] = el.value; }
        else data[el.name] = el.value;
      });
      try { localStorage.setItem(key, JSON.stringify(data)); } catch (e) { /* full or disabled */ }
    };
    form.addEventListener('input', save);
    form.addEventListener('change', save);
    var clear = form.querySelector('[data-clear-draft]');
    if (clear) clear.addEventListener('click', function () {
      try { localStorage.removeItem(key); } catch (e) { /* ignore */ }
      form.reset();
      fieldsOf(form).forEach(function (el) { if (el.type !== 'checkbox' && el.type !== 'radio' && el.tagName !== 'SELECT') el.value = ''; });
      updateConditions(form);
    });
  }

  // --- conditional requirements ------------------------------------------------------------------------------
  function updateConditions(form) {
    Array.prototype.forEach.call(form.querySelectorAll('[data-required-when],[data-doc-required-when]'), function (box) {
      var rule = JSON.parse(box.getAttribute('data-required-when') || box.getAttribute('data-doc-required-when'));
      var on = rule['in'].indexOf(valueOf(form, rule.field)) !== -1;
      var input = box.querySelector('input,select,textarea');
      input.required = on;
      var label = box.querySelector('label');
      var mark = label.querySelector('.req');
      if (on && !mark) { mark = document.createElement('span'); mark.className = 'req'; mark.setAttribute('aria-hidden', 'true'); mark.textContent = ' *'; label.appendChild(mark); }
      if (!on && mark) mark.remove();
    });
    var reason = form.querySelector('[name="reason"]');
    if (reason) reason.required = valueOf(form, 'rating') === 'unsatisfied' || (form.querySelector('input[name="rating"][value="unsatisfied"]:checked') !== null);
  }

  // --- validation ----------------------------------------------------------------------------------------------
  function message(el) {
    var v = el.validity;
    var label = el.labels && el.labels[0] ? el.labels[0].textContent.replace('*', '').trim() : el.name;
    if (v.valueMissing && el.name === 'reason') return 'Vui lòng cho biết lý do không hài lòng.';
    if (v.valueMissing) return el.type === 'file' ? 'Vui lòng chọn tệp.' : label + ' là bắt buộc.';
    if (v.patternMismatch) return el.title || 'Giá trị không đúng định dạng.';
    if (v.typeMismatch) return el.type === 'email' ? 'Email không hợp lệ.' : 'Giá trị không hợp lệ.';
    if (v.rangeUnderflow) return 'Giá trị nhỏ nhất là ' + el.min + '.';
    if (v.rangeOverflow) return el.type === 'date' ? 'Ngày không được sau ngày hôm nay.' : 'Giá trị lớn nhất là ' + el.max + '.';
    if (v.tooLong) return 'Tối đa ' + el.maxLength + ' ký tự.';
    if (v.badInput || v.stepMismatch) return 'Giá trị không hợp lệ.';
    if (el.type === 'file' && el.files) {
      var max = Number(el.getAttribute('data-max-mb') || 0) * 1024 * 1024;
      for (var i = 0; i < el.files.length; i++) if (max && el.files[i].size > max) return 'Tệp "' + el.files[i].name + '" vượt quá ' + el.getAttribute('data-max-mb') + ' MB.';
    }
    return '';
  }

  function showError(form, name, text) {
    var slot = form.querySelector('.field-error[data-for="' + name + '"]');
    var el = form.elements[name];
    if (el && el.setAttribute) { if (text) el.setAttribute('aria-invalid', 'true'); else el.removeAttribute('aria-invalid'); }
    if (slot) { slot.textContent = text || ''; slot.closest('.field').classList.toggle('has-error', Boolean(text)); }
  }

  function validate(form) {
    var problems = [];
    Array.prototype.forEach.call(form.querySelectorAll('input,select,textarea'), function (el) {
      // A disabled control is not sent (a document chosen from the citizen's store disables its upload): nothing to check.
      if (!el.name || el.type === 'hidden' || el.disabled) return;
      var text = message(el);
      showError(form, el.name, text);
      if (text) problems.push({ el: el, text: text });
    });
    return problems;
  }

  function summarise(form, problems, headline) {
    var box = document.getElementById('form-summary');
    if (!box) { if (problems[0]) problems[0].el.focus(); return; }
    box.hidden = problems.length === 0 && !headline;
    box.querySelector('strong').textContent = headline || 'Hồ sơ chưa hợp lệ, vui lòng kiểm tra các trường được đánh dấu.';
    var list = box.querySelector('ul');
    list.textContent = '';
    problems.forEach(function (p) {
      var li = document.createElement('li');
      var a = document.createElement('a');
      a.href = '#' + (p.el && p.el.id ? p.el.id : '');
      a.textContent = p.text;
      li.appendChild(a);
      list.appendChild(li);
    });
    box.focus();
  }

  // --- upload with progress --------------------------------------------------------------------------------
  function upload(form) {
    var bar = form.querySelector('.upload-progress');
    var progress = bar && bar.querySelector('progress');
    var text = bar && bar.querySelector('[data-progress-text]');
    var button = form.querySelector('button[type="submit"]');
    var xhr = new XMLHttpRequest();
    xhr.open('POST', form.action);
    xhr.setRequestHeader('Accept', 'application/json');
    if (bar) bar.hidden = false;
    button.disabled = true;
    xhr.upload.addEventListener('progress', function (e) {
      if (!e.lengthComputable || !progress) return;
      var pct = Math.round((e.loaded / e.total) * 100);
      progress.value = pct;
      progress.textContent = pct + '%';
      if (text) text.textContent = pct + '% (' + Math.round(e.loaded / 1024) + ' / ' + Math.round(e.total / 1024) + ' KB)';
    });
    xhr.addEventListener('load', function () {
      button.disabled = false;
      var body = null;
      try { body = JSON.parse(xhr.responseText); } catch (e) { /* HTML error page */ }
      if (xhr.status < 300 && body && body.redirect) { window.location.assign(body.redirect); return; }
      if (bar) bar.hidden = true;
      if (body && body.error) {
        var problems = [];
        Object.keys(body.error.fields || {}).forEach(function (name) {
          showError(form, name, body.error.fields[name]);
          problems.push({ el: form.elements[name], text: body.error.fields[name] });
        });
        summarise(form, problems, body.error.message);
      } else {
        summarise(form, [], 'Không gửi được hồ sơ (mã lỗi ' + xhr.status + '). Vui lòng thử lại.');
      }
    });
    xhr.addEventListener('error', function () {
      button.disabled = false;
      if (bar) bar.hidden = true;
      summarise(form, [], 'Mất kết nối khi gửi hồ sơ. Thông tin đã nhập vẫn được giữ, vui lòng thử lại.');
    });
    xhr.send(new FormData(form));
  }

  Array.prototype.forEach.call(document.querySelectorAll('form'), function (form) {
    if (form.method.toLowerCase() !== 'post' || form.action.indexOf('/dang-xuat') !== -1) return;
    setupDraft(form);
    updateConditions(form);
    form.addEventListener('change', function () { updateConditions(form); });
    // Once a field was flagged, its message follows the corrections as they are typed.
    var recheck = function (event) {
      var el = event.target;
      if (el && el.name && el.getAttribute('aria-invalid') === 'true') showError(form, el.name, message(el));
    };
    form.addEventListener('input', recheck);
    form.addEventListener('change', recheck);
    form.setAttribute('novalidate', '');
    form.addEventListener('submit', function (event) {
      updateConditions(form);
      var problems = validate(form);
      if (problems.length > 0) { event.preventDefault(); summarise(form, problems); return; }
      if (form.getAttribute('data-upload') === 'true' && window.XMLHttpRequest && window.FormData) { event.preventDefault(); upload(form); }
    });
  });
})();
