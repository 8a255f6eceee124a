import { z } from 'zod';
import { ISSUE_PAYMENT_RECEIPT_JOB, issuePaymentReceipt } from '../services/payments/payment-receipt.js';
import type { JobDefinition } from './types.js';

// The electronic receipt of a paid payment (services/payments/payment-receipt.ts): numbered, drawn, sealed and stored
// once; a second run finds it stored and does nothing.
const payload = z.object({ paymentId: z.uuid() });

export const issuePaymentReceiptJob: JobDefinition<typeof payload> = {
  name: ISSUE_PAYMENT_RECEIPT_JOB,
  payload,
  handle: (ctx, { paymentId }) => issuePaymentReceipt(ctx, paymentId),
};
