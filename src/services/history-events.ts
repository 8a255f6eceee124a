// The Vietnamese label of every history event. Workflow actions are labelled by the transition they took in the
// dossier's pinned definition; the events written outside the workflow files (intake, assignment, the clock actions)
// are named here, and their writers use these names, so a history never shows a raw action name.
// test/unit/history-events.test.ts checks that every writer of dossier_events is covered.
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

/** Every event written outside the workflow files, with its label (clock actions: processing/clock-actions.ts). */
export const NON_WORKFLOW_EVENTS: Readonly<Record<string, string>> = { ...INTAKE_EVENTS, ...ASSIGNMENT_EVENTS, ...SLA_ACTIONS };

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
