// How a dossier came in, in words: one table for every page, form and export that shows or filters by channel.
import { DOSSIER_CHANNELS, type DossierChannel } from '../../db/schema/index.js';

export { DOSSIER_CHANNELS, type DossierChannel };

/** Short labels (staff pages, lists, filters, exports). */
export const CHANNEL_LABELS: Readonly<Record<DossierChannel, string>> = Object.freeze({
  online: 'Trực tuyến',
  desk: 'Trực tiếp tại Bộ phận một cửa',
  national: 'Cổng Dịch vụ công quốc gia',
});

/** The portal a dossier filed online was filed on (the receipt's wording); null for the desk. */
export const CHANNEL_PORTALS: Readonly<Record<DossierChannel, string | null>> = Object.freeze({
  online: 'Cổng dịch vụ công',
  desk: null,
  national: 'Cổng Dịch vụ công quốc gia',
});

export function channelLabel(channel: string): string {
  return CHANNEL_LABELS[channel as DossierChannel] ?? channel;
}
