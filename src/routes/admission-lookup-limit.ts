// The public admission look-ups' rate limit (config admissionLookup.ratePerMinute per client IP, counted by
// @fastify/rate-limit, in Redis when there is one): one definition for the API (routes/api/admission-lookup.ts) and the
// public page's look-up form (routes/pages/citizen/admissions.ts), so both refuse alike with 429 RATE_LIMITED.
import type { RateLimitOptions } from '@fastify/rate-limit';
import type { AppContext } from '../app-context.js';
import { AppError } from '../errors.js';

export function lookupRateLimit(ctx: AppContext): RateLimitOptions | undefined {
  const max = ctx.config.admissionLookup.ratePerMinute;
  if (max <= 0) return undefined;
  return {
    max, timeWindow: 60_000,
    errorResponseBuilder: (_request, context) => {
      const seconds = Math.max(1, Math.ceil(context.ttl / 1000));
      const error = new AppError('RATE_LIMITED', `Bạn đã tra cứu quá nhiều lần trong một phút. Vui lòng thử lại sau ${seconds} giây.`);
      error.retryAfterSeconds = seconds;
      return error;
    },
  };
}
