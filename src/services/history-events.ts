// The Vietnamese label of every history event. Workflow actions are labelled by the transition they took in the
// dossier's pinned definition; the events written outside the workflow files (intake, assignment, the clock actions)
// are named here, and their writers use these names, so a history never shows a raw action name.
// test/unit/history-events.test.ts checks that every writer of dossier_events is covered.
// commentForCitizen decides, in this one place, which comments a citizen is shown (their view of the history, the
// e-mails and SMS they receive).
import type { WorkflowDefinition } from '../workflow/types.js';
import { SLA_ACTIONS } from './processing/clock-actions.js';

/** Written by intake (db/repositories/dossiers.ts insertSubmission, a constant SQL text). */
export const INTAKE_EVENTS = { submit: 'Nộp hồ sơ' } as const;

/** Written by processing/assign-dossier.ts. */
export const ASSIGNMENT_EVENTS = {
  claim: 'Nhận xử lý hồ sơ',
  assign: 'Phân công cán bộ xử lý',
  transfer_unit: 'Chuyển đơn vị xử lý',
} as const;
export type AssignmentEvent = keyof typeof ASSIGNMENT_EVENTS;

/** Written by processing/change-tracking-token.ts (the citizen's "Đổi mã tra cứu", or staff revoking the token). */
export const TRACKING_TOKEN_EVENTS = { tracking_token_changed: 'Đổi mã tra cứu' } as const;
export type TrackingTokenEvent = keyof typeof TRACKING_TOKEN_EVENTS;

/** Written by admissions/remarking.ts (a re-marking request about the registration dossier, and its answer). */
export const REMARKING_EVENTS = {
  remarking_requested: 'Nộp đơn phúc khảo',
  remarking_decided: 'Trả lời đơn phúc khảo',
} as const;
export type RemarkingEvent = keyof typeof REMARKING_EVENTS;

/** Written by admissions/enrolment.ts and admissions/supplementary.ts on the registration dossier. */
export const ADMISSION_EVENTS = {
  enrolment_confirmed: 'Xác nhận nhập học',
  supplementary_choices: 'Đăng ký nguyện vọng tuyển bổ sung',
} as const;
export type AdmissionEvent = keyof typeof ADMISSION_EVENTS;

/** Written by admissions/adjustment.ts: the parent changed the registration's choices in the adjustment window. */
export const CHOICES_EVENTS = { choices_adjusted: 'Điều chỉnh nguyện vọng' } as const;
export type ChoicesEvent = keyof typeof CHOICES_EVENTS;

/** Every event written outside the workflow files, with its label (clock actions: processing/clock-actions.ts). */
export const NON_WORKFLOW_EVENTS: Readonly<Record<string, string>> = {
  ...INTAKE_EVENTS, ...ASSIGNMENT_EVENTS, ...SLA_ACTIONS, ...TRACKING_TOKEN_EVENTS, ...REMARKING_EVENTS, ...ADMISSION_EVENTS, ...CHOICES_EVENTS,
};

/**
 * The label of a history event: the transition it took in the pinned definition (looked up by the state it left and
 * the action), else the table above; the raw name only for an event nobody declared.
 */
export function eventLabel(definition: WorkflowDefinition, event: { action: string; fromStatus: string | null }): string {
  const state = event.fromStatus !== null && Object.hasOwn(definition.states, event.fromStatus) ? definition.states[event.fromStatus] : undefined;
  const transition = state && Object.hasOwn(state.on, event.action) ? state.on[event.action] : undefined;
  if (transition) return transition.label;
  return Object.hasOwn(NON_WORKFLOW_EVENTS, event.action) ? NON_WORKFLOW_EVENTS[event.action]! : event.action;
}

/** The clock actions whose reason the citizen is told (the extension of the time limit, the apology's new date). */
const CLOCK_ACTIONS_FOR_CITIZEN: ReadonlySet<string> = new Set<keyof typeof SLA_ACTIONS>(['apologise', 'extend']);

/**
 * The comment of a history event as the citizen may read it, or null when it is the office's internal note.
 * A staff member's comment is written for the citizen when the transition it was written on leads to a state where
 * the citizen acts (a supplement request) or to a final state (refusal, rejection, the result handed back), and on
 * the clock actions `extend` and `apologise`; everything else — claim/assign/transfer notes, a leader sending a
 * dossier back, internal reviews — stays internal. The citizen's own comments are theirs to see.
 */
export function commentForCitizen(
  definition: WorkflowDefinition,
  event: { action: string; fromStatus: string | null; actorKind: string; comment: string | null },
): string | null {
  if (!event.comment) return null;
  if (event.actorKind === 'citizen') return event.comment;
  if (CLOCK_ACTIONS_FOR_CITIZEN.has(event.action)) return event.comment;
  const state = event.fromStatus !== null && Object.hasOwn(definition.states, event.fromStatus) ? definition.states[event.fromStatus] : undefined;
  const transition = state && Object.hasOwn(state.on, event.action) ? state.on[event.action] : undefined;
  const target = transition && Object.hasOwn(definition.states, transition.to) ? definition.states[transition.to] : undefined;
  if (!target) return null;
  const citizenActs = Object.values(target.on).some((t) => t.roles.includes('citizen'));
  return target.final || citizenActs ? event.comment : null;
}

/**
 * A hand-over's recorded result ("label: comment", the control slip's column) as the citizen may read it: the comment
 * of the event that made the hand-over only when commentForCitizen allows it, else the event's label alone.
 */
export function handoverResultForCitizen(
  definition: WorkflowDefinition,
  events: ReadonlyArray<{ action: string; fromStatus: string | null; actorKind: string; comment: string | null; dossierVersion: number }>,
  handover: { result: string; dossierVersion: number },
): string {
  const event = events.find((e) => e.dossierVersion === handover.dossierVersion);
  if (!event) return handover.result.split(':')[0]!.trim();
  return commentForCitizen(definition, event) !== null ? handover.result : eventLabel(definition, event);
}
