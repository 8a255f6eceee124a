// One unit-id rule for the first-run set-up and the organisation administration (API, pages, import): the same ids
// pass and fail in both, with the same message, and the pages' HTML pattern (compiled by browsers with the `v` flag)
// agrees with the server.
import { describe, expect, it } from 'vitest';
import { htmlPattern } from '../../src/routes/pages/admin/shared.js';
import {
  abbreviationSchema, agencyCodeSchema, unitIdSchema, UNIT_ID_MESSAGE, UNIT_ID_PATTERN,
} from '../../src/services/administration/organisation.js';
import { campaignInput } from '../../src/services/administration/campaigns.js';
import { parseSetupInput, unitIdFrom } from '../../src/services/administration/setup.js';

const setupWithOfficeId = (id: string) => ({
  provinceName: 'Hà Tĩnh',
  department: { code: '000.00.12.H42', name: 'Sở Giáo dục và Đào tạo', abbreviation: 'SGDĐT' },
  board: { name: 'Ban Giám đốc Sở', id: 'ban-giam-doc' },
  desk: { name: 'Bộ phận một cửa', id: 'mot-cua' },
  offices: [{ name: 'Phòng Quản lý chất lượng', id }],
});

const GOOD = ['qlcl', 'thpt-lam-son', '9a', `a${'-b'.repeat(31)}`];
const BAD = ['a', '-abc', 'phong moi', 'phòng', 'thpt_lam_son', 'a'.repeat(64)];

describe('the unit id rule', () => {
  it('accepts and refuses the same ids in the organisation administration and the set-up, with one message', () => {
    for (const id of GOOD) {
      expect(unitIdSchema.safeParse(id).success, id).toBe(true);
      expect(parseSetupInput(setupWithOfficeId(id)).offices[0]!.id, id).toBe(id);
    }
    for (const id of BAD) {
      const parsed = unitIdSchema.safeParse(id);
      expect(parsed.success, id).toBe(false);
      expect(parsed.error?.issues[0]?.message, id).toBe(UNIT_ID_MESSAGE);
      let fields: Record<string, string> | undefined;
      try { parseSetupInput(setupWithOfficeId(id)); } catch (error) { fields = (error as { fields?: Record<string, string> }).fields; }
      expect(fields?.['offices.0.id'], id).toBe(UNIT_ID_MESSAGE);
    }
  });

  it('refuses the pages\' own path segments ("moi", "nhap") as unit and campaign ids, and never makes one from a name', () => {
    for (const id of ['moi', 'NHAP']) {
      const parsed = unitIdSchema.safeParse(id);
      expect(parsed.success, id).toBe(false);
      expect(parsed.error?.issues[0]?.message, id).toMatch(/trùng với một đường dẫn của trang quản trị/);
      const campaign = campaignInput.safeParse({ id: id.toLowerCase() });
      expect(campaign.error?.issues.find((i) => i.path[0] === 'id')?.message, id).toMatch(/trùng với một đường dẫn/);
    }
    expect(unitIdFrom('Mới')).toBe('don-vi-moi');
  });

  it('checks the agency code and abbreviation with the organisation\'s rules in the set-up too', () => {
    const setup = (department: Record<string, string>) => {
      try { return parseSetupInput({ ...setupWithOfficeId('qlcl'), department: { ...setupWithOfficeId('qlcl').department, ...department } }).department; } catch (error) { return (error as { fields?: Record<string, string> }).fields; }
    };
    expect(setup({ code: '000.00.12.h42' })).toHaveProperty(['department.code'], agencyCodeSchema.safeParse('000.00.12.h42').error?.issues[0]?.message);
    expect(setup({ abbreviation: 'sgdđt' })).toMatchObject({ abbreviation: 'SGDĐT' });
    expect(abbreviationSchema.parse('sgdđt')).toBe('SGDĐT');
    expect(setup({ abbreviation: 'THPT-CLS.2' })).toMatchObject({ abbreviation: 'THPT-CLS.2' });
  });

  it('takes ids in any case and stores them in lower case', () => {
    expect(unitIdSchema.parse(' THPT-Lam-Son ')).toBe('thpt-lam-son');
    expect(parseSetupInput(setupWithOfficeId('QLCL')).offices[0]!.id).toBe('qlcl');
  });

  it("gives the pages an HTML pattern that browsers read like the server's check", () => {
    const browser = new RegExp(`^(?:${htmlPattern(UNIT_ID_PATTERN)})$`, 'v');
    for (const id of GOOD) expect(browser.test(id), id).toBe(true);
    for (const id of BAD) expect(browser.test(id), id).toBe(false);
  });
});
