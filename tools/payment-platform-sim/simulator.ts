// The national Payment Platform (Nền tảng thanh toán trực tuyến của Cổng DVC quốc gia) in one small node:http server,
// for tests and the embedded demo. It speaks the partner contract a provincial system uses (see README.md):
//   - POST /init (LoaiBanTin INIT): a payment is opened under the partner's reference; the answer's `message` is a JSON
//     string with UrlThanhToan, the page the citizen pays on;
//   - GET /pay/:reference: that page ("Thanh toán" / "Hủy"); paying sends the confirm callback to the partner
//     (server to server) and redirects the browser to the partner's return URL;
//   - POST /query (QUERY): the state of a payment (TrangThaiGD 1 paid, 3 pending, 4 failed), for reconciliation;
//   - POST /bill (GET_BILL): the electronic receipt as PDF bytes (the contract has it; motcua does not call it).
// Every message carries MaXacThuc = SHA-256 (lowercase hex) over its fields in a fixed order joined with '|', the
// shared secret last; the simulator verifies it on every request and signs what it sends with the same recipe.
// It imports nothing from src/: it is the other party.
import { createHash, randomInt, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import PDFDocument from 'pdfkit';

export interface PaymentPlatformSimulatorOptions {
  /** 0 (default): any free port. */
  port?: number;
  /** Default 127.0.0.1: the simulator is for this machine only. */
  host?: string;
  /** The partner registered here (MaDoiTac) and its shared secret. */
  partnerCode: string;
  secret: string;
  /** When set, every API call must carry `Authorization: Bearer <accessToken>`. */
  accessToken?: string;
  /** Where the confirm callback goes (the partner's server): e.g. https://motcua.example/api/payment-platform/confirm. */
  confirmUrl?: string;
  /** Where the citizen's browser is sent back after paying: e.g. https://motcua.example/thanh-toan/ket-qua. */
  returnUrl?: string;
}

export type SimPaymentState = 'pending' | 'paid' | 'failed';
export type SimOutcome = 'paid' | 'failed' | 'cancelled';

export interface SimPayment {
  reference: string;
  amount: string;
  description: string;
  /** ThoiGianGD of the INIT, as the partner sent it (a QUERY must name it). */
  initTime: string;
  state: SimPaymentState;
  /** The platform's transaction id (MaGiaoDich) once settled, and when. */
  transactionId: string;
  settledAt: string;
  /** MaLoi of the settlement ('00' paid). */
  resultCode: string;
}

export interface SimCallback {
  reference: string;
  body: Record<string, string | number>;
  /** The partner's answer (null when dropped or unreachable). */
  status: number | null;
  answer: unknown;
  dropped: boolean;
}

export interface PaymentPlatformSimulator {
  url: string;
  /** The partner's callback and return URLs (options.confirmUrl, options.returnUrl); may be set once the partner listens. */
  confirmUrl: string | undefined;
  returnUrl: string | undefined;
  payments(): SimPayment[];
  /** Settles a pending payment as the citizen would on the pay page; returns the browser redirect and the callback. */
  pay(reference: string, outcome: SimOutcome): Promise<{ redirect: string | null; callback: SimCallback }>;
  /** Sends the last callback of a payment again, byte for byte (a platform retrying, or a replay). */
  replayCallback(reference: string): Promise<SimCallback>;
  /** Callbacks sent (or dropped) so far, oldest first. */
  readonly callbacks: SimCallback[];
  /** Requests refused for a bad checksum, a wrong token or partner, with the reason. */
  readonly refused: Array<{ path: string; reason: string }>;
  /** While true the confirm callback is not sent (recorded as dropped): the "lost callback" case. */
  dropCallbacks: boolean;
  /** While down, every API connection is dropped without an answer (the platform unreachable). The /sim and pay pages stay. */
  setDown(down: boolean): void;
  /** While hanging, API requests are read and never answered (a platform too slow: the partner's timeout decides). */
  setHanging(hanging: boolean): void;
  /**
   * When set, every QUERY answer is passed through it before it is signed (a platform answering about another payment,
   * or without a transaction id): what the partner does with an answer it must not act on.
   */
  queryAnswer: ((answer: Record<string, string | number>) => Record<string, string | number>) | undefined;
  /** API requests received (INIT, QUERY, GET_BILL), refused ones included. */
  readonly requestCount: number;
  close(): Promise<void>;
}

export const INIT_FIELDS = ['LoaiBanTin', 'PhienBan', 'MaDoiTac', 'MaThamChieu', 'SoTien', 'LoaiHinhThanhToan', 'MaKenhThanhToan', 'MaThietBi',
  'NgonNgu', 'MaTienTe', 'MaNganHang', 'ThongTinGiaoDich', 'ThoiGianGD', 'Ip'] as const;
export const CONFIRM_FIELDS = ['LoaiBanTin', 'MaLoi', 'MaDoiTac', 'MaThamChieu', 'SoTien', 'MaTienTe', 'MaGiaoDich', 'MaNganHang', 'ThoiGianGD',
  'ThongTinGiaoDich'] as const;
export const QUERY_FIELDS = ['LoaiBanTin', 'PhienBan', 'MaDoiTac', 'MaThamChieu', 'ThoiGianGD'] as const;

/** MaXacThuc: SHA-256 over the named fields joined with '|', the secret last, in lowercase hex. */
export function checksumOf(fields: readonly string[], message: Record<string, unknown>, secret: string): string {
  const text = [...fields.map((f) => String(message[f] ?? '')), secret].join('|');
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

function sameHex(expected: string, given: unknown): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given.toLowerCase());
  return a.length === b.length && timingSafeEqual(a, b);
}

