// The clerk's inbox a page at a time (keyset on due_at nulls last, submitted_at, id), over thousands of dossiers
// built as bench:growth builds them, with forced ties: the API (`after` → `X-Next-Cursor` / `Link: rel="next"`) and the
// page /can-bo ("Trang sau ›") each give every inbox dossier exactly once and in order, filters kept from page to
// page; a cursor we did not issue is a 422 (VALIDATION_FAILED on the API, a notice on the page), never a 500.
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDossiers, prepareChoices } from '../../bench/growth-data.js';
import { findStaffByUsername } from '../../src/db/repositories/staff.js';
import { staffReach } from '../../src/services/access.js';
import { actionableStatusLabels } from '../../src/services/processing/inbox.js';
import { stateLabel } from '../../src/workflow/engine.js';
import { startTestEnvironment, type TestEnvironment } from '../helpers/context.js';
import { ApiClient, listenForHttp } from '../helpers/http.js';
import { signInPages, type PageSession } from '../helpers/page-session.js';
import { sql as drizzleSql } from 'drizzle-orm';
import { diplomaRequest } from '../helpers/dossiers.js';
import { makePdf } from '../helpers/files.js';
import { submitDossier } from '../../src/services/intake/submit-dossier.js';

const DOSSIERS = 8_000;

interface Expected { code: string; procedureId: string; channel: string; applicantName: string; title: string; label: string; overdue: boolean }

