// The electronic fee receipt (biên lai thu phí, lệ phí điện tử) of a paid payment, laid out by the same Decree 30
// engine as results and forms (render-result.ts: heading, title, date line, signer block, QR), with the receipt's own
// content in templates/documents/receipt.hbs. Unsigned here: services/payments/payment-receipt.ts seals it with the
// issuing agency's seal like a one-stop form.
import { amountInWords, formatAmount } from './amount-in-words.js';
import { renderResultPdf } from './render-result.js';

export const RECEIPT_TITLE = 'BIÊN LAI THU PHÍ, LỆ PHÍ (ĐIỆN TỬ)';

export interface ReceiptInput {
  templatesDir?: string;
  /** "BL2026-000.00.31.H56": the receipt series of the issuing agency and year. */
  symbol: string;
  /** "0000012": the receipt's number in its series. */
  sequence: string;
  issuer: { parentName: string; agencyName: string };
  place: string;
  issuedAt: Date;
  dossierCode: string;
  procedureTitle: string;
  trackingUrl: string;
  payer: { name: string; idNumber: string | null; address: string | null };
  lines: Array<{ label: string; amount: number }>;
  method: 'online' | 'desk';
  transactionId: string | null;
  reference: string;
  paidTime: string;
  /** Who signs it: the clerk who took a desk payment; the collecting unit for an online one. */
  signer: { name: string; title: string };
}

export const PAYMENT_METHOD_LABELS: Record<ReceiptInput['method'], string> = {
  online: 'Trực tuyến qua Nền tảng thanh toán (Cổng Dịch vụ công quốc gia)',
  desk: 'Nộp trực tiếp tại Bộ phận Tiếp nhận và Trả kết quả',
};

export function renderReceiptPdf(input: ReceiptInput): Promise<Buffer> {
  const total = input.lines.reduce((sum, line) => sum + line.amount, 0);
  return renderResultPdf({
    template: 'documents/receipt.hbs',
    templatesDir: input.templatesDir,
    title: RECEIPT_TITLE,
    dossierCode: input.dossierCode,
    documentNumber: `${input.sequence}/${input.symbol}`,
    // The template prints symbol and number as a receipt does (two fields), not Decree 30's "Số: n/symbol".
    numberPlacement: 'body',
    verifyUrl: input.trackingUrl,
    issuer: input.issuer,
    place: input.place,
    issuedAt: input.issuedAt,
    signer: input.signer,
    recipients: [],
    context: {
      symbol: input.symbol,
      sequence: input.sequence,
      collectorName: input.issuer.agencyName,
      payer: input.payer,
      dossierCode: input.dossierCode,
      procedureTitle: input.procedureTitle,
      lines: input.lines.map((line, i) => ({ n: i + 1, label: line.label, amount: formatAmount(line.amount) })),
      total: formatAmount(total),
      totalInWords: amountInWords(total),
      methodLabel: PAYMENT_METHOD_LABELS[input.method],
      transactionId: input.transactionId,
      reference: input.reference,
      paidTime: input.paidTime,
    },
  });
}
