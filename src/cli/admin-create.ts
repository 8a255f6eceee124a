// `npm run admin:create -- --username U --full-name "Họ tên"` (or `node dist/src/cli/admin-create.js …` in the image):
// creates an administrator on DATABASE_URL (or the embedded PGlite under DATA_DIR), after running the migrations —
// the way a fresh production database gets its first account. The password comes from ADMIN_PASSWORD, else from
// standard input: typed without echo on a terminal (twice), or the first line of a pipe.
// Exit codes: 0 created; 1 the username already has an account; 2 bad arguments, weak password or bad configuration.
import { mkdir } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config.js';
import { openDatabase } from '../db/client.js';
import { AppError } from '../errors.js';
import { createAdministrator } from '../services/accounts/create-administrator.js';

const USAGE = `Cách dùng / usage:
  npm run admin:create -- --username <tên đăng nhập> --full-name "<Họ và tên>" [--title "<chức danh>"] [--unit <mã đơn vị>]
Mật khẩu lấy từ biến ADMIN_PASSWORD, hoặc nhập từ bàn phím / đầu vào chuẩn.
The password is taken from ADMIN_PASSWORD, or read from standard input.
Cơ sở dữ liệu: DATABASE_URL, hoặc PGlite trong DATA_DIR (dừng máy chủ nhúng trước khi chạy / stop the embedded server first).`;

/** English for the errors a user of this command can meet (the service speaks Vietnamese). */
const ENGLISH: Partial<Record<AppError['code'], string>> = {
  USERNAME_TAKEN: 'this username already has an account',
  PASSWORD_WEAK: 'the password is too weak (at least 10 characters, 5 different ones, not the username, not a common password)',
  VALIDATION_FAILED: 'invalid argument',
};

function fail(code: 1 | 2, vietnamese: string, english: string): never {
  console.error(`Lỗi: ${vietnamese}\nError: ${english}`);
  process.exit(code);
}

function parseArguments() {
  try {
    const { values } = parseArgs({
      options: {
        username: { type: 'string' }, 'full-name': { type: 'string' }, title: { type: 'string' }, unit: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true, allowPositionals: false,
    });
    if (values.help) {
      console.log(USAGE);
      process.exit(0);
    }
    if (!values.username || !values['full-name']) fail(2, 'thiếu --username hoặc --full-name.', `--username and --full-name are required.\n${USAGE}`);
    return { username: values.username, fullName: values['full-name'], title: values.title, unitId: values.unit };
  } catch (error) {
    return fail(2, 'tham số không hợp lệ.', `${(error as Error).message}\n${USAGE}`);
  }
}

/** One line typed on the terminal without echo (raw mode: the characters are read one by one). */
function readHidden(prompt: string): Promise<string> {
  const stdin = process.stdin;
  process.stderr.write(prompt);
  stdin.setRawMode(true);
  stdin.resume();
  stdin.setEncoding('utf8');
  let value = '';
  return new Promise((resolve) => {
    const onData = (chunk: string) => {
      for (const char of chunk) {
        if (char === '\u0003') { // Ctrl-C
          stdin.setRawMode(false);
          process.stderr.write('\n');
          process.exit(130);
        }
        if (char === '\r' || char === '\n' || char === '\u0004') {
          stdin.setRawMode(false);
          stdin.pause();
          stdin.off('data', onData);
          process.stderr.write('\n');
          resolve(value);
          return;
        }
        if (char === '\u007f' || char === '\b') value = [...value].slice(0, -1).join('');
        else value += char;
      }
    };
    stdin.on('data', onData);
  });
}

/** The first line of a pipe (or a file redirected to standard input). */
async function readFirstLine(): Promise<string> {
  let text = '';
  for await (const chunk of process.stdin) {
    text += String(chunk);
    if (text.includes('\n')) break;
  }
  return text.split(/\r?\n/)[0] ?? '';
}

async function readPassword(): Promise<string> {
  const fromEnv = process.env.ADMIN_PASSWORD;
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  if (!process.stdin.isTTY) return readFirstLine();
  const first = await readHidden('Mật khẩu / password: ');
  const again = await readHidden('Nhập lại / again: ');
  if (first !== again) fail(2, 'hai lần nhập mật khẩu không khớp.', 'the two passwords differ.');
  return first;
}

function configuration() {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) fail(2, 'cấu hình không hợp lệ.', error.message);
    throw error;
  }
}

const input = parseArguments();
const config = configuration();
const password = await readPassword();
if (!password) fail(2, 'chưa có mật khẩu (ADMIN_PASSWORD hoặc đầu vào chuẩn).', 'no password given (ADMIN_PASSWORD or standard input).');

await mkdir(config.dataDir, { recursive: true });
const database = await openDatabase(config.database, { migrate: true });
try {
  const staff = await createAdministrator(database.db, { ...input, password });
  console.log(`Đã tạo tài khoản quản trị "${staff.username}" (${staff.fullName}). Đăng nhập tại ${config.publicUrl}/dang-nhap để thiết lập ban đầu.`);
  console.log(`Administrator "${staff.username}" created (${database.kind}). Sign in at ${config.publicUrl}/dang-nhap to run the first-time set-up.`);
} catch (error) {
  if (!(error instanceof AppError) || error.statusCode >= 500) throw error;
  process.exitCode = error.code === 'USERNAME_TAKEN' ? 1 : 2;
  console.error(`Lỗi: ${error.message}\nError: ${ENGLISH[error.code] ?? error.code}`);
} finally {
  await database.close();
}
