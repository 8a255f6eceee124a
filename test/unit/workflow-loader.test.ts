import { createEffectRegistry } from '../../src/effects/index.js';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  canonicalJson,
  loadWorkflowDir,
  loadWorkflowFile,
  WorkflowCheckError,
  type WorkflowProblem,
} from '../../src/workflow/loader.js';

const FIXTURES = 'test/fixtures/workflows';
const opts = { templatesDir: `${FIXTURES}/_templates`, effects: createEffectRegistry().names };
const base = readFileSync(`${FIXTURES}/valid/minimal.yaml`, 'utf8');

const tmp = mkdtempSync(join(tmpdir(), 'motcua-wf-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
let n = 0;
function writeTemp(text: string): string {
  const file = join(tmp, `wf-${++n}.yaml`);
  writeFileSync(file, text);
  return file;
}

function problemsOf(fn: () => unknown): WorkflowProblem[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof WorkflowCheckError) return err.problems;
    throw err;
  }
  throw new Error('expected a WorkflowCheckError');
}

describe('loading valid files', () => {
  it('loads the minimal fixture and applies defaults', () => {
    const wf = loadWorkflowFile(`${FIXTURES}/valid/minimal.yaml`, opts);
    const d = wf.definition;
    expect(wf.file).toBe(`${FIXTURES}/valid/minimal.yaml`);
    expect(wf.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(d.intakeForm).toBe('request');
    expect(d.description).toBe('');
    expect(d.forms.request!.fields[1]).toEqual({ name: 'email', type: 'email', label: 'Email', required: false });
    expect(d.documents.identity!.maxFiles).toBe(1);
    expect(d.documents.proof!.required).toBe(false);
    expect(d.states.submitted!.on.receive!.comment).toBe('none');
    expect(d.states.checking!.on.approve!.guards).toEqual([]);
    expect(d.states.waiting!.on.resubmit!.guards).toEqual([]);
    expect(d.states.done).toEqual({ label: 'Hoàn thành', final: true, on: {} });
    expect(d.states.submitted!.final).toBe(false);
  });

  it('loads workflows/ (the four procedures) with the real templates', () => {
    const all = loadWorkflowDir('workflows', { templatesDir: 'templates', effects: opts.effects });
    expect(all.map((w) => w.definition.id).sort()).toEqual(['admission-registration', 'diploma-copy', 'extra-tutoring-licence', 'school-transfer']);
    const wf = all.find((w) => w.definition.id === 'diploma-copy');
    expect(wf!.definition.sla).toEqual({ workingDays: 1, cutoff: '15:00' });
    expect(wf!.definition.initial).toBe('submitted');
    expect(Object.keys(wf!.definition.states)).toEqual([
      'submitted', 'awaiting_supplement', 'checking', 'awaiting_approval', 'signing', 'result_ready', 'returned', 'refused', 'rejected',
    ]);
  });
});

// Each fixture directory breaks one thing; the problem must name the file, the path and the offending name.
const cases: Array<{ dir: string; path: string; name: string; file?: string }> = [
  { dir: 'yaml-syntax', path: '', name: 'YAML' },
  { dir: 'unknown-route-field', path: 'routing[0].field', name: '"fullname"' },
  { dir: 'unknown-intake-check', path: 'intakeChecks[0]', name: '"campaign-open"' },
  { dir: 'duplicate-key', path: 'roles.clerk', name: '"clerk"' },
  { dir: 'unknown-key', path: 'states.submitted.on.refuse.comments', name: '"comments"' },
  { dir: 'bad-identifier', path: 'states.Waiting-State', name: '"Waiting-State"' },
  { dir: 'bad-enum', path: 'forms.request.fields[1].type', name: '"e-mail"' },
  { dir: 'unknown-initial', path: 'initial', name: '"submited"' },
  { dir: 'unknown-target', path: 'states.submitted.on.receive.to', name: '"chekced"' },
  { dir: 'unreachable-state', path: 'states.archived', name: '"archived"' },
  { dir: 'dead-end-state', path: 'states.refused', name: '"refused"' },
  { dir: 'final-with-transitions', path: 'states.done.on', name: 'reopen' },
  { dir: 'no-way-to-final', path: 'states.limbo', name: '"limbo"' },
  { dir: 'undeclared-role', path: 'states.checking.on.approve.roles[0]', name: '"specialist"' },
  { dir: 'non-system-role', path: 'roles.janitor', name: '"janitor"' },
  { dir: 'unknown-form', path: 'states.checking.on.approve.form', name: '"decisoin"' },
  { dir: 'unknown-intake-form', path: 'intakeForm', name: '"application"' },
  { dir: 'unknown-document', path: 'states.waiting.on.resubmit.documents[1]', name: '"passport"' },
  { dir: 'unknown-contact-field', path: 'contact.phone', name: '"phoneNumber"' },
  { dir: 'contact-wrong-type', path: 'contact.email', name: '"fullName"' },
  { dir: 'unknown-required-when', path: 'documents.proof.requiredWhen.field', name: '"relationship"' },
  { dir: 'unknown-required-when-field', path: 'forms.request.fields[3].requiredWhen.field', name: '"relashun"' },
  { dir: 'unknown-required-when-value', path: 'forms.request.fields[3].requiredWhen.in[0]', name: '"cousin"' },
  { dir: 'missing-template', path: 'result.template', name: '"documents/missing.hbs"' },
  { dir: 'template-outside', path: 'result.template', name: '"../secrets.hbs"' },
  { dir: 'undeclared-signer', path: 'result.signers[0].role', name: '"director"' },
  { dir: 'unknown-effect', path: 'states.submitted.on.receive.effects[0]', name: '"start-clok"' },
  { dir: 'unknown-guard', path: 'states.submitted.on.receive.guards[0]', name: '"documents-complete"' },
  { dir: 'select-without-options', path: 'forms.request.fields[2].options', name: '"relation"' },
  { dir: 'duplicate-field', path: 'forms.request.fields[2].name', name: '"fullName"' },
  { dir: 'duplicate-id', path: 'id', name: '"minimal"', file: 'b-second.yaml' },
];

describe('problems name the file, the path and the offending name', () => {
  it.each(cases)('$dir', ({ dir, path, name, file }) => {
    const expectedFile = `${FIXTURES}/${dir}/${file ?? 'minimal.yaml'}`;
    let error: unknown;
    try {
      loadWorkflowDir(`${FIXTURES}/${dir}`, opts);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(WorkflowCheckError);
    const e = error as WorkflowCheckError;
    const match = e.problems.find((p) => p.file === expectedFile && p.path === path && p.message.includes(name));
    expect(match, e.message).toBeDefined();
    const line = e.message.split('\n').find((l) => l.startsWith(`${expectedFile}: ${path || '(tệp)'}: `));
    expect(line, e.message).toContain(name);
    if (dir !== 'duplicate-id') expect(match!.line).toBeGreaterThan(0);
  });

  it('an unknown target is reported once, without cascading "unreachable" noise', () => {
    const problems = problemsOf(() => loadWorkflowDir(`${FIXTURES}/unknown-target`, opts));
    expect(problems).toHaveLength(1);
    expect(problems[0]!.line).toBe(41);
  });

  it('collects every problem of a file rather than stopping at the first', () => {
    const file = writeTemp(
      base
        .replace('effects: [start-clock]', 'effects: [start-clok]')
        .replace('roles: [leader], form: decision', 'roles: [specialist], form: decision')
        .replace('template: documents/minimal.hbs', 'template: documents/nope.hbs'),
    );
    const paths = problemsOf(() => loadWorkflowFile(file, opts)).map((p) => p.path);
    expect(paths).toEqual(
      expect.arrayContaining(['states.submitted.on.receive.effects[0]', 'states.checking.on.approve.roles[0]', 'result.template']),
    );
  });

  it('collects problems across files of a directory', () => {
    const dir = mkdtempSync(join(tmp, 'dir-'));
    writeFileSync(join(dir, 'a.yaml'), base.replace('initial: submitted', 'initial: nowhere'));
    writeFileSync(join(dir, 'b.yml'), base.replace('id: minimal', 'id: other').replace('guards: [required-documents-present]', 'guards: [nope]'));
    writeFileSync(join(dir, 'notes.txt'), 'ignored');
    const problems = problemsOf(() => loadWorkflowDir(dir, opts));
    expect(problems.map((p) => [p.file, p.path])).toEqual([
      [join(dir, 'a.yaml'), 'initial'],
      [join(dir, 'b.yml'), 'states.submitted.on.receive.guards[0]'],
    ]);
  });

  it('reports a missing required key and a wrong type', () => {
    const file = writeTemp(base.replace('unit: office\n', '').replace('workingDays: 3', 'workingDays: "three"'));
    const problems = problemsOf(() => loadWorkflowFile(file, opts));
    expect(problems.map((p) => p.path)).toEqual(['unit', 'sla.workingDays']);
    expect(problems[1]!.message).toContain('"three"');
  });

  it('rejects an empty directory and a missing one', () => {
    expect(problemsOf(() => loadWorkflowDir(mkdtempSync(join(tmp, 'empty-')), opts))[0]!.message).toMatch(/không có tệp/);
    expect(problemsOf(() => loadWorkflowDir(join(tmp, 'missing'), opts))[0]!.message).toMatch(/không đọc được/);
  });

  it('formats the error message one problem per line', () => {
    try {
      loadWorkflowDir(`${FIXTURES}/bad-identifier`, opts);
    } catch (err) {
      const lines = (err as Error).message.split('\n');
      expect(lines).toHaveLength((err as WorkflowCheckError).problems.length);
      for (const l of lines) expect(l.startsWith(`${FIXTURES}/bad-identifier/minimal.yaml: states.`)).toBe(true);
    }
  });
});

// Procedures are province-independent: a file names the kind of unit that acts; which unit that is, and so the
// deciding agency, is administration data.
describe('unit roles', () => {
  it('accepts desk, office and leadership wherever a unit is named', () => {
    const d = loadWorkflowFile(writeTemp(base
      .replace('unit: office\n', 'unit: desk\nrouting:\n  - { when: { field: relation, in: [relative] }, unit: office }\n  - { unit: desk }\n')
      .replace('effects: [start-clock] }', 'effects: [start-clock], routeTo: { unit: office } }')
      .replace('signers: [{ role: leader }]', 'signers: [{ role: leader, unit: leadership }, { role: leader, kind: seal, unit: leadership }]')), opts).definition;
    expect(d.unit).toBe('desk');
    expect(d.routing).toEqual([{ when: { field: 'relation', in: ['relative'] }, unit: 'office' }, { unit: 'desk' }]);
    expect(d.states.submitted!.on.receive!.routeTo).toEqual({ unit: 'office' });
    expect(d.result.signers).toEqual([{ role: 'leader', kind: 'signature', unit: 'leadership' }, { role: 'leader', kind: 'seal', unit: 'leadership' }]);
  });

  it('refuses a unit id where a role is expected, at file:path, naming the value and the roles', () => {
    const file = writeTemp(base
      .replace('unit: office\n', 'unit: qlcl\nrouting:\n  - { unit: gdtrh }\n')
      .replace('effects: [start-clock] }', 'effects: [start-clock], routeTo: { unit: mot-cua } }')
      .replace('signers: [{ role: leader }]', 'signers: [{ role: leader }, { role: leader, kind: seal, unit: so-gddt }]'));
    const error = (() => {
      try {
        loadWorkflowFile(file, opts);
      } catch (err) {
        return err as WorkflowCheckError;
      }
      throw new Error('expected a WorkflowCheckError');
    })();
    const expected: Record<string, string> = {
      unit: '"qlcl"', 'routing[0].unit': '"gdtrh"', 'states.submitted.on.receive.routeTo.unit': '"mot-cua"', 'result.signers[1].unit': '"so-gddt"',
    };
    expect(error.problems.map((p) => p.path).sort()).toEqual(Object.keys(expected).sort());
    const lines = error.message.split('\n');
    for (const [path, value] of Object.entries(expected)) {
      const line = lines.find((l) => l.startsWith(`${file}: ${path}: `));
      expect(line, error.message).toContain(value);
      expect(line).toContain('desk, office, leadership');
      expect(line).toMatch(/\(dòng \d+\)$/);
    }
  });

  it('refuses `agency`: the agency comes from administration data', () => {
    const file = writeTemp(base.replace('unit: office\n', 'agency: 000.00.12.H56\nunit: office\n'));
    const problems = problemsOf(() => loadWorkflowFile(file, opts));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ file, path: 'agency', line: 6 });
    expect(problems[0]!.message).toMatch(/không còn dùng.*office.*quản trị/);
  });

  it('a key named like an Object prototype member is just an unsupported key', () => {
    const problems = problemsOf(() => loadWorkflowFile(writeTemp(`constructor: x\n${base}`), opts));
    expect(problems.map((p) => [p.path, p.message])).toEqual([['constructor', 'khóa không được hỗ trợ "constructor"']]);
  });
});

