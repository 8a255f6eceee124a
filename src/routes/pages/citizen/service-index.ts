// /chi-so-phuc-vu: the Department's Decision 766 index for anyone to read (the province publishes it): a month, a
// quarter or a year, the five groups with their points, figures and formulas; counts only, no personal data. The
// same service as GET /api/public/index-766 (cached figures), rate-limited per client like it.
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../../app-context.js';
import { AppError } from '../../../errors.js';
import { publicIndex766, type PublicPeriodInput } from '../../../services/reporting/index-766.js';
import { fieldErrors, render } from '../common.js';
import { index766View } from '../index-766-view.js';
import { PUBLIC_INDEX_RATE_LIMIT } from '../../public-index-limit.js';
import { queryText } from '../staff/shared.js';
import { enc } from './shared.js';

const TITLE = 'Chỉ số phục vụ người dân';
const KINDS = [{ value: 'month', label: 'Tháng' }, { value: 'quarter', label: 'Quý' }, { value: 'year', label: 'Năm' }];

export function serviceIndexPages(app: FastifyInstance, ctx: AppContext): void {
  app.get('/chi-so-phuc-vu', { config: { rateLimit: PUBLIC_INDEX_RATE_LIMIT } }, async (request, reply) => {
    const q = queryText(request);
    const input: PublicPeriodInput = { period: q.period?.slice(0, 16), year: q.year?.slice(0, 8), month: q.month?.slice(0, 8), quarter: q.quarter?.slice(0, 8) };
    const form = (chosen: PublicPeriodInput) => ({
      year: chosen.year ?? '', month: chosen.month ?? '', quarter: chosen.quarter ?? '',
      kinds: KINDS.map((k) => ({ ...k, selected: k.value === (chosen.period || 'month') })),
      months: Array.from({ length: 12 }, (_, i) => ({ value: String(i + 1), selected: String(i + 1) === chosen.month })),
      quarters: [1, 2, 3, 4].map((n) => ({ value: String(n), selected: String(n) === chosen.quarter })),
    });
    try {
      const summary = await publicIndex766(ctx, input);
      const { period } = summary;
      const chosen = { period: period.kind, year: String(period.year), month: period.month ? String(period.month) : '', quarter: period.quarter ? String(period.quarter) : '' };
      return render(request, reply, 'service-index', {
        title: `${TITLE} — ${period.label}`, summary, index766: index766View(summary.index766), form: form(chosen),
        apiUrl: `/api/public/index-766?period=${enc(period.kind)}&year=${period.year}${period.month ? `&month=${period.month}` : ''}${period.quarter ? `&quarter=${period.quarter}` : ''}`,
      });
    } catch (error) {
      const problem = fieldErrors(error);
      if (!problem || (error as AppError).code !== 'VALIDATION_FAILED') throw error;
      return render(request, reply, 'service-index', {
        title: TITLE, form: form(input), problem, errors: Object.entries(problem.fields).map(([field, message]) => ({ field, message })),
      }, (error as AppError).statusCode);
    }
  });
}
