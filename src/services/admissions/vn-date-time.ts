// "07:30 ngày 01/06/2026": an instant as the season's messages and pages show it, in Vietnam time.
import { formatDateVN } from '../../documents/format.js';

const timeFormat = new Intl.DateTimeFormat('vi-VN', { timeZone: 'Asia/Ho_Chi_Minh', hour: '2-digit', minute: '2-digit', hour12: false });

export function vnDateTime(d: Date): string {
  return `${timeFormat.format(d)} ngày ${formatDateVN(d)}`;
}