describe('hash', () => {
  const hashOf = (text: string) => loadWorkflowFile(writeTemp(text), opts).hash;
  const original = hashOf(base);

  it('ignores comments, whitespace, flow vs block style and key order', () => {
    expect(hashOf(`# another comment\n\n${base.replace(/\n/g, '   \n')}`)).toBe(original);
    expect(hashOf(base.replace('sla: { workingDays: 3, cutoff: "15:00" }', 'sla:\n  cutoff: "15:00"\n  workingDays: 3'))).toBe(original);
    expect(hashOf(base.replace('fee: { amount: 0 }', 'fee:\n    amount: 0'))).toBe(original);
    // Writing a default explicitly is the same definition.
    expect(hashOf(base.replace('label: Tiếp nhận, roles', 'label: Tiếp nhận, comment: none, roles'))).toBe(original);
  });

  it('changes on any semantic change', () => {
    expect(hashOf(base.replace('label: Tiếp nhận,', 'label: Tiếp nhận hồ sơ,'))).not.toBe(original);
    expect(hashOf(base.replace('workingDays: 3', 'workingDays: 4'))).not.toBe(original);
    expect(hashOf(base.replace('maxSizeMb: 5 }\n  proof', 'maxSizeMb: 10 }\n  proof'))).not.toBe(original);
    // Field order is what the citizen sees on the form.
    const swapped = base.replace(
      '      - { name: fullName, type: text, label: Họ và tên, required: true }\n      - { name: email, type: email, label: Email }',
      '      - { name: email, type: email, label: Email }\n      - { name: fullName, type: text, label: Họ và tên, required: true }',
    );
    expect(swapped).not.toBe(base);
    expect(hashOf(swapped)).not.toBe(original);
  });

  it('canonical JSON sorts keys and drops undefined', () => {
    expect(canonicalJson({ b: 1, a: [{ d: undefined, c: 'x' }] })).toBe('{"a":[{"c":"x"}],"b":1}');
  });
});