/** yyyyMMddHHmmss, 24-hour, Vietnam time (UTC+7, no daylight saving). */
export function vnTimestamp(at = new Date()): string {
  return new Date(at.getTime() + 7 * 3_600_000).toISOString().replace(/[-:T]/g, '').slice(0, 14);
}

const RESULT_CODES: Record<SimOutcome, string> = { paid: '00', failed: '51', cancelled: '24' };

class Refusal extends Error {
  constructor(readonly status: number, readonly errorCode: string, message: string) { super(message); }
}

async function readBody(req: IncomingMessage, limit = 256 * 1024): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new Refusal(413, '413', 'Yêu cầu quá lớn');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function payPage(payment: SimPayment): string {
  const amount = new Intl.NumberFormat('vi-VN').format(Number(payment.amount));
  const ref = encodeURIComponent(payment.reference);
  const settled = payment.state !== 'pending'
    ? `<p><strong>Giao dịch đã ${payment.state === 'paid' ? 'thanh toán' : 'kết thúc không thành công'}.</strong></p>`
    : `<form method="post" action="/pay/${ref}"><input type="hidden" name="outcome" value="paid"><button type="submit">Thanh toán</button></form>
<form method="post" action="/pay/${ref}"><input type="hidden" name="outcome" value="cancelled"><button type="submit">Hủy</button></form>`;
  return `<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>Thanh toán trực tuyến (mô phỏng)</title>
<style>body{font-family:sans-serif;max-width:32rem;margin:3rem auto}form{display:inline-block;margin-right:1rem}button{font-size:1.1rem;padding:.5rem 1.5rem}</style></head>
<body><h1>Nền tảng thanh toán (mô phỏng)</h1>
<p>Bản mô phỏng dùng để thử nghiệm, không trừ tiền thật.</p>
<dl><dt>Nội dung</dt><dd>${escapeHtml(payment.description)}</dd><dt>Số tiền</dt><dd>${amount} đồng</dd>
<dt>Mã tham chiếu</dt><dd>${escapeHtml(payment.reference)}</dd></dl>${settled}</body></html>`;
}

function billPdf(payment: SimPayment, partnerCode: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    // The built-in font has no Vietnamese glyphs: the stand-in receipt is written without diacritics.
    const doc = new PDFDocument({ size: 'A5', margin: 40, info: { Title: `Bien lai ${payment.reference}`, Producer: 'payment-platform-sim' } });
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    doc.fontSize(14).text('BIEN LAI THU PHI, LE PHI (MO PHONG)', { align: 'center' }).moveDown();
    doc.fontSize(10)
      .text(`Doi tac: ${partnerCode}`).text(`Ma tham chieu: ${payment.reference}`).text(`Ma giao dich: ${payment.transactionId}`)
      .text(`So tien: ${payment.amount} VND`).text(`Thoi gian: ${payment.settledAt}`);
    doc.end();
  });
}

