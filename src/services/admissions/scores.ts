// The exam board's scores and priority points of a campaign, imported from a CSV/XLSX file (all or nothing): header
// `pupilIdNumber,score,priorityPoints` and optional further columns named like the campaign's tie-break keys (e.g.
// grade9Average). Numbers take a dot or a Vietnamese decimal comma and at most 2 decimals, and are kept in hundredths
// so totals compare exactly. A new file REPLACES the campaign's scores (a re-marking is a corrected file imported
// again), in one transaction with its audit entry — except that a score a re-marking decided 'changed' is kept over the
// file's (remarking.ts; reported as remarkedKept).
import type { AppContext } from '../../app-context.js';
import { lockCampaign, replaceScores } from '../../db/repositories/admission-assignment.js';
import { reapplyRemarkedScores } from '../../db/repositories/admission-remarking.js';
import { findCampaign } from '../../db/repositories/admissions.js';
import { AppError } from '../../errors.js';
import type { Caller } from '../access.js';
import { administratorOf } from '../administration/administrator.js';
import type { TableFile } from '../administration/table-file.js';
import { recordAudit } from '../audit/audit.js';
import { LineErrors, readImportFile } from './import-file.js';

/** Tie-break names that are not extra columns: score and priority points have their own columns, the lottery is drawn. */
export const BUILT_IN_TIE_BREAKS = ['score', 'priorityPoints', 'lottery'] as const;
/** Scores, priority points and extra values are below this (a 3-digit integer part). */
const MAX_POINTS = 1000;
const DECIMAL = /^(\d{1,3})(?:[.,](\d{1,2}))?$/;

/** "27,25" or "27.25" → 2725; undefined when it is not a number with at most 2 decimals in [0, MAX_POINTS). */
export function hundredths(text: string): number | undefined {
  const m = DECIMAL.exec(text);
  if (!m) return undefined;
  const value = Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
  return value < MAX_POINTS * 100 ? value : undefined;
}

/** The extra columns a campaign's file may have: its tie-break keys other than the built-in ones. */
export function extraColumns(tieBreak: readonly string[]): string[] {
  return tieBreak.filter((k) => !(BUILT_IN_TIE_BREAKS as readonly string[]).includes(k));
}

/** A pupil of the file whose score a decided re-marking ('changed') keeps: the file's score and the one kept, in points. */
export interface RemarkedKept { pupilIdNumber: string; fileScore: number; score: number }

export async function importScores(
  ctx: AppContext, caller: Caller, campaignId: string, file: TableFile,
): Promise<{ imported: number; replaced: number; remarkedKept: RemarkedKept[] }> {
  const { staff, actor } = administratorOf(caller);
  const campaign = await findCampaign(ctx.db, campaignId);
  if (!campaign) throw new AppError('NOT_FOUND', 'Không có kỳ tuyển sinh này.');
  const extras = extraColumns(campaign.tieBreak);
  const table = await readImportFile(file, ['pupilIdNumber', 'score', 'priorityPoints', ...extras], ['pupilIdNumber', 'score', 'priorityPoints']);

  const errors = new LineErrors();
  const fail = (line: number, message: string) => errors.fail(line, message);
  const rows: Array<{ pupilIdNumber: string; score: number; priorityPoints: number; extra: Record<string, number>; importedBy: string }> = [];
  for (const { line, values } of table) {
    const id = values.pupilIdNumber ?? '';
    errors.pupilId(line, id);
    const number = (column: string, required: boolean): number | undefined => {
      const text = values[column];
      if (text === undefined) {
        if (required) fail(line, `${column}: chưa có giá trị.`);
        return undefined;
      }
      const value = hundredths(text);
      if (value === undefined) fail(line, `${column}: "${text}" không phải số từ 0 đến dưới ${MAX_POINTS}, tối đa 2 chữ số thập phân (ví dụ 27,25 hoặc 27.25).`);
      return value;
    };
    const score = number('score', true);
    const priorityPoints = number('priorityPoints', false) ?? 0;
    const extra: Record<string, number> = {};
    for (const column of extras) {
      const value = number(column, false);
      if (value !== undefined) extra[column] = value;
    }
    if (score !== undefined) rows.push({ pupilIdNumber: id, score, priorityPoints, extra, importedBy: staff.id });
  }
  errors.throwIfAny();

  return ctx.db.transaction(async (tx) => {
    // One import of a campaign at a time: two at once would otherwise interleave their delete and insert.
    await lockCampaign(tx, campaignId);
    const replaced = await replaceScores(tx, campaignId, rows);
    // A re-marked score stands until another re-marking decides otherwise: the board's file may predate the decision.
    const kept = await reapplyRemarkedScores(tx, campaignId);
    const remarkedKept = kept.map((k) => ({ pupilIdNumber: k.pupilIdNumber, fileScore: k.fileScore / 100, score: k.score / 100 }));
    await recordAudit(tx, actor, 'campaign.scores_imported', campaignId, {
      imported: rows.length, replaced, fileName: file.fileName, remarkedKept: kept.map((k) => k.pupilIdNumber),
    });
    return { imported: rows.length, replaced, remarkedKept };
  });
}
