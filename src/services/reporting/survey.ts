// The citizen's satisfaction survey: one answer per dossier, offered once the dossier is closed (result returned or
// decided). "Không hài lòng" needs a reason; the per-criterion questions are optional and come from one list that the
// page renders and the API validates against.
import { z } from 'zod';
import type { AppContext } from '../../app-context.js';
import type { DossierRow } from '../../db/repositories/dossiers.js';
import { findSurveyAnswer, insertSurveyAnswer } from '../../db/repositories/survey.js';
import { AppError } from '../../errors.js';
import { isFinal } from '../../workflow/engine.js';
import { loadDossierFor, type Caller } from '../access.js';
import { isUniqueViolation } from '../procedures/catalog.js';

export const RATINGS = [
  { value: 'very_satisfied', label: 'Rất hài lòng' },
  { value: 'satisfied', label: 'Hài lòng' },
  { value: 'unsatisfied', label: 'Không hài lòng' },
] as const;

/** The criteria provincial portals ask about (Decision 766 satisfaction group). */
export const SURVEY_CRITERIA = [
  { name: 'timeliness', label: 'Thời gian giải quyết', options: [{ value: 'early', label: 'Sớm hơn hẹn' }, { value: 'on_time', label: 'Đúng hẹn' }, { value: 'late', label: 'Trễ hẹn' }] },
  { name: 'staffAttitude', label: 'Thái độ của cán bộ', options: [{ value: 'good', label: 'Tận tình, chu đáo' }, { value: 'normal', label: 'Bình thường' }, { value: 'poor', label: 'Chưa tốt' }] },
  { name: 'contacts', label: 'Số lần phải liên hệ để hoàn thành hồ sơ', options: [{ value: '1', label: 'Một lần' }, { value: '2', label: 'Hai lần' }, { value: '3+', label: 'Ba lần trở lên' }] },
  { name: 'easeOfUse', label: 'Mức độ dễ sử dụng của cổng dịch vụ công', options: [{ value: 'easy', label: 'Dễ sử dụng' }, { value: 'normal', label: 'Bình thường' }, { value: 'hard', label: 'Khó sử dụng' }] },
] as const;

export const MAX_REASON_LENGTH = 1000;

const criteriaSchema = z.object(Object.fromEntries(SURVEY_CRITERIA.map((c) => [
  c.name, z.enum(c.options.map((o) => o.value) as [string, ...string[]]).optional(),
]))).strict();

export const surveyInput = z.object({
  rating: z.enum(['very_satisfied', 'satisfied', 'unsatisfied']),
  reason: z.string().max(MAX_REASON_LENGTH).nullish(),
  criteria: criteriaSchema.optional(),
});
export type SurveyInput = z.infer<typeof surveyInput>;

export interface SurveyState { open: boolean; answered: boolean; rating: string | null }

/** Whether the dossier can be rated now, and whether it already was: for the dossier page, which has loaded it for the caller (dossierDetails). */
/**
 * Whether the survey is open and answered. `rating` is the answer's rating when the caller has read it already (the
 * dossier page reads it with the view: services/viewing/dossier-view.ts): null for not rated; omitted, it is read here.
 */
export async function surveyStateOf(ctx: Pick<AppContext, 'db' | 'catalog'>, dossier: Pick<DossierRow, 'id' | 'status' | 'procedureVersionId'>, rating?: string | null): Promise<SurveyState> {
  const [definition, known] = await Promise.all([
    ctx.catalog.definitionFor(dossier.procedureVersionId),
    rating !== undefined ? rating : findSurveyAnswer(ctx.db, dossier.id).then((answer) => answer?.rating ?? null),
  ]);
  return { open: isFinal(definition, dossier.status), answered: known !== null, rating: known };
}

export async function submitSurvey(ctx: AppContext, code: string, caller: Caller, raw: unknown): Promise<{ code: string; rating: string; createdAt: string }> {
  const { dossier, actor } = await loadDossierFor(ctx, code, caller);
  // Only the person who filed rates: staff could otherwise inflate their own satisfaction figures.
  if (actor.kind !== 'citizen') throw new AppError('FORBIDDEN', 'Chỉ người nộp hồ sơ được đánh giá mức độ hài lòng.');
  const parsed = surveyInput.safeParse(raw ?? {});
  if (!parsed.success) {
    const fields = Object.fromEntries(parsed.error.issues.map((i) => [i.path.join('.') || 'body', i.path[0] === 'rating' ? 'Vui lòng chọn mức độ hài lòng.' : 'Giá trị không hợp lệ.']));
    throw new AppError('VALIDATION_FAILED', 'Phiếu đánh giá chưa hợp lệ.', fields);
  }
  const input = parsed.data;
  const reason = input.reason?.normalize('NFC').trim() || null;
  if (input.rating === 'unsatisfied' && !reason) {
    throw new AppError('VALIDATION_FAILED', 'Vui lòng cho biết lý do không hài lòng.', { reason: 'Bắt buộc khi chọn "Không hài lòng".' });
  }
  const definition = await ctx.catalog.definitionFor(dossier.procedureVersionId);
  if (!isFinal(definition, dossier.status)) {
    throw new AppError('SURVEY_NOT_OPEN', 'Hồ sơ chưa có kết quả, chưa thể đánh giá.');
  }
  const criteria = Object.fromEntries(Object.entries(input.criteria ?? {}).filter(([, v]) => v !== undefined));
  try {
    const row = await insertSurveyAnswer(ctx.db, {
      dossierId: dossier.id, rating: input.rating, reason, criteria: Object.keys(criteria).length > 0 ? criteria : null,
    });
    return { code: dossier.code, rating: row.rating, createdAt: row.createdAt.toISOString() };
  } catch (error) {
    if (isUniqueViolation(error)) throw alreadyRated();
    throw error;
  }
}

function alreadyRated(): AppError {
  return new AppError('SURVEY_ALREADY_SUBMITTED', 'Hồ sơ này đã được đánh giá. Cảm ơn bạn!');
}
