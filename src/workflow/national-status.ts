// The national portal's dossier status codes (TrangThaiHoSo) as its synchronisation contract names them. A workflow maps
// each of its states to one (`national.statuses`); this table gives the labels the admin pages and the simulator show.
import type { NationalStatusCode } from './types.js';

export const NATIONAL_STATUS_LABELS: Readonly<Record<NationalStatusCode, string>> = Object.freeze({
  1: 'Mới đăng ký',
  2: 'Được tiếp nhận',
  3: 'Không được tiếp nhận',
  4: 'Đang xử lý',
  5: 'Yêu cầu bổ sung giấy tờ',
  6: 'Yêu cầu thực hiện nghĩa vụ tài chính',
  7: 'Công dân yêu cầu rút hồ sơ',
  8: 'Dừng xử lý',
  9: 'Đã xử lý xong',
  10: 'Đã trả kết quả',
});
