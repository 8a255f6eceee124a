// The provider's claims as a citizen (identity/citizen-claims.ts), the claims map (claims-map.ts) and the sealed login
// state (login-state.ts): pure code, no provider.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { AppError } from '../../src/errors.js';
import { DEFAULT_CLAIMS_MAP, parseClaimsMap } from '../../src/identity/claims-map.js';
import { normaliseDate, readCitizenClaims } from '../../src/identity/citizen-claims.js';
import { loginStateSealer, LOGIN_STATE_SECONDS } from '../../src/identity/login-state.js';
import { loadDemoCitizens } from '../../src/identity/demo-provider.js';

const parent = {
  sub: 'x', acr: '2', so_dinh_danh: '038082001234', ho_va_ten: 'Nguyễn Văn An'.normalize('NFD'), ngay_sinh: '14/03/1982', gioi_tinh: 'Nam',
  email: 'an@example.com', so_dien_thoai: '0912 345 678', noi_thuong_tru: { formatted: 'Số 12 Lê Lợi, tỉnh Thanh Hóa' },
  con: [{ so_dinh_danh: '038211004567', ho_va_ten: 'Nguyễn Minh Khôi', ngay_sinh: '2011-09-05', gioi_tinh: 'nam' }],
  vo_chong: { so_dinh_danh: '038185002345', ho_va_ten: 'Lê Thị Hương', ngay_sinh: '10/11/1985', gioi_tinh: 'Nữ' },
  chu_ho: { so_dinh_danh: '038082001234', ho_va_ten: 'Nguyễn Văn An' },
};

