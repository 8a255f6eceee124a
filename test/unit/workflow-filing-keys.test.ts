// The workflow keys of filing while signed in (issue 12): `filing.for` (who a citizen may file for, default self) and
// `prefill` on intake fields (what the state vouches for). Both optional, so stored versions read with the defaults.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createEffectRegistry } from '../../src/effects/index.js';
import { prefilledFields } from '../../src/services/intake/filing.js';
import { loadWorkflowDir, loadWorkflowFile, WorkflowCheckError, type WorkflowProblem } from '../../src/workflow/loader.js';
import { filingOf } from '../../src/workflow/types.js';

const FIXTURES = 'test/fixtures/workflows';
const opts = { templatesDir: `${FIXTURES}/_templates`, effects: createEffectRegistry().names };
const base = readFileSync(`${FIXTURES}/valid/minimal.yaml`, 'utf8');
const tmp = mkdtempSync(join(tmpdir(), 'motcua-filing-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
let n = 0;
const load = (text: string) => {
  const file = join(tmp, `wf-${++n}.yaml`);
  writeFileSync(file, text);
  return loadWorkflowFile(file, opts);
};
function problemsOf(text: string): WorkflowProblem[] {
  try {
    load(text);
  } catch (err) {
    if (err instanceof WorkflowCheckError) return err.problems;
    throw err;
  }
  throw new Error('expected a WorkflowCheckError');
}
const withFiling = (filing: string) => base.replace('documents:\n', `${filing}\ndocuments:\n`);

describe('filing and prefill keys', () => {
  it('are optional: without them a citizen files for themselves and nothing is vouched', () => {
    const d = loadWorkflowFile(`${FIXTURES}/valid/minimal.yaml`, opts).definition;
    expect(d).not.toHaveProperty('filing');
    expect(filingOf(d)).toEqual({ for: ['self'] });
    expect(d.forms.request!.fields.some((f) => 'prefill' in f)).toBe(false);
  });

  it('reads them', () => {
    const d = load(withFiling('filing: { for: [self, proxy], proxyDocument: proof }')
      .replace('{ name: fullName, type: text, label: Họ và tên, required: true }', '{ name: fullName, type: text, label: Họ và tên, required: true, prefill: applicant.fullName }')).definition;
    expect(d.filing).toEqual({ for: ['self', 'proxy'], proxyDocument: 'proof' });
    expect(d.forms.request!.fields[0]!.prefill).toBe('applicant.fullName');
  });

  it('refuses an unknown path, a field of the wrong type, prefill outside the intake form, and a proxy without its document', () => {
    const problems = problemsOf(withFiling('filing: { for: [self, proxy] }')
      .replace('{ name: fullName, type: text, label: Họ và tên, required: true }', '{ name: fullName, type: text, label: Họ và tên, required: true, prefill: applicant.birthDate }')
      .replace('{ name: email, type: email, label: Email }', '{ name: email, type: email, label: Email, prefill: applicant.shoeSize }')
      .replace('{ name: number, type: text, label: Số quyết định, required: true }', '{ name: number, type: text, label: Số quyết định, required: true, prefill: applicant.fullName }'));
    expect(problems.map((p) => p.path).sort()).toEqual(['forms.request.fields[1].prefill']);
    const checked = problemsOf(withFiling('filing: { for: [self, proxy] }')
      .replace('{ name: fullName, type: text, label: Họ và tên, required: true }', '{ name: fullName, type: text, label: Họ và tên, required: true, prefill: applicant.birthDate }')
      .replace('{ name: number, type: text, label: Số quyết định, required: true }', '{ name: number, type: text, label: Số quyết định, required: true, prefill: applicant.fullName }'));
    expect(checked.map((p) => p.path).sort()).toEqual(['filing.proxyDocument', 'forms.decision.fields[0].prefill', 'forms.request.fields[0].prefill']);
    expect(problemsOf(withFiling('filing: { for: [child], proxyDocument: nothing }')).map((p) => p.path)).toEqual(['filing.proxyDocument', 'filing.proxyDocument']);
    expect(problemsOf(withFiling('filing: { for: [self, self] }')).map((p) => p.path)).toEqual(['filing.for']);
  });

  it('the four procedures: who may file, and vouched values fill only fields that accept them', () => {
    const all = Object.fromEntries(loadWorkflowDir('workflows', { templatesDir: 'templates', effects: opts.effects }).map((w) => [w.definition.id, w.definition]));
    expect(filingOf(all['admission-registration']!).for).toEqual(['child']);
    expect(filingOf(all['school-transfer']!).for).toEqual(['child']);
    expect(all['diploma-copy']!.filing).toEqual({ for: ['self', 'proxy'], proxyDocument: 'authorisation' });
    expect(filingOf(all['extra-tutoring-licence']!).for).toEqual(['self']);
    const admission = all['admission-registration']!.forms.request!;
    expect(prefilledFields(admission, { 'pupil.fullName': 'Trần Khánh Linh', 'pupil.gender': 'female', 'pupil.birthDate': '2011-04-20', 'applicant.phone': '0912 000 111' }))
      .toEqual({ pupilName: 'Trần Khánh Linh', pupilGender: 'female', pupilBirthDate: '2011-04-20', parentPhone: '0912000111' });
    // A gender the form has no option for, or a phone its rules refuse, is left for the citizen to type.
    expect(prefilledFields(admission, { 'pupil.gender': 'other', 'applicant.phone': '12345' })).toEqual({});
  });
});
