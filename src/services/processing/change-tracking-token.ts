// "Đổi mã tra cứu": the citizen holding the current tracking token, or staff of a unit handling the dossier (when a
// citizen says the token leaked — a shared kiosk, a forwarded e-mail), replace the token. Its generation moves on,
// so every earlier token, link and remembered browser stops working. The new token is shown once to the citizen who
// changed it, and e-mailed to the citizen (never put in an SMS); staff who revoke it never see it — with it they
// could act as the citizen (supplement, rate the service). A history event and a notification, in one transaction.
import type { AppContext } from '../../app-context.js';
import * as dossiers from '../../db/repositories/dossiers.js';
import { insertOutbox } from '../../db/repositories/outbox.js';
import { AppError, dossierNotFound } from '../../errors.js';
import { actorForDossier, currentTrackingToken, type Caller } from '../access.js';
import type { TrackingTokenEvent } from '../history-events.js';
import { notifyCitizenRow } from '../notifications/notify-citizen.js';

export interface ChangedTrackingToken {
  code: string;
  /** The new token for the citizen who changed it; null when staff revoked it (it goes to the citizen only). */
  trackingToken: string | null;
  version: number;
}

export async function changeTrackingToken(ctx: AppContext, code: string, caller: Caller): Promise<ChangedTrackingToken> {
  const dossier = await dossiers.findDossierByCode(ctx.db, code);
  if (!dossier) throw dossierNotFound();
  // The citizen with the current, unexpired token; staff whose unit holds the dossier now ('act').
  const actor = await actorForDossier(ctx, dossier, caller, 'act');
  if (actor.kind === 'system') throw new AppError('FORBIDDEN', 'Chỉ công dân hoặc cán bộ xử lý hồ sơ được đổi mã tra cứu.');
  const now = new Date();
  const row = await ctx.db.transaction(async (tx) => {
    const updated = await dossiers.bumpTrackingTokenVersion(tx, dossier.id);
    if (!updated) throw dossierNotFound();
    // Labelled in history-events.ts (TRACKING_TOKEN_EVENTS).
    const action: TrackingTokenEvent = 'tracking_token_changed';
    await dossiers.insertEvent(tx, {
      dossierId: dossier.id, at: now, action, fromStatus: updated.status, toStatus: updated.status,
      actorKind: actor.kind, actorId: actor.id, actorName: actor.name, comment: null,
      data: { generation: updated.trackingTokenVersion }, dossierVersion: updated.version,
    });
    // The citizen hears of it by e-mail with the new link (services/notifications/notify-citizen.ts): if it was not
    // them, they still get back in.
    await insertOutbox(tx, [notifyCitizenRow(dossier.id, updated.version)]);
    return updated;
  });
  ctx.jobs.wake();
  return { code: row.code, trackingToken: actor.kind === 'citizen' ? currentTrackingToken(ctx.secret, row) : null, version: row.version };
}