export async function startPaymentPlatformSimulator(options: PaymentPlatformSimulatorOptions): Promise<PaymentPlatformSimulator> {
  const payments = new Map<string, SimPayment>();
  const callbacks: SimCallback[] = [];
  const refused: Array<{ path: string; reason: string }> = [];
  let down = false;
  let hanging = false;
  let requestCount = 0;
  let transactionSeq = 0;

  const refuse = (path: string, status: number, errorCode: string, reason: string): never => {
    refused.push({ path, reason });
    throw new Refusal(status, errorCode, reason);
  };

  function checkCall(path: string, req: IncomingMessage, body: Record<string, unknown>, type: string, fields: readonly string[]): void {
    if (options.accessToken && req.headers.authorization !== `Bearer ${options.accessToken}`) refuse(path, 401, '401', 'Sai access token');
    if (body.LoaiBanTin !== type) refuse(path, 400, '01', `LoaiBanTin phải là ${type}`);
    if (body.MaDoiTac !== options.partnerCode) refuse(path, 400, '01', 'Mã đối tác không đúng');
    if (!sameHex(checksumOf(fields, body, options.secret), body.MaXacThuc)) refuse(path, 400, '02', 'Sai mã xác thực (MaXacThuc)');
  }

  function confirmBody(payment: SimPayment, type: 'PAY' | 'QUERY', code = payment.resultCode): Record<string, string | number> {
    const message: Record<string, string | number> = {
      LoaiBanTin: type, MaLoi: code, MaDoiTac: options.partnerCode, MaThamChieu: payment.reference, SoTien: Number(payment.amount),
      MaTienTe: 'VND', MaGiaoDich: payment.transactionId, MaNganHang: 'SIMBANK', ThoiGianGD: payment.settledAt || payment.initTime,
      ThongTinGiaoDich: payment.description,
    };
    return { ...message, MaXacThuc: checksumOf(CONFIRM_FIELDS, message, options.secret) };
  }

  async function sendCallback(reference: string, body: Record<string, string | number>): Promise<SimCallback> {
    const record: SimCallback = { reference, body, status: null, answer: null, dropped: simulator.dropCallbacks || !simulator.confirmUrl };
    callbacks.push(record);
    if (record.dropped) return record;
    try {
      const response = await fetch(simulator.confirmUrl!, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(10_000),
      });
      record.status = response.status;
      const text = await response.text();
      try { record.answer = JSON.parse(text); } catch { record.answer = text; }
    } catch (error) {
      record.answer = String(error);
    }
    return record;
  }

  function returnRedirect(payment: SimPayment): string | null {
    if (!simulator.returnUrl) return null;
    const url = new URL(simulator.returnUrl);
    url.searchParams.set('data', payment.reference);
    url.searchParams.set('responseCode', payment.resultCode);
    url.searchParams.set('secureCode', checksumOf(['data', 'responseCode'], { data: payment.reference, responseCode: payment.resultCode }, options.secret));
    return url.toString();
  }

  async function settle(reference: string, outcome: SimOutcome): Promise<{ redirect: string | null; callback: SimCallback }> {
    const payment = payments.get(reference);
    if (!payment) throw new Refusal(404, '404', 'Không tìm thấy giao dịch');
    if (payment.state !== 'pending') throw new Refusal(409, '409', 'Giao dịch đã kết thúc');
    payment.state = outcome === 'paid' ? 'paid' : 'failed';
    payment.resultCode = RESULT_CODES[outcome];
    payment.transactionId = `SIM${vnTimestamp()}${String(++transactionSeq).padStart(4, '0')}${randomInt(100, 1000)}`;
    payment.settledAt = vnTimestamp();
    const callback = await sendCallback(reference, confirmBody(payment, 'PAY'));
    return { redirect: returnRedirect(payment), callback };
  }

  async function api(path: string, req: IncomingMessage, res: ServerResponse, body: Record<string, unknown>): Promise<void> {
    if (req.method !== 'POST') throw new Refusal(405, '405', 'Chỉ nhận POST');
    if (path === '/init') {
      checkCall(path, req, body, 'INIT', INIT_FIELDS);
      const reference = String(body.MaThamChieu ?? '');
      if (!/^[A-Za-z0-9_-]{1,100}$/.test(reference)) refuse(path, 400, '03', 'Mã tham chiếu không hợp lệ');
      if (payments.has(reference)) refuse(path, 400, '03', 'Mã tham chiếu đã tồn tại');
      if (!/^[1-9]\d{0,14}$/.test(String(body.SoTien ?? ''))) refuse(path, 400, '04', 'Số tiền không hợp lệ');
      if (!/^\d{14}$/.test(String(body.ThoiGianGD ?? ''))) refuse(path, 400, '05', 'Thời gian giao dịch không hợp lệ (yyyyMMddHHmmss)');
      payments.set(reference, {
        reference, amount: String(body.SoTien), description: String(body.ThongTinGiaoDich ?? ''), initTime: String(body.ThoiGianGD),
        state: 'pending', transactionId: '', settledAt: '', resultCode: '',
      });
      const base = `http://${req.headers.host ?? 'localhost'}`;
      sendJson(res, 200, { error_code: '0', message: JSON.stringify({ UrlThanhToan: `${base}/pay/${encodeURIComponent(reference)}`, MaThamChieu: reference }) });
      return;
    }
    if (path === '/query' || path === '/bill') {
      checkCall(path, req, body, path === '/query' ? 'QUERY' : 'GET_BILL', QUERY_FIELDS);
      const payment = payments.get(String(body.MaThamChieu ?? ''));
      if (!payment || payment.initTime !== body.ThoiGianGD) refuse(path, 404, '01', 'Không tìm thấy giao dịch');
      if (path === '/query') {
        const state = payment!.state === 'paid' ? '1' : payment!.state === 'failed' ? '4' : '3';
        const { MaXacThuc: _signature, ...fields } = confirmBody(payment!, 'QUERY', '00');
        const answer = { ...fields, TrangThaiGD: state, MoTaLoi: 'Truy vấn thành công' };
        const shown = simulator.queryAnswer ? simulator.queryAnswer(answer) : answer;
        sendJson(res, 200, { ...shown, MaXacThuc: checksumOf(CONFIRM_FIELDS, shown, options.secret) });
        return;
      }
      if (payment!.state !== 'paid') refuse(path, 409, '06', 'Giao dịch chưa thanh toán');
      const pdf = await billPdf(payment!, options.partnerCode);
      res.writeHead(200, { 'content-type': 'application/pdf', 'content-length': pdf.length });
      res.end(pdf);
      return;
    }
    throw new Refusal(404, '404', 'Không tìm thấy');
  }

  async function pages(path: string, req: IncomingMessage, res: ServerResponse, raw: string): Promise<boolean> {
    const pay = /^\/pay\/([A-Za-z0-9_-]{1,100})$/.exec(path);
    if (pay && req.method === 'GET') {
      const payment = payments.get(pay[1]!);
      if (!payment) throw new Refusal(404, '404', 'Không tìm thấy giao dịch');
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(payPage(payment));
      return true;
    }
    if (pay && req.method === 'POST') {
      const outcome = new URLSearchParams(raw).get('outcome') === 'paid' ? 'paid' : 'cancelled';
      const { redirect } = await settle(pay[1]!, outcome);
      res.writeHead(303, { location: redirect ?? `/pay/${encodeURIComponent(pay[1]!)}` });
      res.end();
      return true;
    }
    // Test control: settle without a browser; answers what the browser would have been sent to and the callback.
    const simPay = /^\/sim\/pay\/([A-Za-z0-9_-]{1,100})$/.exec(path);
    if (simPay) {
      const outcome = new URL(req.url ?? '/', 'http://sim').searchParams.get('outcome');
      if (outcome !== 'paid' && outcome !== 'failed' && outcome !== 'cancelled') throw new Refusal(400, '400', 'outcome: paid | failed | cancelled');
      sendJson(res, 200, await settle(simPay[1]!, outcome));
      return true;
    }
    if (path === '/sim/payments') { sendJson(res, 200, [...payments.values()]); return true; }
    if (path === '/sim/callbacks') { sendJson(res, 200, callbacks); return true; }
    return false;
  }

  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    const isApi = !path.startsWith('/sim/') && !path.startsWith('/pay/');
    if (isApi && down) { req.socket.destroy(); return; }
    void (async () => {
      const raw = await readBody(req);
      if (await pages(path, req, res, raw)) return;
      if (hanging) return;
      requestCount++;
      let body: Record<string, unknown>;
      try {
        const parsed: unknown = JSON.parse(raw);
        if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
        body = parsed as Record<string, unknown>;
      } catch {
        refuse(path, 400, '400', 'Thân yêu cầu phải là đối tượng JSON');
      }
      await api(path, req, res, body!);
    })().catch((error: unknown) => {
      if (res.headersSent) { res.destroy(); return; }
      if (error instanceof Refusal) sendJson(res, error.status, { error_code: error.errorCode, message: error.message });
      else sendJson(res, 500, { error_code: '500', message: 'Lỗi hệ thống' });
    });
  });
  server.on('connection', (socket) => { sockets.add(socket); socket.on('close', () => sockets.delete(socket)); });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  const simulator: PaymentPlatformSimulator = {
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    confirmUrl: options.confirmUrl,
    returnUrl: options.returnUrl,
    payments: () => [...payments.values()],
    pay: (reference, outcome) => settle(reference, outcome),
    replayCallback: async (reference) => {
      const last = [...callbacks].reverse().find((c) => c.reference === reference);
      if (!last) throw new Error(`no callback for ${reference}`);
      return sendCallback(reference, last.body);
    },
    callbacks,
    refused,
    dropCallbacks: false,
    queryAnswer: undefined,
    setDown: (value) => {
      down = value;
      // Keep-alive connections opened before the outage would otherwise still be answered.
      if (value) for (const socket of sockets) socket.destroy();
    },
    setHanging: (value) => { hanging = value; },
    get requestCount() { return requestCount; },
    close: () => new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    }),
  };
  return simulator;
}
