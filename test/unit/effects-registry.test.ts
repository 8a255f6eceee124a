// The effects registry (src/effects/) is the one place an effect lives: every name the workflow files use resolves
// to an entry, every job effect has its job (and so a BullMQ worker), and the loader refuses names it lacks.
import { describe, expect, it } from 'vitest';
import { createEffectRegistry, EFFECTS } from '../../src/effects/index.js';
import { isKnownJob, JOBS } from '../../src/jobs/registry.js';
import { loadWorkflowDir } from '../../src/workflow/loader.js';

const registry = createEffectRegistry();
const workflows = loadWorkflowDir('workflows', { templatesDir: 'templates', effects: registry.names });

describe('effects registry', () => {
  it('resolves every effect named in workflows/, and each job effect has a job of its name', () => {
    const named = new Set<string>();
    for (const { definition } of workflows) {
      for (const state of Object.values(definition.states)) for (const t of Object.values(state.on)) t.effects.forEach((e) => named.add(e));
    }
    expect(named.size).toBeGreaterThan(5);
    for (const name of named) {
      const effect = registry.get(name);
      if (effect.kind === 'job') {
        expect(effect.job.name, name).toBe(name);
        expect(isKnownJob(name), name).toBe(true);
      }
    }
  });

  it('derives the job table from the job effects plus the system jobs, nothing else', () => {
    const jobEffects = Object.entries(EFFECTS).filter(([, e]) => e.kind === 'job').map(([name]) => name);
    // System jobs: queued by services themselves (intake e-mails, messages, feedback, remote-signing polls, the SLA sweep,
    // the national portal sync, payment receipts, the admission assignment and its application to the dossiers).
    const systemJobs = [
      'notify-citizen', 'notify-feedback', 'notify-message', 'poll-remote-signing', 'sla-sweep', 'sync-national-portal', 'issue-payment-receipt', 'assign-admissions',
      'apply-admission-run',
    ];
    expect(Object.keys(JOBS).sort()).toEqual([...jobEffects, ...systemJobs].sort());
  });

  it('knows what kind each effect is and which one issues the signed result', () => {
    expect(Object.fromEntries(Object.entries(EFFECTS).map(([name, e]) => [name, e.kind]))).toEqual({
      'start-clock': 'clock', 'pause-clock': 'clock', 'resume-clock': 'clock', 'stop-clock': 'clock',
      'take-admission-place': 'rule',
      'issue-result': 'job', 'issue-receipt': 'job', 'issue-supplement-request': 'job', 'issue-refusal': 'job', 'issue-apology': 'job',
    });
    expect(registry.issuesResult(['stop-clock', 'issue-result'])).toBe(true);
    expect(registry.issuesResult(['issue-receipt', 'start-clock'])).toBe(false);
    expect(() => registry.get('send-sms')).toThrow(/send-sms/);
  });

  it('lets the loader refuse an effect the registry lacks', () => {
    expect(() => loadWorkflowDir('workflows', { templatesDir: 'templates', effects: new Set(['start-clock']) })).toThrow(/không được hỗ trợ/);
  });
});
