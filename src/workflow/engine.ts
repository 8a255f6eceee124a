// The pure core of dossier processing: given a definition, a dossier snapshot and an action, decide
// the next state or refuse with a stable error code. No clock, no I/O: the service persists the result,
// the audit event and the outbox rows in one transaction (DESIGN rule 4).

import { AppError } from '../errors.js';
import { validateFormData } from './form-schema.js';
import { KNOWN_GUARDS, type Guard } from './registry.js';
import type {
  ActionInput,
  ActorRoles,
  AvailableAction,
  DossierSnapshot,
  StateDef,
  TransitionDef,
  TransitionResult,
  WorkflowDefinition,
} from './types.js';

/** Long enough for a reasoned refusal, short enough to fit the one-stop forms it is printed on. */
export const MAX_COMMENT_LENGTH = 2000;

// Own-property lookups: a status or action named "constructor" must not find Object.prototype.
function stateOf(def: WorkflowDefinition, status: string): StateDef | undefined {
  return Object.hasOwn(def.states, status) ? def.states[status] : undefined;
}

export function getTransition(def: WorkflowDefinition, status: string, action: string): TransitionDef | undefined {
  const state = stateOf(def, status);
  return state && Object.hasOwn(state.on, action) ? state.on[action] : undefined;
}

export function isFinal(def: WorkflowDefinition, status: string): boolean {
  return stateOf(def, status)?.final ?? false;
}

export function stateLabel(def: WorkflowDefinition, status: string): string {
  return stateOf(def, status)?.label ?? status;
}

function canAct(t: TransitionDef, actor: ActorRoles): boolean {
  return t.roles.some((role) => actor.roles.includes(role));
}

export function availableActions(def: WorkflowDefinition, status: string, actor: ActorRoles): AvailableAction[] {
  const state = stateOf(def, status);
  if (!state) return [];
  return Object.entries(state.on)
    .filter(([, t]) => canAct(t, actor))
    .map(([name, t]) => ({
      name,
      label: t.label,
      to: t.to,
      needsComment: t.comment === 'required',
      comment: t.comment,
      form: t.form !== undefined ? (def.forms[t.form] ?? null) : null,
      formKey: t.form ?? null,
      documents: [...(t.documents ?? [])],
    }));
}

function normaliseComment(comment: ActionInput['comment']): string {
  return typeof comment === 'string' ? comment.normalize('NFC').trim() : '';
}

export function transition(
  def: WorkflowDefinition,
  dossier: DossierSnapshot,
  action: string,
  actor: ActorRoles,
  input: ActionInput,
  guards: Readonly<Record<string, Guard>> = KNOWN_GUARDS,
): TransitionResult {
  const t = getTransition(def, dossier.status, action);
  if (!t) {
    throw new AppError(
      'ACTION_NOT_AVAILABLE',
      `Không thể thực hiện thao tác "${action}" khi hồ sơ đang ở trạng thái "${stateLabel(def, dossier.status)}".`,
    );
  }
  if (!canAct(t, actor)) {
    throw new AppError('ACTION_FORBIDDEN', `Bạn không có quyền thực hiện thao tác "${t.label}".`);
  }

  let comment: string | null = null;
  if (t.comment !== 'none') {
    const text = normaliseComment(input.comment);
    if (t.comment === 'required' && text === '') {
      throw new AppError('COMMENT_REQUIRED', `Thao tác "${t.label}" cần ghi rõ ý kiến/lý do.`, {
        comment: 'Vui lòng nhập ý kiến/lý do.',
      });
    }
    if (text.length > MAX_COMMENT_LENGTH) {
      throw new AppError('VALIDATION_FAILED', 'Ý kiến/lý do quá dài.', {
        comment: `Tối đa ${MAX_COMMENT_LENGTH} ký tự.`,
      });
    }
    comment = text === '' ? null : text;
  }

  let data: Record<string, unknown> | null = null;
  if (t.form !== undefined) {
    const form = def.forms[t.form];
    // The loader rejects undeclared forms, so this only fires for a definition built by hand.
    if (!form) throw new AppError('INTERNAL_ERROR', `Workflow "${def.id}" refers to undeclared form "${t.form}"`);
    const result = validateFormData(form, input.data);
    if (!result.ok) {
      throw new AppError('VALIDATION_FAILED', 'Thông tin nhập chưa hợp lệ, vui lòng kiểm tra lại.', result.fields);
    }
    data = result.data;
  }

  for (const name of t.guards) {
    const guard = Object.hasOwn(guards, name) ? guards[name] : undefined;
    if (!guard) throw new AppError('INTERNAL_ERROR', `Workflow "${def.id}" refers to unregistered guard "${name}"`);
    const reason = guard({ definition: def, dossier, input, action });
    if (reason !== null) throw new AppError('GUARD_FAILED', reason);
  }

  return {
    next: t.to,
    effects: [...t.effects],
    event: { action, from: dossier.status, to: t.to, comment, data },
  };
}

/**
 * The one action the system may take in a state only the system moves on (e.g. "result issued" in `signing`), if any.
 * A state people act in may also offer system actions (an admission run applied to a live registration): it is not a
 * system state, so the result job and the stranded-dossier recovery leave it alone.
 */
export function systemActionIn(definition: WorkflowDefinition, status: string): string | undefined {
  const actions = Object.entries(definition.states[status]?.on ?? {});
  if (actions.some(([, t]) => !t.roles.includes('system'))) return undefined;
  return actions.find(([, t]) => t.roles.includes('system'))?.[0];
}
