import { afterAll, describe, expect, it } from 'vitest';
import { AppError, type ErrorCode } from '../../src/errors.js';
import { availableActions, isFinal, stateLabel, transition } from '../../src/workflow/engine.js';
import { loadWorkflowFile } from '../../src/workflow/loader.js';
import { KNOWN_GUARDS, missingRequiredDocuments } from '../../src/workflow/registry.js';
import { createEffectRegistry } from '../../src/effects/index.js';
import type { ActionInput, ActorRoles, DossierSnapshot } from '../../src/workflow/types.js';

const def = loadWorkflowFile('workflows/diploma-copy.yaml', { templatesDir: 'test/fixtures/workflows/_templates', effects: createEffectRegistry().names }).definition;

const citizen: ActorRoles = { roles: ['citizen'] };
const clerk: ActorRoles = { roles: ['clerk'] };
const specialist: ActorRoles = { roles: ['specialist'] };
const leader: ActorRoles = { roles: ['leader'] };
const system: ActorRoles = { roles: ['system'] };

const request = {
  applicantName: 'Nguyễn Văn An',
  applicantIdNumber: '038095001234',
  applicantPhone: '0912345678',
  applicantAddress: 'Phường Điện Biên, TP Thanh Hóa',
  relation: 'self',
  holderName: 'Nguyễn Văn An',
  holderBirthDate: '1995-04-12',
  diplomaType: 'thpt',
  school: 'Trường THPT Lam Sơn',
  graduationYear: 2013,
  copies: 2,
};

const registerCheck = {
  registerBookNumber: 'THPT-2013-01',
  entryNumber: '1234',
  diplomaNumber: 'B 0123456',
  issuedDate: '2013-07-20',
  classification: 'Khá',
};

function dossier(status: string, over: Partial<DossierSnapshot> = {}): DossierSnapshot {
  return { status, formData: { ...request }, documentKeys: ['identity'], ...over };
}

// Every (state, action) exercised successfully below; the last test checks none was forgotten.
const exercised = new Set<string>();
function act(d: DossierSnapshot, action: string, actor: ActorRoles, input: ActionInput = {}) {
  const result = transition(def, d, action, actor, input);
  exercised.add(`${d.status}.${action}`);
  return result;
}

