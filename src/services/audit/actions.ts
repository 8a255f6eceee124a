// The audit log's action names and their Vietnamese labels: one list, so the log view, its filter and the CSV export
// say the same thing. Dossier actions are `dossier.<workflow action>` (labelled from the workflow at display time).
export const AUDIT_ACTIONS = {
  'auth.login': 'Đăng nhập',
  'auth.login_failed': 'Đăng nhập thất bại',
  'auth.logout': 'Đăng xuất',
  'citizen.login': 'Công dân đăng nhập bằng VNeID',
  'citizen.logout': 'Công dân đăng xuất',
  'auth.password_changed': 'Đổi mật khẩu',
  'auth.totp_enabled': 'Bật xác thực hai lớp',
  'auth.totp_disabled': 'Tắt xác thực hai lớp',
  'auth.totp_failed': 'Mã xác thực hai lớp sai',
  'staff.created': 'Tạo tài khoản cán bộ',
  'staff.updated': 'Sửa tài khoản cán bộ (vai trò, đơn vị, chức danh, thẩm quyền ký)',
  'staff.deactivated': 'Khóa tài khoản cán bộ',
  'staff.reactivated': 'Mở lại tài khoản cán bộ',
  'staff.password_reset': 'Cấp lại mật khẩu tạm',
  'organisation.settings_updated': 'Sửa thông tin đơn vị (tỉnh, Sở)',
  'organisation.agency_saved': 'Thêm/sửa cơ quan',
  'organisation.unit_saved': 'Thêm/sửa đơn vị',
  'organisation.units_imported': 'Nhập danh sách đơn vị/trường',
  'organisation.unit_role_assigned': 'Phân công đơn vị xử lý thủ tục',
  'organisation.setup_completed': 'Hoàn tất thiết lập ban đầu',
  'key.uploaded': 'Nạp khóa ký số',
  'key.deactivated': 'Thu hồi khóa ký số',
  'key.appearance_uploaded': 'Nạp ảnh chữ ký/con dấu',
  'key.pin_failed': 'Nhập sai mã PIN khóa ký số',
  'calendar.updated': 'Sửa lịch ngày làm việc',
  'campaign.saved': 'Tạo/sửa kỳ tuyển sinh',
  'document_kind.updated': 'Sửa loại văn bản (tên, chữ viết tắt, sổ đăng ký)',
  'procedure.enabled': 'Bật thủ tục',
  'procedure.disabled': 'Tắt thủ tục',
  'procedure.version_uploaded': 'Nạp phiên bản quy trình mới',
  'export.tracking_book': 'Xuất sổ theo dõi hồ sơ',
  'export.audit_log': 'Xuất nhật ký hệ thống',
  'export.stats': 'Xuất báo cáo chỉ số',
  'export.document_register': 'Xuất sổ đăng ký văn bản',
  'effect.retried': 'Chạy lại tác vụ lỗi',
  'result.signed': 'Ký số văn bản kết quả',
  'result.signature_refused': 'Từ chối tệp ký số gửi từ phần mềm ký (USB token)',
  'result.remote_requested': 'Gửi yêu cầu ký số từ xa (chờ xác nhận trên điện thoại)',
  'message.sent': 'Gửi tin nhắn cho công dân về hồ sơ',
  'feedback.filed': 'Tiếp nhận phản ánh, kiến nghị',
  'feedback.answered': 'Trả lời phản ánh, kiến nghị',
  'feedback.notified': 'Gửi thư cho người phản ánh, kiến nghị',
  'citizen_document.digitised': 'Số hóa giấy tờ vào kho dữ liệu của công dân',
  'citizen_document.removed': 'Gỡ giấy tờ khỏi kho dữ liệu của công dân',
} as const;

export type AuditAction = keyof typeof AUDIT_ACTIONS | `dossier.${string}`;

export function auditActionLabel(action: string): string {
  if (action in AUDIT_ACTIONS) return AUDIT_ACTIONS[action as keyof typeof AUDIT_ACTIONS];
  if (action.startsWith('dossier.')) return `Xử lý hồ sơ: ${action.slice('dossier.'.length)}`;
  return action;
}
