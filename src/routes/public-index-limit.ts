// The per-client flood guard on the public Decision 766 summary (GET /chi-so-phuc-vu and GET /api/public/index-766):
// the figures are cached (services/reporting/index-766.ts), but an anonymous client may still ask PUBLIC_INDEX_PER_MINUTE
// times a minute at most, counted by @fastify/rate-limit (in Redis when there is one, shared by every server copy).
import type { RateLimitOptions } from '@fastify/rate-limit';
import { AppError } from '../errors.js';

const PUBLIC_INDEX_PER_MINUTE = 30;

/** 429 RATE_LIMITED with Retry-After, in words a citizen understands. */
function publicIndexRateLimited(retryAfterSeconds: number): AppError {
  const seconds = Math.max(1, Math.ceil(retryAfterSeconds));
  const error = new AppError('RATE_LIMITED', `Bạn đã xem chỉ số phục vụ quá nhiều lần trong một phút. Vui lòng thử lại sau ${seconds} giây.`);
  error.retryAfterSeconds = seconds;
  return error;
}

export const PUBLIC_INDEX_RATE_LIMIT: RateLimitOptions = {
  max: PUBLIC_INDEX_PER_MINUTE, timeWindow: 60_000,
  errorResponseBuilder: (_request, context) => publicIndexRateLimited(context.ttl / 1000),
};
