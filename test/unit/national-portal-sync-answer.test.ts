// What the sync contract counts as accepted (contract notes §1.1): create/update answer JSON { error_code, message },
// accepted on error_code "0" or a message saying "thành công"; the steps call answers plain text checked for
// "thành công" (JSON error_code "0" taken too). "không thành công" (failed) contains "thành công" and is a failure.
import { describe, expect, it } from 'vitest';
import { dossierAnswerAccepted, parsePortalAnswer, stepsAnswerAccepted } from '../../src/integrations/national-portal/sync-client.js';

describe('national portal sync answers', () => {
  it('accepts a steps answer in plain text saying "thành công", or JSON error_code "0"', () => {
    expect(stepsAnswerAccepted('Đồng bộ quá trình xử lý thành công')).toBe(true);
    expect(stepsAnswerAccepted('THÀNH CÔNG')).toBe(true);
    expect(stepsAnswerAccepted('"Đồng bộ thành công"')).toBe(true);
    expect(stepsAnswerAccepted('{"error_code":"0","message":"OK"}')).toBe(true);
    expect(stepsAnswerAccepted('{"error_code":0}')).toBe(true);
  });

  it('refuses any other steps answer', () => {
    expect(stepsAnswerAccepted('')).toBe(false);
    expect(stepsAnswerAccepted('OK')).toBe(false);
    expect(stepsAnswerAccepted('Đồng bộ không thành công: hồ sơ chưa tồn tại')).toBe(false);
    expect(stepsAnswerAccepted('{"error_code":"2","message":"Hồ sơ chưa được đồng bộ"}')).toBe(false);
    expect(stepsAnswerAccepted('{"error_code":"1","message":"Đồng bộ thành công một phần"}')).toBe(false);
    expect(stepsAnswerAccepted('<html>Bad gateway</html>')).toBe(false);
  });

  it('accepts a create/update answer on error_code "0" or a message saying "thành công"', () => {
    expect(dossierAnswerAccepted(parsePortalAnswer('{"error_code":"0","message":""}')!)).toBe(true);
    expect(dossierAnswerAccepted(parsePortalAnswer('{"error_code":"1","message":"Thêm mới hồ sơ thành công"}')!)).toBe(true);
    expect(dossierAnswerAccepted(parsePortalAnswer('{"error_code":"1","message":"Thêm mới hồ sơ không thành công"}')!)).toBe(false);
    expect(dossierAnswerAccepted(parsePortalAnswer('{"error_code":"-9","message":"Từ chối"}')!)).toBe(false);
  });

  it('reads { error_code, message } only from a JSON object that has error_code', () => {
    expect(parsePortalAnswer('{"error_code":3,"message":"Hồ sơ đã tồn tại"}')).toEqual({ errorCode: '3', message: 'Hồ sơ đã tồn tại' });
    expect(parsePortalAnswer('{"message":"x"}')).toBeUndefined();
    expect(parsePortalAnswer('thành công')).toBeUndefined();
    expect(parsePortalAnswer('null')).toBeUndefined();
  });
});
