// The windows of an admission campaign besides registration, in the order a season runs them, and the one check every
// step of the season makes: is this window open now? Times are instants (ISO with offset), compared as such.
import type { CampaignRow } from '../../db/repositories/admissions.js';
import { AppError } from '../../errors.js';
import { vnDateTime } from './vn-date-time.js';

export const CAMPAIGN_WINDOWS = ['preVerification', 'adjustment', 'results', 'remarking', 'confirmation', 'supplementary'] as const;
export type CampaignWindowName = (typeof CAMPAIGN_WINDOWS)[number];

/** What each window is called on the pages and in messages. */
export const WINDOW_LABELS: Record<CampaignWindowName | 'registration', string> = {
  preVerification: 'tiền kiểm thông tin học sinh',
  registration: 'đăng ký dự tuyển',
  adjustment: 'điều chỉnh nguyện vọng',
  results: 'công bố kết quả',
  remarking: 'phúc khảo',
  confirmation: 'xác nhận nhập học',
  supplementary: 'tuyển bổ sung',
};

export interface WindowTimes { opensAt: Date; closesAt: Date }

/** The window's times, or undefined when the campaign does not have it. */
export function windowOf(campaign: Pick<CampaignRow, 'opensAt' | 'closesAt' | 'windows'>, name: CampaignWindowName | 'registration'): WindowTimes | undefined {
  if (name === 'registration') return { opensAt: campaign.opensAt, closesAt: campaign.closesAt };
  const w = campaign.windows[name];
  return w ? { opensAt: new Date(w.opensAt), closesAt: new Date(w.closesAt) } : undefined;
}

export function isWindowOpen(campaign: Pick<CampaignRow, 'opensAt' | 'closesAt' | 'windows'>, name: CampaignWindowName | 'registration', now: Date): boolean {
  const w = windowOf(campaign, name);
  return w !== undefined && w.opensAt <= now && now < w.closesAt;
}

/**
 * Refuses with 409 ADMISSION_WINDOW_CLOSED (the times in the message) unless the window is open now. `field` names
 * the form field the message belongs to, when there is one.
 */
export function requireWindowOpen(
  campaign: Pick<CampaignRow, 'name' | 'opensAt' | 'closesAt' | 'windows'>, name: CampaignWindowName | 'registration', now: Date,
): void {
  const w = windowOf(campaign, name);
  const label = WINDOW_LABELS[name];
  if (!w) throw new AppError('ADMISSION_WINDOW_CLOSED', `Kỳ tuyển sinh "${campaign.name}" không có thời gian ${label}.`);
  if (now < w.opensAt || now >= w.closesAt) {
    const when = now < w.opensAt ? 'chưa bắt đầu' : 'đã kết thúc';
    throw new AppError('ADMISSION_WINDOW_CLOSED',
      `Thời gian ${label} của kỳ tuyển sinh "${campaign.name}" ${when}: từ ${vnDateTime(w.opensAt)} đến trước ${vnDateTime(w.closesAt)}.`);
  }
}
