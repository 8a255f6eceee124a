// The flood guard on messages about a dossier (POST /api/dossiers/:code/messages and the two dossier pages' message
// forms /ho-so/:code/tin-nhan, /can-bo/ho-so/:code/tin-nhan): MESSAGE_RATE_LIMIT posts a minute per client address and
// dossier (0: none), one count for the three routes, kept by @fastify/rate-limit (in Redis when there is one, so every server
// copy shares it). A staff message may e-mail the citizen and a citizen's lands in the office's view: a bound on
// abuse, not a quota.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AppContext } from '../app-context.js';
import { AppError } from '../errors.js';

const WINDOW_MS = 60_000;

type MessageLimiter = (request: FastifyRequest) => Promise<AppError | undefined>;

/** One limiter per application, so the API and the pages draw on one count even without Redis. */
const limiters = new WeakMap<AppContext, MessageLimiter>();

/** Resolves to the refusal (429 RATE_LIMITED with Retry-After) or undefined when the message may be posted. */
export function messagePostLimiter(app: FastifyInstance, ctx: AppContext): MessageLimiter {
  const known = limiters.get(ctx);
  if (known) return known;
  const max = ctx.config.messageRatePerMinute;
  if (max <= 0) return async () => undefined;
  // Every route it guards has the dossier's code as :code.
  const limiter = app.createRateLimit({
    max, timeWindow: WINDOW_MS,
    keyGenerator: (request) => `message|${request.ip}|${(request.params as { code?: string }).code ?? ''}`,
  });
  const check: MessageLimiter = async (request) => {
    const outcome = await limiter(request);
    if (outcome.isAllowed || !outcome.isExceeded) return undefined;
    const seconds = Math.max(1, Math.ceil(outcome.ttlInSeconds));
    const error = new AppError('RATE_LIMITED', `Đã gửi quá nhiều tin nhắn về hồ sơ này trong một phút. Vui lòng thử lại sau ${seconds} giây.`);
    error.retryAfterSeconds = seconds;
    return error;
  };
  limiters.set(ctx, check);
  return check;
}