// How the result is numbered and where it goes (render-and-sign.ts): optional, since stored versions predate them.
describe('result document kind and recipients', () => {
  it('reads them, and leaves them out when the file does', () => {
    const d = loadWorkflowFile(writeTemp(base.replace('signers: [{ role: leader }]',
      "signers: [{ role: leader }]\n  documentKind: licence\n  recipients: ['Ông (bà) {applicant}', 'Lưu: VT, {office}']")), opts).definition;
    expect(d.result).toMatchObject({ documentKind: 'licence', recipients: ['Ông (bà) {applicant}', 'Lưu: VT, {office}'] });
    const plain = loadWorkflowFile(`${FIXTURES}/valid/minimal.yaml`, opts).definition;
    expect(plain.result).not.toHaveProperty('documentKind');
    expect(plain.result).not.toHaveProperty('recipients');
  });

  it('refuses a kind that is not a result kind and a placeholder nothing fills, at their paths', () => {
    const problems = problemsOf(() => loadWorkflowFile(writeTemp(base.replace('signers: [{ role: leader }]',
      "signers: [{ role: leader }]\n  documentKind: receipt\n  recipients: ['{applicant}', 'Lưu: VT, {phong}']")), opts));
    expect(problems.map((p) => p.path).sort()).toEqual(['result.documentKind', 'result.recipients[1]']);
    expect(problems.find((p) => p.path === 'result.documentKind')!.message).toContain('"decision", "notice", "licence", "referral", "copy"');
    expect(problems.find((p) => p.path === 'result.recipients[1]')!.message).toContain('{applicant}, {office}');
  });
});
