// The Payment Platform's messages as they cross the wire: one zod schema per boundary (what the platform answers to
// INIT and QUERY, and the confirm callback it posts to us), the constants of the contract, and its time format.
import { z } from 'zod';

/** The contract version we speak (PhienBan). */
export const PROTOCOL_VERSION = '1.0.6';
/** INIT constants as the partner contract fixes them: pay (not refund), web channel and device, Vietnamese, đồng. */
export const INIT_CONSTANTS = {
  LoaiHinhThanhToan: 'PAY', MaKenhThanhToan: '1', MaThietBi: '1', NgonNgu: 'vi-VN', MaTienTe: 'VND', MaNganHang: 'PAYMENT',
} as const;
/** MaLoi of a successful payment (callback) or query. */
export const PAID_CODE = '00';
/** TrangThaiGD of a QUERY: paid, still unknown to the platform (timeout, bank error), failed. */
export const QUERY_STATES = { paid: '1', pending: '3', failed: '4' } as const;

const text = (max: number) => z.string().max(max);
/** yyyyMMddHHmmss. */
const timestamp = z.string().regex(/^\d{14}$/, 'yyyyMMddHHmmss');
/** Đồng, an integer; the platform sends a JSON number, some gateways a string of digits. */
const amount = z.union([z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER), z.string().regex(/^\d{1,15}$/).transform(Number)]);

/** INIT's answer: error_code "0" is success, and `message` is then a JSON string holding UrlThanhToan. */
export const initResponseSchema = z.object({
  error_code: z.union([z.string(), z.number()]).transform(String),
  message: z.string().max(10_000).default(''),
});
export const initMessageSchema = z.object({ UrlThanhToan: z.string().url().max(2000).refine((u) => /^https?:\/\//.test(u), 'http(s) only') }).passthrough();

/** The confirm callback the platform posts (POST /api/payment-platform/confirm), and the answer to a QUERY. */
export const confirmMessageSchema = z.object({
  LoaiBanTin: text(20),
  MaLoi: text(10),
  MaDoiTac: text(100),
  MaThamChieu: z.string().min(1).max(100),
  SoTien: amount,
  MaTienTe: text(10),
  MaGiaoDich: text(100).default(''),
  MaNganHang: text(50).default(''),
  ThoiGianGD: timestamp,
  ThongTinGiaoDich: text(500).default(''),
  MaXacThuc: z.string().regex(/^[0-9a-fA-F]{64}$/),
});
export type ConfirmMessage = z.infer<typeof confirmMessageSchema>;

export const queryResponseSchema = confirmMessageSchema.extend({
  MaGiaoDich: text(100).nullish().transform((v) => v ?? ''),
  ThoiGianGD: timestamp.or(z.literal('')).default(''),
  TrangThaiGD: z.union([z.string(), z.number()]).transform(String),
  MoTaLoi: z.string().max(500).optional(),
});
export type QueryResponse = z.infer<typeof queryResponseSchema>;

