import { z } from 'zod';
import { FORM_SPECS, type StoredFormKind } from '../documents/forms.js';
import { issueForm } from '../services/results/one-stop-forms.js';
import type { JobDefinition } from './types.js';

// `dossierVersion` names the history event that issued the form (dossier_events.dossier_version): the handler
// reads everything else (reason, officer, time) from that event, so a late or repeated run prints the same form.
// Optional only for writers that do not name it yet (the clock's `apologise`): then the latest issuing event.
const payload = z.object({ dossierId: z.uuid(), dossierVersion: z.number().int().positive().optional() });

/** The job that renders and stores one kind of one-stop form; named after the effect that issues it. */
export function formJob(kind: StoredFormKind): JobDefinition<typeof payload> {
  const effect = FORM_SPECS[kind].effect;
  if (!effect) throw new Error(`form ${kind} has no issuing effect`);
  return { name: effect, payload, handle: (ctx, { dossierId, dossierVersion }) => issueForm(ctx, kind, dossierId, dossierVersion) };
}
