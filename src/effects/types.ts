// What an effect is. A workflow file names effects on its transitions; each name is one entry of the registry
// (effects/index.ts) declaring its kind and carrying its implementation, so nothing else matches names by string.
import type { Tx } from '../db/client.js';
import type { DossierRow, NewDossier } from '../db/repositories/dossiers.js';
import type { JobDefinition } from '../jobs/types.js';
import type { WorkflowDefinition } from '../workflow/types.js';

/** What a clock effect sees: the dossier before the action, the pinned definition and the time of the action. */
export interface ClockInput { definition: WorkflowDefinition; dossier: DossierRow; now: Date }

/** Changes the dossier's statutory clock columns, inside the action's transaction. */
export interface ClockEffect { kind: 'clock'; label: string; apply(input: ClockInput): Partial<NewDossier> }

/**
 * A database rule run inside the action's transaction (e.g. taking an admission place). It may refuse with an
 * AppError, which rolls the whole action back; what it decides is merged into the dossier's form data.
 */
export interface RuleEffect {
  kind: 'rule';
  label: string;
  run(tx: Tx, dossier: DossierRow): Promise<Record<string, unknown> | null>;
}

/**
 * Work done after commit by a job: the action writes an outbox row named after the effect, with the standard
 * payload `{ dossierId, dossierVersion, actorStaffId }` (its schema may read any subset of it).
 * `issuesResult` marks the effect that renders and signs the procedure's result: the approval queue and the
 * unsigned preview key on it.
 */
export interface JobEffect {
  kind: 'job';
  label: string;
  job: JobDefinition;
  issuesResult?: boolean;
}

export type EffectDefinition = ClockEffect | RuleEffect | JobEffect;
export type EffectKind = EffectDefinition['kind'];

/** The registry as services see it (through ctx.effects, so a service never imports the job handlers). */
export interface EffectRegistry {
  /** Every effect name a workflow file may use. */
  readonly names: ReadonlySet<string>;
  /** The effect of that name; an unknown name is a programming error (the loader refused it at boot). */
  get(name: string): EffectDefinition;
  /** True when one of these effects renders and signs the result (e.g. a transition's `effects`). */
  issuesResult(effects: readonly string[]): boolean;
}