describe('the inbox, page by page', () => {
  let env: TestEnvironment;
  let sql: postgres.Sql;
  let api: ApiClient;
  let token: string;
  let pages: PageSession;
  /** The clerk's whole inbox in its order, computed apart from the code under test. */
  let expected: Expected[];

  beforeAll(async () => {
    env = await startTestEnvironment('production');
    if (env.config.database.kind !== 'postgres') throw new Error('this test needs PostgreSQL');
    sql = postgres(env.config.database.url, { max: 2, onnotice: () => {} });
    await prepareChoices(sql);
    await buildDossiers(sql, 1, DOSSIERS, 'Lê Thị Thu Hà');
    const clerk = (await findStaffByUsername(env.ctx.db, 'clerk'))!;
    const reach = await staffReach(env.ctx.db, clerk);
    const actionable: Array<{ procedureVersionId: number; status: string }> = [];
    for (const [versionId, definition] of env.ctx.catalog.allVersions()) {
      for (const [status, state] of Object.entries(definition.states)) {
        if (Object.values(state.on).some((t) => t.roles.includes('clerk'))) actionable.push({ procedureVersionId: versionId, status });
      }
    }
    const inbox = sql`(procedure_version_id, status) in (select * from unnest(${actionable.map((a) => a.procedureVersionId)}::int[], ${actionable.map((a) => a.status)}::text[]))
      and (unit_id = any(${reach.unitIds}::text[]) or agency_code = any(${reach.agencyCodes}::text[])) and closed_at is null`;
    // Ties the order must break by id: 30 dated dossiers share one due date and one filing instant; 30 undated ones
    // share a filing instant; and 12 are a microsecond apart within one millisecond (a Date-based cursor would skip them).
    await sql`update dossiers set due_at = now() + interval '3 days', submitted_at = now() - interval '5 days'
      where id in (select id from dossiers where ${inbox} and due_at is not null order by code limit 30)`;
    await sql`update dossiers set submitted_at = now() - interval '6 days'
      where id in (select id from dossiers where ${inbox} and due_at is null order by code limit 30)`;
    await sql`with picked as (select id, row_number() over (order by code) as n from dossiers where ${inbox} and due_at is null order by code offset 30 limit 12)
      update dossiers d set submitted_at = timestamptz '2026-01-05 08:00:00.123+07' + (picked.n % 4) * interval '1 microsecond'
      from picked where d.id = picked.id`;
    const rows = await sql<Array<{ code: string; procedure_id: string; procedure_version_id: number; status: string; channel: string; applicant_name: string; overdue: boolean }>>`
      select code, procedure_id, procedure_version_id, status, channel, applicant_name, coalesce(due_at < now(), false) as overdue
      from dossiers where ${inbox} order by due_at asc nulls last, submitted_at asc, id asc`;
    const versions = new Map(env.ctx.catalog.allVersions());
    expected = rows.map((r) => {
      const definition = versions.get(r.procedure_version_id)!;
      return { code: r.code, procedureId: r.procedure_id, channel: r.channel, applicantName: r.applicant_name, title: definition.title,
        label: stateLabel(definition, r.status), overdue: r.overdue };
    });
    api = await listenForHttp(env);
    token = await api.login('clerk');
    pages = await signInPages(env, 'clerk');
  }, 180_000);
  afterAll(async () => {
    await sql?.end({ timeout: 5 });
    await env?.close();
  });

  /** Follows `X-Next-Cursor` from `path`; every page's `Link` names the same filters and the cursor. */
  async function walkApi(path: string): Promise<{ codes: string[]; pages: number }> {
    const codes: string[] = [];
    let pageCount = 0;
    let url: string | null = path;
    while (url) {
      const response: Response = await api.request('GET', url, { token });
      expect(response.status).toBe(200);
      const items = (await response.json()) as Array<{ code: string }>;
      codes.push(...items.map((i) => i.code));
      pageCount++;
      const next = response.headers.get('x-next-cursor');
      if (!next) {
        expect(response.headers.get('link')).toBeNull();
        url = null;
        break;
      }
      const link = /^<([^>]+)>; rel="next"$/.exec(response.headers.get('link') ?? '')?.[1];
      expect(link).toBeDefined();
      const linked = new URL(link!, 'http://x');
      const asked = new URL(path, 'http://x');
      for (const [name, value] of asked.searchParams) if (name !== 'after') expect(linked.searchParams.get(name)).toBe(value);
      expect(linked.searchParams.get('after')).toBe(next);
      url = `${linked.pathname}${linked.search}`;
      expect(pageCount).toBeLessThan(200);
    }
    return { codes, pages: pageCount };
  }

  const unescape = (href: string | undefined) => href?.replaceAll('&#x3D;', '=').replaceAll('&amp;', '&');

  /** Follows "Trang sau ›" from `url`: the codes of each page's rows and each page's range line. */
  async function walkPages(url: string): Promise<{ codes: string[]; ranges: string[]; nextUrls: string[] }> {
    const codes: string[] = [];
    const ranges: string[] = [];
    const nextUrls: string[] = [];
    let next: string | undefined = url;
    while (next) {
      const page = await pages.get(next);
      expect(page.status).toBe(200);
      codes.push(...[...page.body.matchAll(/<td><a href="\/can-bo\/ho-so\/([^"]+)">/g)].map((m) => decodeURIComponent(m[1]!)));
      ranges.push(/data-testid="inbox-range">([^<]*)</.exec(page.body)![1]!);
      next = unescape(/<a href="([^"]+)" rel="next" data-testid="inbox-next">Trang sau ›<\/a>/.exec(page.body)?.[1]);
      if (next) nextUrls.push(next);
      expect(nextUrls.length).toBeLessThan(100);
    }
    return { codes, ranges, nextUrls };
  }

  it('walks the whole inbox through the API, each dossier once and in order, ties and undated dossiers included', async () => {
    expect(expected.length).toBeGreaterThan(250);
    expect(expected.filter((e) => e.overdue).length).toBeGreaterThan(0);
    // 37 a page: pages end inside the tie groups and across the dated/undated boundary.
    const { codes, pages: count } = await walkApi('/api/inbox?limit=37');
    expect(codes).toEqual(expected.map((e) => e.code));
    expect(count).toBe(Math.ceil(expected.length / 37));
    // Without `after` and `limit` the API answers as before: the first 100, oldest due first.
    const first = await api.json('GET', '/api/inbox', { token });
    expect(first.body.map((i: { code: string }) => i.code)).toEqual(expected.slice(0, 100).map((e) => e.code));
  });

  it('keeps the filters from page to page (API)', async () => {
    const procedureId = expected[0]!.procedureId;
    const filtered = expected.filter((e) => e.procedureId === procedureId && e.channel === 'online');
    expect(filtered.length).toBeGreaterThan(10);
    const { codes } = await walkApi(`/api/inbox?procedure=${procedureId}&channel=online&limit=10`);
    expect(codes).toEqual(filtered.map((e) => e.code));
    const overdue = await walkApi('/api/inbox?overdue=true&limit=7');
    expect(overdue.codes).toEqual(expected.filter((e) => e.overdue).map((e) => e.code));
  });

  it('refuses a cursor it did not issue with 422 VALIDATION_FAILED (fields.after)', async () => {
    const good = (await api.request('GET', '/api/inbox?limit=5', { token })).headers.get('x-next-cursor')!;
    expect(good).toMatch(/^[0-9A-Za-z_-]+$/);
    const bad = ['abc', `${good}x`, good.replace(/_[0-9a-f-]{36}$/, '_not-a-uuid'), '0_x_253402300800000000_00000000-0000-0000-0000-000000000000',
      '0_99999999999999999999_1_00000000-0000-0000-0000-000000000000', ''];
    for (const after of bad) {
      const answer = await api.json('GET', `/api/inbox?after=${encodeURIComponent(after)}`, { token });
      expect(answer.status, after).toBe(422);
      expect(answer.body.error.code).toBe('VALIDATION_FAILED');
      expect(answer.body.error.fields.after).toMatch(/Con trỏ trang không hợp lệ/);
    }
  });

  it('pages /can-bo by 100 with "Trang sau ›" only while there is more, and "‹ Về đầu danh sách"', async () => {
    const walk = await walkPages('/can-bo');
    expect(walk.codes).toEqual(expected.map((e) => e.code));
    expect(walk.nextUrls.length).toBe(Math.ceil(expected.length / 100) - 1);
    expect(walk.ranges[0]).toBe('Hiển thị 100 hồ sơ đầu');
    expect(walk.ranges[1]).toBe(`Hiển thị hồ sơ 101–${Math.min(200, expected.length)}`);
    const second = await pages.get(walk.nextUrls[0]!);
    expect(/<a href="([^"]+)" data-testid="inbox-first">‹ Về đầu danh sách<\/a>/.exec(second.body)?.[1]).toBe('/can-bo');
    const first = await pages.get('/can-bo');
    expect(first.body).not.toContain('data-testid="inbox-first"');
    // The overdue and due-soon counts are the page's, and said so while there are more pages.
    expect(first.body).toContain('data-testid="counts-of-page"');
    const few = await pages.get(`/can-bo?procedure=${expected[0]!.procedureId}&channel=desk&status=__none__`);
    expect(few.status).toBe(200);
    expect(few.body).not.toContain('data-testid="counts-of-page"');
  });

  it('keeps the page\'s filters (status label, procedure, channel, overdue, search) in its links', async () => {
    const clerk = (await findStaffByUsername(env.ctx.db, 'clerk'))!;
    const label = actionableStatusLabels(env.ctx, clerk).find((l) => expected.filter((e) => e.label === l).length > 100)!;
    expect(label).toBeDefined();
    const byLabel = await walkPages(`/can-bo?status=${encodeURIComponent(label)}`);
    expect(byLabel.codes).toEqual(expected.filter((e) => e.label === label).map((e) => e.code));
    for (const url of byLabel.nextUrls) expect(new URL(url, 'http://x').searchParams.get('status')).toBe(label);

    const procedureId = expected[0]!.procedureId;
    const combined = await walkPages(`/can-bo?procedure=${procedureId}&channel=online&overdue=on`);
    expect(combined.codes).toEqual(expected.filter((e) => e.procedureId === procedureId && e.channel === 'online' && e.overdue).map((e) => e.code));

    // The search folds accents and case, word by word, over the code, the applicant's name and the procedure's title.
    const fold = (t: string) => t.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/[đĐ]/g, 'd').toLowerCase();
    const search = async (q: string) => {
      const words = q.split(' ');
      const found = expected.filter((e) => words.every((w) => fold(`${e.code} ${e.applicantName} ${e.title}`).includes(fold(w))));
      const walked = await walkPages(`/can-bo?q=${encodeURIComponent(q)}`);
      expect(walked.codes).toEqual(found.map((e) => e.code));
      for (const url of walked.nextUrls) expect(new URL(url, 'http://x').searchParams.get('q')).toBe(q);
      return found.length;
    };
    expect(await search('NGUYEN văn')).toBeGreaterThan(100);
    const narrow = await search('Văn 7 bench');
    expect(narrow).toBeGreaterThan(0);
    expect(narrow).toBeLessThan(expected.length);
    const titleWord = fold(expected[0]!.title).split(' ').find((w) => w.length > 3)!;
    const byTitle = await walkPages(`/can-bo?q=${encodeURIComponent(titleWord)}`);
    expect(byTitle.codes).toEqual(expected.filter((e) => fold(`${e.code} ${e.applicantName} ${e.title}`).includes(titleWord)).map((e) => e.code));
  });

  it('answers a tampered page link with a notice and the first page (422), not an error page', async () => {
    const page = await pages.get('/can-bo?procedure=x&after=0_1_2_zz');
    expect(page.status).toBe(422);
    expect(page.body).toContain('data-testid="cursor-invalid"');
    expect(unescape(/<a href="([^"]+)" data-testid="inbox-first">/.exec(page.body)?.[1])).toBe('/can-bo?procedure=x');
  });
});