function failure(fn: () => unknown): AppError {
  try {
    fn();
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error('expected an AppError');
}

function expectCode(fn: () => unknown, code: ErrorCode, status: number): AppError {
  const err = failure(fn);
  expect(err.code).toBe(code);
  expect(err.statusCode).toBe(status);
  return err;
}

describe('diploma-copy: submitted (one-stop desk)', () => {
  it('receive: clerk accepts a complete dossier and the clock starts', () => {
    const r = act(dossier('submitted'), 'receive', clerk);
    expect(r).toEqual({
      next: 'checking',
      effects: ['start-clock', 'issue-receipt'],
      event: { action: 'receive', from: 'submitted', to: 'checking', comment: null, data: null },
    });
  });

  it('receive: guard fails without the identity document', () => {
    const err = expectCode(() => transition(def, dossier('submitted', { documentKeys: [] }), 'receive', clerk, {}), 'GUARD_FAILED', 422);
    expect(err.message).toContain('Căn cước công dân / hộ chiếu của người yêu cầu');
  });

  it('receive: a relative must attach the authorisation / proof of relationship', () => {
    const d = dossier('submitted', { formData: { ...request, relation: 'relative' } });
    const err = expectCode(() => transition(def, d, 'receive', clerk, {}), 'GUARD_FAILED', 422);
    expect(err.message).toContain('Giấy ủy quyền / giấy tờ chứng minh quan hệ');
    expect(err.message).not.toContain('Căn cước');
    expect(transition(def, { ...d, documentKeys: ['identity', 'authorisation'] }, 'receive', clerk, {}).next).toBe('checking');
  });

  it('receive: the holder asking for themself needs no authorisation', () => {
    expect(missingRequiredDocuments(def, { relation: 'self' }, ['identity'])).toEqual([]);
    expect(missingRequiredDocuments(def, { relation: 'representative' }, ['identity'])).toEqual(['authorisation']);
  });

  it('receive: other roles are refused with 403', () => {
    for (const actor of [citizen, specialist, leader, system]) {
      expectCode(() => transition(def, dossier('submitted'), 'receive', actor, {}), 'ACTION_FORBIDDEN', 403);
    }
  });

  it('request_supplement: needs a reason; the reason is trimmed and NFC-normalised', () => {
    for (const comment of [undefined, null, '', '   \n\t']) {
      const err = expectCode(
        () => transition(def, dossier('submitted'), 'request_supplement', clerk, { comment }),
        'COMMENT_REQUIRED',
        422,
      );
      expect(err.fields).toEqual({ comment: 'Vui lòng nhập ý kiến/lý do.' });
    }
    const decomposed = '  Thiếu giấy ủy quyền  '.normalize('NFD');
    const r = act(dossier('submitted'), 'request_supplement', clerk, { comment: decomposed });
    expect(r.next).toBe('awaiting_supplement');
    expect(r.effects).toEqual(['pause-clock', 'issue-supplement-request']);
    expect(r.event.comment).toBe('Thiếu giấy ủy quyền'.normalize('NFC'));
  });

  it('refuse: clerk refuses with a reason; the dossier ends', () => {
    const r = act(dossier('submitted'), 'refuse', clerk, { comment: 'Không thuộc thẩm quyền' });
    expect(r.next).toBe('refused');
    expect(r.effects).toEqual(['stop-clock', 'issue-refusal']);
    expect(isFinal(def, 'refused')).toBe(true);
  });

  it('checks role before comment: a citizen refusing without a reason gets 403, not 422', () => {
    expectCode(() => transition(def, dossier('submitted'), 'refuse', citizen, {}), 'ACTION_FORBIDDEN', 403);
  });

  it('an over-long comment is a validation error', () => {
    const err = expectCode(
      () => transition(def, dossier('submitted'), 'refuse', clerk, { comment: 'x'.repeat(2001) }),
      'VALIDATION_FAILED',
      422,
    );
    expect(err.fields).toHaveProperty('comment');
  });
});

describe('diploma-copy: awaiting_supplement', () => {
  it('resubmit: the citizen sends the dossier back to the desk and the clock resumes', () => {
    const r = act(dossier('awaiting_supplement'), 'resubmit', citizen, { comment: 'Đã bổ sung' });
    expect(r.next).toBe('submitted');
    expect(r.effects).toEqual(['resume-clock']);
    expect(r.event.comment).toBe('Đã bổ sung');
  });

  it('resubmit: officials cannot resubmit for the citizen', () => {
    expectCode(() => transition(def, dossier('awaiting_supplement'), 'resubmit', clerk, {}), 'ACTION_FORBIDDEN', 403);
  });
});

describe('diploma-copy: checking (specialist)', () => {
  it('verify: requires the register-check form', () => {
    const err = expectCode(() => transition(def, dossier('checking'), 'verify', specialist, {}), 'VALIDATION_FAILED', 422);
    expect(err.fields).toMatchObject({
      registerBookNumber: 'Số sổ gốc là bắt buộc.',
      entryNumber: 'Số vào sổ cấp văn bằng là bắt buộc.',
      diplomaNumber: 'Số hiệu văn bằng là bắt buộc.',
      issuedDate: 'Ngày cấp văn bằng là bắt buộc.',
    });
    expect(err.fields).not.toHaveProperty('classification');
  });

  it('verify: rejects an impossible issue date', () => {
    const err = expectCode(
      () => transition(def, dossier('checking'), 'verify', specialist, { data: { ...registerCheck, issuedDate: '2013-02-30' } }),
      'VALIDATION_FAILED',
      422,
    );
    expect(err.fields).toEqual({ issuedDate: 'Ngày không hợp lệ (định dạng YYYY-MM-DD).' });
  });

  it('verify: passes the parsed register data to the event', () => {
    const r = act(dossier('checking'), 'verify', specialist, { data: { ...registerCheck, entryNumber: ' 1234 ', junk: 'x' } });
    expect(r.next).toBe('awaiting_approval');
    expect(r.effects).toEqual([]);
    expect(r.event.data).toEqual(registerCheck);
  });

  it('refuse: after receipt a refusal is a decision (rejected), not a refusal to accept', () => {
    const r = act(dossier('checking'), 'refuse', specialist, { comment: 'Không tìm thấy trong sổ gốc' });
    expect(r.next).toBe('rejected');
    expect(r.effects).toEqual(['stop-clock', 'issue-refusal']);
    expect(stateLabel(def, r.next)).toBe('Không đủ điều kiện giải quyết');
    expect(isFinal(def, 'rejected')).toBe(true);
  });

  it('request_supplement: the specialist can ask for more, with a reason', () => {
    expectCode(() => transition(def, dossier('checking'), 'request_supplement', specialist, {}), 'COMMENT_REQUIRED', 422);
    const r = act(dossier('checking'), 'request_supplement', specialist, { comment: 'Ảnh CCCD bị mờ' });
    expect(r.next).toBe('awaiting_supplement');
    expect(r.effects).toEqual(['pause-clock', 'issue-supplement-request']);
  });

  it('a clerk cannot verify', () => {
    expectCode(() => transition(def, dossier('checking'), 'verify', clerk, { data: registerCheck }), 'ACTION_FORBIDDEN', 403);
  });
});

describe('diploma-copy: approval, signing, return', () => {
  it('approve: the leader approves and the result job is queued', () => {
    const r = act(dossier('awaiting_approval'), 'approve', leader);
    expect(r.next).toBe('signing');
    expect(r.effects).toEqual(['issue-result']);
    expect(createEffectRegistry().get('issue-result').kind).toBe('job');
  });

  it('send_back: requires a reason and returns to the specialist', () => {
    expectCode(() => transition(def, dossier('awaiting_approval'), 'send_back', leader, { comment: ' ' }), 'COMMENT_REQUIRED', 422);
    const r = act(dossier('awaiting_approval'), 'send_back', leader, { comment: 'Kiểm tra lại số hiệu' });
    expect(r.next).toBe('checking');
    expect(r.effects).toEqual([]);
  });

  it('result_issued: only the system moves signing on; a comment is ignored there', () => {
    expectCode(() => transition(def, dossier('signing'), 'result_issued', leader, {}), 'ACTION_FORBIDDEN', 403);
    const r = act(dossier('signing'), 'result_issued', system, { comment: 'ignored' });
    expect(r.next).toBe('result_ready');
    expect(r.event.comment).toBeNull();
  });

  it('return_result: the clerk hands over the result and the clock stops', () => {
    const r = act(dossier('result_ready'), 'return_result', clerk);
    expect(r).toMatchObject({ next: 'returned', effects: ['stop-clock'] });
    expect(isFinal(def, 'returned')).toBe(true);
  });
});

describe('transition: unavailable actions', () => {
  it('an action of another state is not available (422) and names the action and the state label', () => {
    const err = expectCode(() => transition(def, dossier('submitted'), 'verify', specialist, {}), 'ACTION_NOT_AVAILABLE', 422);
    expect(err.message).toContain('"verify"');
    expect(err.message).toContain('Mới nộp');
  });

  it('final states accept nothing', () => {
    for (const s of ['returned', 'refused', 'rejected']) {
      expectCode(() => transition(def, dossier(s), 'receive', clerk, {}), 'ACTION_NOT_AVAILABLE', 422);
    }
  });

  it('prototype names are not actions or states', () => {
    expectCode(() => transition(def, dossier('submitted'), 'constructor', clerk, {}), 'ACTION_NOT_AVAILABLE', 422);
    expectCode(() => transition(def, dossier('toString'), 'receive', clerk, {}), 'ACTION_NOT_AVAILABLE', 422);
    expect(availableActions(def, '__proto__', clerk)).toEqual([]);
  });

  it('uses the guards it is given', () => {
    const guards = { ...KNOWN_GUARDS, 'required-documents-present': () => 'Lý do thử nghiệm' };
    const err = failure(() => transition(def, dossier('submitted'), 'receive', clerk, {}, guards));
    expect(err.code).toBe('GUARD_FAILED');
    expect(err.message).toBe('Lý do thử nghiệm');
  });

  it('returns a copy of the effects, never the definition array', () => {
    const r = transition(def, dossier('submitted'), 'receive', clerk, {});
    r.effects.push('stop-clock');
    expect(def.states.submitted!.on.receive!.effects).toEqual(['start-clock', 'issue-receipt']);
  });
});

describe('availableActions', () => {
  const names = (status: string, actor: ActorRoles) => availableActions(def, status, actor).map((a) => a.name);

  it('lists actions per role in definition order', () => {
    expect(names('submitted', clerk)).toEqual(['receive', 'request_supplement', 'refuse']);
    expect(names('submitted', citizen)).toEqual([]);
    expect(names('submitted', specialist)).toEqual([]);
    expect(names('awaiting_supplement', citizen)).toEqual(['resubmit']);
    expect(names('checking', specialist)).toEqual(['verify', 'request_supplement', 'refuse']);
    expect(names('checking', leader)).toEqual([]);
    expect(names('awaiting_approval', leader)).toEqual(['approve', 'send_back']);
    expect(names('signing', leader)).toEqual([]);
    expect(names('signing', system)).toEqual(['result_issued']);
    expect(names('result_ready', clerk)).toEqual(['return_result']);
    expect(names('returned', clerk)).toEqual([]);
    expect(names('nonexistent', clerk)).toEqual([]);
  });

  it('merges the actions of every role an actor holds', () => {
    expect(names('checking', { roles: ['clerk', 'specialist'] })).toEqual(['verify', 'request_supplement', 'refuse']);
    expect(names('awaiting_approval', { roles: ['specialist', 'leader'] })).toEqual(['approve', 'send_back']);
  });

  it('describes comments, forms and documents', () => {
    const [verify] = availableActions(def, 'checking', specialist);
    expect(verify).toMatchObject({ name: 'verify', label: 'Xác nhận có trong sổ gốc, trình phê duyệt', to: 'awaiting_approval', comment: 'optional', needsComment: false, formKey: 'register_check', documents: [] });
    expect(verify!.form).toBe(def.forms.register_check);
    const [resubmit] = availableActions(def, 'awaiting_supplement', citizen);
    expect(resubmit!.documents).toEqual(['identity', 'authorisation', 'diplomaScan']);
    expect(resubmit!.form).toBeNull();
    const refuse = availableActions(def, 'submitted', clerk).find((a) => a.name === 'refuse');
    expect(refuse).toMatchObject({ needsComment: true, comment: 'required' });
  });
});

afterAll(() => {
  // Every transition of the definition must have been exercised by a test above.
  const all = Object.entries(def.states).flatMap(([s, st]) => Object.keys(st.on).map((a) => `${s}.${a}`));
  expect([...exercised].sort()).toEqual(all.sort());
});
