// What the citizen pages share: the procedure on offer by id, the fee as people read it, flash messages.
import type { AppContext } from '../../../app-context.js';
import type { PublishedProcedure } from '../../../services/procedures/catalog.js';

export const enc = encodeURIComponent;

/** Messages shown after a redirect (`?tb=`): fixed texts, so the URL cannot put words on the page. */
export const FLASH: Record<string, string> = {
  'bo-sung': 'Đã nộp bổ sung hồ sơ. Bộ phận một cửa sẽ kiểm tra lại.',
  'tin-nhan': 'Đã gửi tin nhắn cho cán bộ xử lý hồ sơ.',
  'danh-gia': 'Cảm ơn bạn đã đánh giá. Ý kiến của bạn giúp chúng tôi phục vụ tốt hơn.',
  'da-danh-gia': 'Hồ sơ này đã được đánh giá trước đó.',
  'da-quen': 'Thiết bị này đã quên các hồ sơ đã ghi nhớ. Lần sau cần nhập mã hồ sơ và mã tra cứu.',
  'nguyen-vong': 'Đã điều chỉnh nguyện vọng. Nguyện vọng mới được dùng khi xét tuyển.',
};

/**
 * A procedure currently on offer (new dossiers are always filed under the current version). One an administrator
 * switched off answers PROCEDURE_DISABLED ("tạm ngừng tiếp nhận"), not "not found": the citizen learns it is suspended.
 */
export function findProcedure(ctx: AppContext, id: string): PublishedProcedure {
  return ctx.catalog.findForIntake(id);
}

export function feeText(fee: { amount: number; note?: string }): string {
  if (fee.amount === 0) return fee.note ?? 'Miễn phí';
  const amount = `${new Intl.NumberFormat('vi-VN').format(fee.amount)} đồng`;
  return fee.note ? `${amount} (${fee.note})` : amount;
}