function refusal(claims: Record<string, unknown>): AppError {
  try {
    readCitizenClaims(claims, DEFAULT_CLAIMS_MAP);
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('claims were accepted');
}

describe('citizen claims', () => {
  it('maps VNeID-like claims: dates to ISO, genders, the address object, the family without the citizen themselves', () => {
    const citizen = readCitizenClaims(parent, DEFAULT_CLAIMS_MAP);
    expect(citizen).toMatchObject({
      personalId: '038082001234', birthDate: '1982-03-14', gender: 'male', loa: '2',
      phone: '0912 345 678', permanentAddress: 'Số 12 Lê Lợi, tỉnh Thanh Hóa', currentAddress: null,
    });
    expect(citizen.fullName).toBe('Nguyễn Văn An'.normalize('NFC')); // NFC, whatever form the provider sent
    expect(citizen.fullName).not.toBe(parent.ho_va_ten);
    expect(citizen.family).toEqual([
      { relation: 'child', personalId: '038211004567', fullName: 'Nguyễn Minh Khôi', birthDate: '2011-09-05', gender: 'male' },
      { relation: 'spouse', personalId: '038185002345', fullName: 'Lê Thị Hương', birthDate: '1985-11-10', gender: 'female' },
    ]);
  });

  it('refuses ID numbers that are not 12 digits and dates that do not exist, naming each field in Vietnamese', () => {
    const error = refusal({
      ...parent, so_dinh_danh: 38082001234, ngay_sinh: '29/02/2023',
      con: [{ so_dinh_danh: '03821100456A', ho_va_ten: 'Khôi', ngay_sinh: '2011-13-01' }],
    });
    expect(error.code).toBe('CITIZEN_CLAIMS_INVALID');
    expect(error.statusCode).toBe(422);
    expect(error.fields).toEqual({
      'Số định danh cá nhân': 'Số định danh cá nhân phải gồm đúng 12 chữ số.',
      'Ngày sinh': expect.stringContaining('Ngày sinh không hợp lệ'),
      'Thành viên gia đình thứ 1 (con): Số định danh cá nhân': 'Số định danh cá nhân phải gồm đúng 12 chữ số.',
      'Thành viên gia đình thứ 1 (con): Ngày sinh': expect.stringContaining('Ngày sinh không hợp lệ'),
    });
  });

  it('refuses a missing ID number or name, a junk e-mail, a non-text name and an oversized family', () => {
    expect(Object.keys(refusal({ ho_va_ten: 'A' }).fields!)).toEqual(['Số định danh cá nhân']);
    expect(Object.keys(refusal({ ...parent, ho_va_ten: { first: 'An' } }).fields!)).toEqual(['Họ và tên']);
    expect(Object.keys(refusal({ ...parent, email: 'not an e-mail' }).fields!)).toEqual(['Thư điện tử']);
    const many = Array.from({ length: 51 }, (_, i) => ({ so_dinh_danh: `0382110${String(i).padStart(5, '0')}`, ho_va_ten: `Con ${i}` }));
    expect(Object.keys(refusal({ ...parent, con: many }).fields!)).toEqual(['Thành viên gia đình']);
  });

  it('normalises the two date forms and nothing else', () => {
    expect(normaliseDate('05/09/2011')).toBe('2011-09-05');
    expect(normaliseDate('5/9/2011')).toBe('2011-09-05');
    expect(normaliseDate('2011-09-05')).toBe('2011-09-05');
    for (const bad of ['31/04/2011', '2011/09/05', '05-09-2011', '1899-12-31', '3000-01-01', '']) expect(normaliseDate(bad)).toBeNull();
  });

  it('the demo citizens pass the default map (the demo provider and the default must agree)', () => {
    for (const citizen of loadDemoCitizens()) {
      const read = readCitizenClaims({ ...citizen.claims, acr: citizen.acr }, DEFAULT_CLAIMS_MAP);
      expect(read.personalId).toMatch(/^038\d{9}$/);
      expect(read.loa).toBe(citizen.acr);
    }
    const an = loadDemoCitizens().find((c) => c.account === 'nguyen-van-an')!;
    const children = readCitizenClaims(an.claims, DEFAULT_CLAIMS_MAP).family.filter((m) => m.relation === 'child');
    expect(children.map((c) => [c.fullName, c.birthDate?.slice(0, 4)])).toEqual([['Nguyễn Minh Khôi', '2011'], ['Nguyễn Thu Hà', '2015']]);
  });
});

describe('claims map (OIDC_CLAIMS_MAP)', () => {
  it('merges inline JSON or a YAML file over the default, field by field', async () => {
    const inline = parseClaimsMap('{"personalId":"citizen_id","member":{"fullName":"name"},"family":{"child":"household.children"}}');
    expect(inline.personalId).toBe('citizen_id');
    expect(inline.member).toEqual({ ...DEFAULT_CLAIMS_MAP.member, fullName: 'name' });
    expect(inline.family).toEqual({ ...DEFAULT_CLAIMS_MAP.family, child: 'household.children' });
    const claims = readCitizenClaims({
      citizen_id: '038082001234', ho_va_ten: 'An', household: { children: [{ so_dinh_danh: '038211004567', name: 'Khôi' }] },
    }, inline);
    expect(claims.family).toEqual([{ relation: 'child', personalId: '038211004567', fullName: 'Khôi', birthDate: null, gender: null }]);

    const dir = await mkdtemp(path.join(os.tmpdir(), 'claims-map-'));
    try {
      const file = path.join(dir, 'map.yaml');
      await writeFile(file, 'fullName: name\nloa: loa\n');
      expect(parseClaimsMap(file)).toMatchObject({ fullName: 'name', loa: 'loa', personalId: 'so_dinh_danh' });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('config lists a bad map, an http issuer off this machine, a missing client id, scopes without openid', () => {
    expect(() => loadConfig({ OIDC_CLAIMS_MAP: '{"personalId": 5, "unknown": "x"}' })).toThrow(/OIDC_CLAIMS_MAP/);
    expect(() => loadConfig({ OIDC_CLAIMS_MAP: '/nonexistent/map.json' })).toThrow(/OIDC_CLAIMS_MAP: cannot read/);
    let problems = '';
    try { loadConfig({ OIDC_ISSUER: 'http://sso.example.vn', OIDC_SCOPES: 'profile' }); } catch (error) { problems = (error as Error).message; }
    expect(problems).toContain('OIDC_CLIENT_ID: required with OIDC_ISSUER');
    expect(problems).toContain('OIDC_ISSUER: must be https');
    expect(problems).toContain('OIDC_SCOPES: must include openid');
    const config = loadConfig({ OIDC_ISSUER: 'https://sso.example.vn', OIDC_CLIENT_ID: 'c', PUBLIC_URL: 'https://dichvucong.example.vn/' });
    expect(config.citizenLogin).toMatchObject({
      provider: { issuer: 'https://sso.example.vn', clientId: 'c', clientSecret: undefined },
      redirectUri: 'https://dichvucong.example.vn/auth/citizen/callback', postLogoutRedirectUri: 'https://dichvucong.example.vn/',
      scopes: 'openid citizen', timeoutMs: 10_000,
    });
    expect(loadConfig({}).citizenLogin.provider).toBeUndefined();
  });
});

describe('sealed login state', () => {
  const state = { state: 's', nonce: 'n', codeVerifier: 'v'.repeat(43), next: '/ho-so-cua-toi' };

  it('opens what it sealed, until it expires', () => {
    const sealer = loginStateSealer('a'.repeat(48));
    const sealed = sealer.seal(state, 1_000_000);
    expect(sealer.open(sealed, 1_000_000 + 1000)).toMatchObject(state);
    expect(sealer.open(sealed, 1_000_000 + LOGIN_STATE_SECONDS * 1000)).toBeUndefined();
  });

  it('refuses a cookie altered by one bit, sealed with another secret, or missing', () => {
    const sealer = loginStateSealer('a'.repeat(48));
    const sealed = sealer.seal(state);
    const raw = Buffer.from(sealed, 'base64url');
    raw[raw.length - 1]! ^= 1;
    expect(sealer.open(raw.toString('base64url'))).toBeUndefined();
    expect(loginStateSealer('b'.repeat(48)).open(sealed)).toBeUndefined();
    expect(sealer.open(undefined)).toBeUndefined();
    expect(sealer.open('not-a-cookie')).toBeUndefined();
  });
});