// The same statements on the embedded PGlite: the row comparisons, microsecond cursors and translate()-folded search.
describe('the inbox, page by page (embedded)', () => {
  let env: TestEnvironment;

  beforeAll(async () => {
    env = await startTestEnvironment('embedded');
  }, 120_000);
  afterAll(async () => { await env?.close(); });

  it('walks dated and undated dossiers one a page, and finds a name without its accents', async () => {
    const pdf = await makePdf();
    const names = ['Lê Thị Lan', 'Trần Đức Anh', 'Đỗ Văn Bình', 'Lê Thị Hồng'];
    const codes: string[] = [];
    for (const name of names) {
      const { code } = await submitDossier(env.ctx, { procedureId: 'diploma-copy', data: diplomaRequest(name), files: [{ fieldName: 'identity', fileName: 'cccd.pdf', data: pdf }] });
      codes.push(code);
    }
    // Two with the same due date and filing instant (a tie), two without a due date (last).
    await env.ctx.db.execute(drizzleSql`update dossiers set due_at = now() + interval '2 days', submitted_at = now() - interval '1 hour'
      where code in (${codes[0]!}, ${codes[1]!})`);
    await env.ctx.db.execute(drizzleSql`update dossiers set due_at = null where code in (${codes[2]!}, ${codes[3]!})`);
    const api = await listenForHttp(env);
    const token = await api.login('clerk');
    const whole = (await api.json('GET', '/api/inbox', { token })).body.map((i: { code: string }) => i.code);
    expect([...whole].sort()).toEqual(expect.arrayContaining([...codes].sort()));
    const walked: string[] = [];
    let url: string | null = '/api/inbox?limit=1&procedure=diploma-copy';
    while (url) {
      const response: Response = await api.request('GET', url, { token });
      expect(response.status).toBe(200);
      walked.push(...((await response.json()) as Array<{ code: string }>).map((i) => i.code));
      url = /^<([^>]+)>/.exec(response.headers.get('link') ?? '')?.[1] ?? null;
    }
    expect(walked).toEqual(whole.filter((c: string) => codes.includes(c)));
    expect(walked.slice(0, 2).sort()).toEqual(codes.slice(0, 2).sort());
    expect(walked.slice(2)).toEqual(codes.slice(2));
    const pages = await signInPages(env, 'clerk');
    const found = await pages.get(`/can-bo?q=${encodeURIComponent('DO VAN binh')}`);
    expect([...found.body.matchAll(/<td><a href="\/can-bo\/ho-so\/([^"]+)">/g)].map((m) => decodeURIComponent(m[1]!))).toEqual([codes[2]]);
  }, 60_000);
});
