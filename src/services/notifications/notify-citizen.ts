// Tells the citizen about each change of their dossier: intake and every status change write a `notify-citizen`
// outbox row in the same statement/transaction as the change (so a committed change is never left unannounced), and
// this use-case, run by the job, sends an e-mail (templates/emails/*.hbs) — or an SMS when the dossier has a phone
// but no e-mail. One message per history event: citizen_notifications remembers what was sent, so a retried job does
// not send it twice. Anyone can file a dossier with any e-mail or phone, so what a citizen typed reaches the message
// only as a short plain name (no links, no line breaks), staff comments only when written for the citizen
// (history-events.ts), and the tracking token only in the e-mail's link fragment — never in an SMS.
// This is the one-by-one path (the inline driver, a single queued job); a relayed batch runs through
// notify-citizen-batch.ts, which builds and sends the same messages (composeCitizenMessage, sendCitizenMessage).
// Both leave a message another run was recording at the same moment to that run: here the job throws a retryable
// error and, retried later, finds the message sent, or — the other run died before sending — sends it under the
// Message-ID that run recorded (the record exists then, so this run's record statement sees it).
import { readFile } from 'node:fs/promises';
import { resolve, sep } from 'node:path';
import Handlebars from 'handlebars';
import { vnDay } from '../../calendar/vn-time.js';
import type { AppContext } from '../../app-context.js';
import * as dossiers from '../../db/repositories/dossiers.js';
import { findEventByVersion } from '../../db/repositories/forms.js';
import {
  findEventsToAnnounce, findNotification, markNotificationsSent, recordNotificationAttempts,
  type AnnouncedDossier, type AnnouncedEvent, type EventKey, type NotificationAttempt,
} from '../../db/repositories/notifications.js';
import { findAgency } from '../../db/repositories/staff.js';
import { siteNames } from '../administration/organisation-info.js';
import { formatDateVN } from '../../documents/format.js';
import { AppError } from '../../errors.js';
import { mailerFor } from '../../notifications/mailer.js';
import { smsSenderFor } from '../../notifications/sms.js';
import { stateLabel } from '../../workflow/engine.js';
import { currentTrackingToken } from '../access.js';
import { commentForCitizen, eventLabel, type RemarkingEvent, type TrackingTokenEvent } from '../history-events.js';
import { formatTimeVN, trackingUrl } from '../results/one-stop-forms.js';
import { principalOf } from '../intake/filing.js';

/** The job name; intake's SQL (db/repositories/dossiers.ts) writes it as a literal. */
export const NOTIFY_CITIZEN_JOB = 'notify-citizen';

/** The outbox row announcing the event that produced `dossierVersion`. */
export function notifyCitizenRow(dossierId: string, dossierVersion: number): { job: string; payload: Record<string, unknown> } {
  return { job: NOTIFY_CITIZEN_JOB, payload: { dossierId, dossierVersion } };
}

/**
 * The link e-mailed to the citizen (and in the receipt's QR code): the tracking page with their token in the URL
 * fragment, which browsers never send to the server, so it stays out of request logs and proxies. The page's script
 * (public/assets/track.js) posts it.
 */
export function citizenTrackingUrl(publicUrl: string, code: string, token: string): string {
  return `${trackingUrl(publicUrl, code)}#t=${encodeURIComponent(token)}`;
}

/** How much of the applicant's name an e-mail greets them with. */
export const MAX_NAME_IN_MESSAGE = 60;

