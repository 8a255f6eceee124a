// The effects registry: every name a workflow file may put in a transition's `effects`, with what it is and what
// runs it. The workflow loader's known names (ctx.effects.names), the job table and the BullMQ workers
// (jobs/registry.ts) are all derived from this one object. Adding a job effect = one entry here + one handler
// file in jobs/; an entry of kind 'job' without a handler does not type-check.
// Only the composition root (context.ts) and the job drivers import this module: services reach it through
// ctx.effects, so a job handler that calls a use-case never closes an import cycle.
import { formJob } from '../jobs/issue-form.js';
import { issueResultJob } from '../jobs/issue-result.js';
import { takeAdmissionPlace } from '../services/intake/admissions.js';
import { CLOCK_EFFECTS } from './clock.js';
import type { EffectDefinition, EffectRegistry } from './types.js';

export const EFFECTS = {
  ...CLOCK_EFFECTS,
  'take-admission-place': {
    kind: 'rule', label: 'Trúng tuyển: giữ một chỉ tiêu của trường (QUOTA_FULL khi đã đủ).', run: takeAdmissionPlace,
  },
  'issue-result': { kind: 'job', label: 'Tạo và ký số văn bản kết quả (PDF).', job: issueResultJob, issuesResult: true },
  // One-stop forms (Circular 01/2018/TT-VPCP), rendered from the history event that issued them.
  'issue-receipt': { kind: 'job', label: 'Lập Giấy tiếp nhận hồ sơ và hẹn trả kết quả (PDF).', job: formJob('receipt') },
  'issue-supplement-request': { kind: 'job', label: 'Lập Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ (PDF).', job: formJob('supplement-request') },
  'issue-refusal': { kind: 'job', label: 'Lập Phiếu từ chối tiếp nhận giải quyết hồ sơ (PDF).', job: formJob('refusal') },
  'issue-apology': { kind: 'job', label: 'Lập Phiếu xin lỗi và hẹn lại ngày trả kết quả (PDF).', job: formJob('apology') },
} as const satisfies Record<string, EffectDefinition>;

export type EffectName = keyof typeof EFFECTS;

export function createEffectRegistry(effects: Readonly<Record<string, EffectDefinition>> = EFFECTS): EffectRegistry {
  const names = new Set(Object.keys(effects));
  const get = (name: string): EffectDefinition => {
    const effect = Object.hasOwn(effects, name) ? effects[name] : undefined;
    if (!effect) throw new Error(`Unknown workflow effect "${name}"`);
    return effect;
  };
  return {
    names,
    get,
    issuesResult: (list) => list.some((name) => names.has(name) && (get(name) as { issuesResult?: boolean }).issuesResult === true),
  };
}
