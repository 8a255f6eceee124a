// "Ký bằng USB token": starts a signing session on the portal (POST …/signatures/agent, same-origin, CSRF header)
// and hands its one-time URLs to the official's local signing agent (VGCA Sign Service style, at data-agent), which
// downloads the document, signs it with the token and uploads it. Shows each step; reloads once the dossier moved on.
(function () {
  'use strict';
  var box = document.querySelector('[data-agent-signing]');
  if (!box || !window.fetch) return;
  var button = box.querySelector('[data-agent-sign]');
  var state = box.querySelector('[data-agent-state]');
  var problem = box.querySelector('[data-agent-error]');
  var agent = box.getAttribute('data-agent').replace(/\/+$/, '');
  var NOT_RUNNING = 'Không kết nối được phần mềm ký trên máy tính này (' + agent + '). Hãy cắm USB token, kiểm tra phần mềm ký số '
    + 'đã được cài đặt và đang chạy, rồi bấm "Ký bằng USB token" lại.';

  function say(text) { state.textContent = text; }
  function fail(text) {
    problem.textContent = text;
    problem.hidden = false;
    button.disabled = false;
  }
  function errorText(body, fallback) {
    return body && body.error && body.error.message ? body.error.message : fallback;
  }
  function readJson(response) {
    return response.text().then(function (text) {
      var body = null;
      try { body = text ? JSON.parse(text) : null; } catch (e) { body = null; }
      return { ok: response.ok, status: response.status, body: body };
    });
  }

  // Whether the agent runs: the button is offered either way (it may be started after the page loaded).
  fetch(agent + '/status', { method: 'GET', mode: 'cors', credentials: 'omit' }).then(readJson).then(function (answer) {
    var who = answer.body && answer.body.certificate ? ' (chứng thư: ' + answer.body.certificate + ')' : '';
    say(answer.ok ? 'Phần mềm ký đã sẵn sàng' + who + '.' : NOT_RUNNING);
  }, function () {
    say(NOT_RUNNING);
  }).then(function () { button.disabled = false; });

  button.addEventListener('click', function () {
    button.disabled = true;
    problem.hidden = true;
    say('Đang tạo phiên ký…');
    fetch(box.getAttribute('data-start'), {
      method: 'POST', credentials: 'same-origin',
      headers: { 'content-type': 'application/json', 'x-csrf-token': box.getAttribute('data-csrf') }, body: '{}',
    }).then(readJson).then(function (session) {
      if (!session.ok) return fail(errorText(session.body, 'Không tạo được phiên ký (mã ' + session.status + ').'));
      say('Đang chuyển văn bản cho phần mềm ký: hãy nhập mã PIN của USB token khi phần mềm yêu cầu…');
      return fetch(agent + '/sign', {
        method: 'POST', mode: 'cors', credentials: 'omit', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ downloadUrl: session.body.downloadUrl, uploadUrl: session.body.uploadUrl }),
      }).then(readJson, function () { return null; }).then(function (answer) {
        if (!answer) return fail(NOT_RUNNING);
        if (!answer.ok) return fail(errorText(answer.body, 'Phần mềm ký không ký được văn bản (mã ' + answer.status + ').'));
        say('Đã ký và đóng dấu số. Hồ sơ đã chuyển bước; đang tải lại trang…');
        window.setTimeout(function () { window.location.reload(); }, 800);
      });
    }, function () {
      fail('Không kết nối được cổng dịch vụ công. Vui lòng thử lại.');
    });
  });
})();