// Links in any form a mail client or phone would make clickable: with a scheme, www., or a bare domain name.
const URL_LIKE = /\b(?:[a-z][a-z0-9+.-]*:\/\/|www\.)\S*|\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}(?:[/?#:]\S*)?/giu;

/**
 * Text a citizen typed, made fit for a message the Department sends to an address anyone could have typed: one line
 * (control characters and line breaks become spaces), no links, at most `max` characters.
 */
export function citizenTextForMessage(text: string, max = MAX_NAME_IN_MESSAGE): string {
  const flat = text.normalize('NFC').replace(/[\p{Cc}\p{Cf}\u2028\u2029]+/gu, ' ').replace(URL_LIKE, ' ').replace(/\s+/g, ' ').trim();
  const chars = [...flat];
  return chars.length <= max ? flat : `${chars.slice(0, max - 1).join('').trimEnd()}…`;
}

/** The e-mail template of an event: intake, a changed tracking token, a re-marking answered, or a status change. */
function emailTemplate(action: string): string {
  const tokenChanged: TrackingTokenEvent = 'tracking_token_changed';
  const remarked: RemarkingEvent = 'remarking_decided';
  if (action === remarked) return 'remarking-decided.hbs';
  return action === 'submit' ? 'submitted.hbs' : action === tokenChanged ? 'tracking-token.hbs' : 'status-changed.hbs';
}

const hbs = Handlebars.create();
const templates = new Map<string, Promise<Handlebars.TemplateDelegate>>();

function template(templatesDir: string, name: string): Promise<Handlebars.TemplateDelegate> {
  const root = resolve(templatesDir, 'emails');
  const path = resolve(root, name);
  if (!path.startsWith(root + sep)) throw new Error(`email template outside templates/emails: ${name}`);
  let cached = templates.get(path);
  if (!cached) {
    // Plain-text mail: no HTML escaping (it would print "&amp;").
    cached = readFile(path, 'utf8').then((source) => hbs.compile(source.normalize('NFC'), { noEscape: true }));
    cached.catch(() => templates.delete(path));
    templates.set(path, cached);
  }
  return cached;
}

/** Renders an e-mail template: the first line "Subject: ..." is the subject, the rest the body. */
export async function renderEmail(templatesDir: string, name: string, context: Record<string, unknown>): Promise<{ subject: string; text: string }> {
  const rendered = (await template(templatesDir, name))(context).normalize('NFC');
  const match = /^Subject:[ \t]*(.*)\r?\n\r?\n?([\s\S]*)$/.exec(rendered);
  if (!match) throw new Error(`email template ${name} must start with "Subject: "`);
  // Values come from citizens' forms: a line break must never reach a mail header.
  const subject = match[1]!.replace(/[\r\n]+/g, ' ').trim();
  return { subject, text: match[2]!.replace(/\n{3,}/g, '\n\n').trimEnd() + '\n' };
}

/** SMS text without diacritics: an unaccented SMS is one 160-character part, an accented one 70. */
export function unaccented(text: string): string {
  return text.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/đ/g, 'd').replace(/Đ/g, 'D');
}

export async function notifyCitizen(ctx: AppContext, dossierId: string, dossierVersion: number): Promise<void> {
  // The batch path's statements with one key (db/repositories/notifications.ts): one read, one record, one mark.
  const key = { dossierId, dossierVersion };
  const [found] = await findEventsToAnnounce(ctx.database, [key]);
  if (found?.record?.sentAt) return;
  if (!found) {
    // Rare (a dossier deleted, an event missing): the step-by-step reads say which.
    if ((await findNotification(ctx.db, dossierId, dossierVersion))?.sentAt) return;
    const gone = await dossiers.findDossierById(ctx.db, dossierId);
    if (!gone) throw new AppError('DOSSIER_NOT_FOUND', `dossier ${dossierId} is gone`);
    if (!await findEventByVersion(ctx.db, dossierId, dossierVersion)) throw new AppError('INTERNAL_ERROR', `no event for ${gone.code} v${dossierVersion}`);
  }
  const { dossier, event } = found ?? await refetch(ctx, key);
  const message = await composeCitizenMessage(ctx, key, dossier, event);
  // Recorded before it leaves, sent, then marked sent: a crash or a database blip between the two only ever
  // resends the same message with the same Message-ID, which mail systems recognise as one.
  const [recorded] = await recordNotificationAttempts(ctx.database, [message.attempt]);
  if (recorded?.sent) return;
  if (!recorded?.recorded) {
    // Rare: another run recorded the event after this one's record statement began (which then neither inserts nor
    // sees it). That run is sending it: sending here too could be a second message (an SMS has no Message-ID to tell
    // them apart). Done if a fresh read finds it sent; otherwise retried, as the batch path hands such a row back.
    if (await sentByAnotherRun(ctx, key)) return;
    throw new Error(`notification of ${dossierId}/${dossierVersion} recorded by another run, not yet sent; retried later`);
  }
  await sendCitizenMessage(ctx, message, recorded.messageId);
  await patiently(() => markNotificationsSent(ctx.database, [key]));
}

/** A fresh read of a record another run made while this one was recording it: has that run marked it sent? */
async function sentByAnotherRun(ctx: AppContext, { dossierId, dossierVersion }: EventKey): Promise<boolean> {
  const row = await findNotification(ctx.db, dossierId, dossierVersion);
  if (!row) throw new Error('notification record vanished');
  return row.sentAt !== null;
}

/**
 * One event's message, rendered and not yet sent: its record (`attempt`), and what goes to the citizen — an e-mail, an
 * SMS, or nothing when the dossier gives no way to reach them — and to a proxy filing's principal.
 */
export interface CitizenMessage {
  attempt: NotificationAttempt;
  email?: { subject: string; text: string };
  sms?: string;
  principal?: { to: string; mail: { subject: string; text: string }; messageId: string };
  fromName: string | undefined;
}

/** Renders the message announcing `event` (the single job and the batch path: services/notifications/notify-citizen-batch.ts). */
export async function composeCitizenMessage(ctx: AppContext, { dossierId, dossierVersion }: EventKey, dossier: AnnouncedDossier, event: AnnouncedEvent): Promise<CitizenMessage> {
  const { definition, fromName, context: about } = await dossierMail(ctx, dossier);
  const context = {
    ...about,
    statusLabel: stateLabel(definition, event.toStatus),
    actionLabel: eventLabel(definition, event),
    // Only what the official wrote for the citizen to read (reasons, supplements, extensions), never internal notes.
    comment: event.actorKind === 'staff' ? commentForCitizen(definition, event) ?? '' : '',
    awaitingCitizen: Object.values(definition.states[event.toStatus]?.on ?? {}).some((t) => t.roles.includes('citizen')),
    // The due date as the dossier holds it now: the citizen wants the current promise, not a stale one.
    dueDate: dossier.dueAt ? formatDateVN(vnDay(dossier.dueAt)) : '',
    at: formatTimeVN(event.at),
    // The SMS's link: the tracking page without any token (the citizen types the one on the receipt).
    trackingPage: trackingUrl(ctx.config.publicUrl, dossier.code),
    tokenChanged: emailTemplate(event.action) === 'tracking-token.hbs',
    changedByStaff: event.actorKind === 'staff',
    // A re-marking answered: the outcome, the subjects, the scores and the note as the decision wrote them (admissions/remarking.ts).
    remarking: emailTemplate(event.action) === 'remarking-decided.hbs' ? event.data ?? {} : undefined,
  };

  const messageId = messageIdFor(ctx.config.publicUrl, dossierId, dossierVersion);
  const attempt = (channel: 'email' | 'sms' | 'none', recipient: string | null, subject: string | null): NotificationAttempt =>
    ({ dossierId, dossierVersion, channel, recipient, subject, messageId });
  let message: CitizenMessage;
  if (dossier.applicantEmail) {
    const email = await renderEmail(ctx.config.templatesDir, emailTemplate(event.action), context);
    message = { attempt: attempt('email', dossier.applicantEmail, email.subject), email, fromName };
  } else if (dossier.applicantPhone) {
    const sms = unaccented((await template(ctx.config.templatesDir, 'sms.hbs'))(context)).trim();
    message = { attempt: attempt('sms', dossier.applicantPhone, null), sms, fromName };
  } else {
    message = { attempt: attempt('none', null, null), fromName };
  }
  // A proxy filing: the person represented hears of it too, at the e-mail the proxy gave for them (intake only; the
  // same Message-ID on a retry, like the applicant's).
  const principal = event.action === 'submit' && dossier.filedFor === 'proxy' ? principalOf(dossier.formData) : null;
  if (principal?.email && principal.email.toLowerCase() !== dossier.applicantEmail?.toLowerCase()) {
    const mail = await renderEmail(ctx.config.templatesDir, 'submitted.hbs', {
      ...context, applicantName: citizenTextForMessage(principal.fullName), filedByName: citizenTextForMessage(dossier.applicantName),
    });
    message.principal = { to: principal.email, mail, messageId: messageId.replace('.notify@', '.principal@') };
  }
  return message;
}

/** Sends a recorded message: `messageId` is the one its record carries (an earlier attempt's on a retry). */
export async function sendCitizenMessage(ctx: AppContext, message: CitizenMessage, messageId: string | null): Promise<void> {
  const { recipient } = message.attempt;
  if (message.email && recipient) {
    await mailerFor(ctx.config, ctx.log).send({ to: recipient, ...message.email, messageId: messageId ?? undefined, fromName: message.fromName });
  } else if (message.sms !== undefined && recipient) {
    await smsSenderFor(ctx.log).send(recipient, message.sms);
  }
  if (message.principal) {
    const { to, mail, messageId: principalId } = message.principal;
    await mailerFor(ctx.config, ctx.log).send({ to, ...mail, messageId: principalId, fromName: message.fromName });
  }
}

/** The dossier and event after the joined read found nothing but the step-by-step reads found both (they raced a write). */
async function refetch(ctx: AppContext, key: EventKey) {
  const [found] = await findEventsToAnnounce(ctx.database, [key]);
  if (!found) throw new AppError('INTERNAL_ERROR', `no event for dossier ${key.dossierId} v${key.dossierVersion}`);
  return found;
}

/**
 * Agencies by code, kept a minute per database per process: every e-mail names its agency (one read per message in a
 * registration burst), and agencies are renamed rarely — a renamed one shows in e-mails within a minute.
 */
const agencyCaches = new WeakMap<object, Map<string, { at: number; agency: Promise<Awaited<ReturnType<typeof findAgency>>> }>>();
const AGENCY_CACHE_MS = 60_000;

function cachedAgency(ctx: AppContext, code: string) {
  const now = Date.now();
  let agencyCache = agencyCaches.get(ctx.db);
  if (!agencyCache) agencyCaches.set(ctx.db, (agencyCache = new Map()));
  const hit = agencyCache.get(code);
  if (hit && now - hit.at < AGENCY_CACHE_MS) return hit.agency;
  const agency = findAgency(ctx.db, code);
  agencyCache.set(code, { at: now, agency });
  agency.catch(() => agencyCache.delete(code));
  return agency;
}

/**
 * What every e-mail about a dossier says of it, and who sends it: the code, the applicant as a short plain name, the
 * procedure, the agency, the site, the tracking link, and the sender's display name (notify-citizen, notify-message).
 */
export async function dossierMail(ctx: AppContext, dossier: Pick<dossiers.DossierRow, 'code' | 'applicantName' | 'procedureVersionId' | 'agencyCode' | 'id' | 'trackingTokenVersion'>) {
  const [definition, agency] = await Promise.all([ctx.catalog.definitionFor(dossier.procedureVersionId), cachedAgency(ctx, dossier.agencyCode)]);
  const site = siteNames(ctx.organisation);
  return {
    definition,
    // The Department's name once the organisation is set up (a name written in MAIL_FROM wins).
    fromName: ctx.organisation.departmentAgencyCode ? site.siteName : undefined,
    context: {
      code: dossier.code,
      // Whatever the form said: a short plain name, so the Department's e-mail carries no stranger's message or link.
      applicantName: citizenTextForMessage(dossier.applicantName),
      procedureTitle: definition.title,
      // The Department signs with the province in its name (the settings); a school signs with its own.
      agencyName: agency && agency.code !== ctx.organisation.departmentAgencyCode ? agency.name : site.departmentName,
      departmentName: site.departmentName,
      provinceName: site.provinceName,
      siteName: site.siteName,
      publicUrl: ctx.config.publicUrl,
      // The current token (a changed one included), in the link's fragment; e-mail only.
      trackingUrl: citizenTrackingUrl(ctx.config.publicUrl, dossier.code, currentTrackingToken(ctx.secret, dossier)),
    },
  };
}

/**
 * The message has left: failing now would send it again on the retry. A database blip or restart is waited out here
 * (about two minutes) before the job is allowed to fail; only a crash in this window still resends (same Message-ID).
 */
export async function patiently(markSent: () => Promise<void>): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await markSent();
      return;
    } catch (error) {
      if (attempt >= 12) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.min(15_000, 500 * 2 ** attempt)));
    }
  }
}

/** One Message-ID per (dossier, event), under the portal's own domain. */
export function messageIdFor(publicUrl: string, dossierId: string, dossierVersion: number): string {
  const host = new URL(publicUrl).hostname || 'motcua.local';
  return `<${dossierId}.${dossierVersion}.notify@${host}>`;
}
