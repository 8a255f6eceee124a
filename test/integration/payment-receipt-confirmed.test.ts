// The two halves of a fee meet: the Payment Platform's confirmation (services/payments/confirm-payment.ts, as the
// callback and reconciliation apply it) writes the receipt job in its transaction, and the worker issues the receipt
// with the platform's transaction id — on PostgreSQL + BullMQ, nothing run by hand.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findDossierByCode } from '../../src/db/repositories/dossiers.js';
import { findPaymentByReference } from '../../src/db/repositories/payment-records.js';
import { payments } from '../../src/db/schema/index.js';
import { vnTimestamp } from '../../src/calendar/vn-time.js';
import { submitDossier } from '../../src/services/intake/submit-dossier.js';
import { applyConfirmation } from '../../src/services/payments/confirm-payment.js';
import { paymentReceiptPdf } from '../../src/services/payments/payment-receipt.js';
import { startTestEnvironment, type TestEnvironment } from '../helpers/context.js';
import { diplomaRequest, staffCaller } from '../helpers/dossiers.js';
import { makePdf } from '../helpers/files.js';
import { pdfText } from '../helpers/pdf-tools.js';

describe('receipt after the platform confirms a payment', () => {
  let env: TestEnvironment;

  beforeAll(async () => {
    env = await startTestEnvironment('production', {
      // Configured so the confirmation accepts the partner; nothing here calls the platform.
      env: { PAYMENT_PLATFORM_URL: 'http://127.0.0.1:9', PAYMENT_PLATFORM_PARTNER_CODE: 'SGDDT-TEST', PAYMENT_PLATFORM_SECRET: 'a-test-secret-of-32-characters!!' },
    });
  });
  afterAll(async () => {
    await env?.close();
  });

  it('issues the receipt once the confirmation is applied, and not again for a repeated one', async () => {
    const { code, trackingToken } = await submitDossier(env.ctx, {
      procedureId: 'diploma-copy', data: diplomaRequest('Mai Thị Xác Nhận'), files: [{ fieldName: 'identity', fileName: 'cccd.pdf', data: await makePdf() }],
    });
    const dossier = (await findDossierByCode(env.ctx.db, code))!;
    // The pending payment as the citizen's request leaves it (a real row; the request itself needs the platform).
    await env.ctx.db.insert(payments).values({
      dossierId: dossier.id, reference: 'dvcCONFIRM01', method: 'online', amount: 75000, status: 'pending', createdBy: 'citizen',
      lines: [{ code: 'LP', label: 'Lệ phí cấp bản sao', amount: 75000 }],
    });
    const message = {
      LoaiBanTin: 'CONFIRM', MaLoi: '00', MaDoiTac: 'SGDDT-TEST', MaThamChieu: 'dvcCONFIRM01', SoTien: 75000, MaTienTe: 'VND',
      MaGiaoDich: 'PP20261201-778', MaNganHang: 'VCB', ThoiGianGD: vnTimestamp(new Date()), ThongTinGiaoDich: `THANH TOAN HO SO ${code}`, MaXacThuc: '0'.repeat(64),
    };
    const source = { kind: 'callback' as const, via: 'callback' as const, body: message, sourceIp: '127.0.0.1' };
    expect((await applyConfirmation(env.ctx, message, source)).outcome).toBe('confirmed');
    await env.ctx.jobs.idle(20_000);
    const paid = (await findPaymentByReference(env.ctx.db, 'dvcCONFIRM01'))!;
    expect(paid).toMatchObject({ status: 'paid', receiptNumber: expect.stringMatching(/-0000001$/), receiptStorageKey: expect.any(String) });

    expect((await applyConfirmation(env.ctx, message, source)).outcome).toBe('duplicate');
    await env.ctx.jobs.idle(20_000);
    expect(await findPaymentByReference(env.ctx.db, 'dvcCONFIRM01')).toMatchObject({ receiptNumber: paid.receiptNumber, receiptStorageKey: paid.receiptStorageKey });

    for (const caller of [await staffCaller(env.ctx, 'clerk'), { kind: 'public' as const, bearer: trackingToken }]) {
      const { data } = await paymentReceiptPdf(env.ctx, code, 'dvcCONFIRM01', caller);
      const text = (await pdfText(data)).replace(/\s+/g, ' ');
      expect(text).toContain('PP20261201-778');
      expect(text).toContain('Bảy mươi lăm nghìn đồng');
      expect(text).toContain('Mai Thị Xác Nhận');
    }
  });
});
