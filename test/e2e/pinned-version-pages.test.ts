// Every page of a dossier uses the definition version the dossier is pinned to (DESIGN rule 12). A changed workflow
// file is published as version 2 — new state and action labels, a renamed and an added document, a renamed intake
// field, one action fewer — and the staff and citizen pages of a dossier filed before still show version 1's labels,
// documents and actions, while a dossier filed after shows version 2's. Also: the assignee and a label for every
// history event (no raw action names).
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { login } from '../../src/services/accounts/auth.js';
import { assignDossier } from '../../src/services/processing/assign-dossier.js';
import { performAction } from '../../src/services/processing/perform-action.js';
import { ProcedureCatalog } from '../../src/services/procedures/catalog.js';
import { submitDossier } from '../../src/services/intake/submit-dossier.js';
import { loadWorkflowDir } from '../../src/workflow/loader.js';
import { startTestEnvironment, type TestEnvironment } from '../helpers/context.js';
import { diplomaRequest, dossierAwaitingApproval, staffCaller } from '../helpers/dossiers.js';
import { makePdf } from '../helpers/files.js';

const V1 = {
  receive: 'Tiếp nhận hồ sơ', refuse: 'Từ chối tiếp nhận', askSupplement: 'Yêu cầu bổ sung hồ sơ', awaiting: 'Chờ công dân bổ sung',
  identity: 'Căn cước công dân / hộ chiếu của người yêu cầu', holderName: 'Họ và tên người được cấp văn bằng', approve: 'Phê duyệt và ký số',
};
const V2 = {
  receive: 'Tiếp nhận hồ sơ trực tuyến', askSupplement: 'Đề nghị công dân bổ sung giấy tờ', awaiting: 'Đang chờ bổ sung giấy tờ',
  identity: 'Giấy tờ tùy thân có ảnh của người yêu cầu', holderName: 'Họ tên chủ văn bằng', approve: 'Duyệt kết quả và ký số',
  residence: 'Giấy xác nhận thông tin cư trú',
};

/** Version 2 of diploma-copy; every replacement must apply, or the test would prove nothing. */
function version2(yaml: string): string {
  const edits: Array<[string | RegExp, string]> = [
    ['        label: Tiếp nhận hồ sơ\n', `        label: ${V2.receive}\n`],
    [/      refuse:\n        to: refused\n        label: Từ chối tiếp nhận\n        roles: \[clerk\]\n        comment: required\n        effects: \[stop-clock(?:, issue-refusal)?\]\n/, ''],
    [/  refused:\n    label: Từ chối tiếp nhận\n    final: true\n/, ''],
    ['    refused: "3"\n', ''], // its national status code goes with the state
    [`label: ${V1.askSupplement}\n`, `label: ${V2.askSupplement}\n`],
    [`label: ${V1.awaiting}\n`, `label: ${V2.awaiting}\n`],
    [`label: ${V1.identity}\n`, `label: ${V2.identity}\n`],
    [`label: ${V1.holderName},`, `label: ${V2.holderName},`],
    [`label: ${V1.approve}\n`, `label: ${V2.approve}\n`],
    ['documents: [identity, authorisation, diplomaScan]', 'documents: [identity, authorisation, diplomaScan, residenceConfirm]'],
    ['\ninitial: submitted\n', `  residenceConfirm:\n    label: ${V2.residence}\n    accept: [application/pdf, image/jpeg, image/png]\n    maxSizeMb: 5\n\ninitial: submitted\n`],
  ];
  for (const [from, to] of edits) {
    const next = yaml.replace(from, to);
    if (next === yaml) throw new Error(`version 2 edit did not apply: ${String(from)}`);
    yaml = next;
  }
  return yaml;
}

/** The text of every element matching `tag` with the given attribute-free opening, e.g. summary, dt, strong. */
const texts = (html: string, tag: string) => [...html.matchAll(new RegExp(`<${tag}>([^<]*)</${tag}>`, 'g'))].map((m) => m[1]!.trim());
const section = (html: string, id: string) => html.slice(html.indexOf(`aria-labelledby="${id}"`), html.indexOf('</section>', html.indexOf(`aria-labelledby="${id}"`)));

describe('pages of a dossier use its pinned definition version', () => {
  let env: TestEnvironment;
  let dir: string;
  let old: { code: string; trackingToken: string };
  let fresh: { code: string; trackingToken: string };
  let awaitingApproval: { code: string; version: number };
  let clerkName: string;
  const cookies: Record<string, string> = {};

  const page = async (url: string, cookie: string) => {
    const response = await env.app.inject({ method: 'GET', url, headers: { cookie } });
    expect(response.statusCode, `${url}: ${response.body.slice(0, 300)}`).toBe(200);
    return response.body;
  };
  const staffPage = (code: string, who = 'clerk') => page(`/can-bo/ho-so/${encodeURIComponent(code)}`, cookies[who]!);
  const citizenPage = (dossier: { code: string; trackingToken: string }) => page(`/ho-so/${encodeURIComponent(dossier.code)}`,
    `motcua_track=${Buffer.from(JSON.stringify([{ code: dossier.code, token: dossier.trackingToken }])).toString('base64url')}`);

  beforeAll(async () => {
    env = await startTestEnvironment('production');
    dir = await mkdtemp(path.join(os.tmpdir(), 'motcua-pinned-'));
    const files = [{ fieldName: 'identity', fileName: 'cccd.pdf', data: await makePdf() }];
    old = await submitDossier(env.ctx, { procedureId: 'diploma-copy', data: diplomaRequest('Trần Văn Cũ'), files });
    awaitingApproval = await dossierAwaitingApproval(env.ctx);

    await cp('workflows', dir, { recursive: true });
    const file = path.join(dir, 'diploma-copy.yaml');
    await writeFile(file, version2(await readFile(file, 'utf8')));
    const catalog = await ProcedureCatalog.publish(env.ctx.db, loadWorkflowDir(dir, { templatesDir: env.config.templatesDir, effects: env.ctx.effects.names }));
    expect(catalog.find('diploma-copy')?.version).toBe(2);
    // The running app now offers version 2, as after a restart with the changed file.
    env.ctx.catalog = catalog;
    fresh = await submitDossier(env.ctx, {
      procedureId: 'diploma-copy', data: { ...diplomaRequest('Phạm Thị Mới') }, files,
    });

    for (const who of ['clerk', 'leader']) cookies[who] = `motcua_session=${(await login(env.ctx.db, who, 'demo')).token}`;
    clerkName = (await staffCaller(env.ctx, 'clerk')).staff.fullName;
  });
  afterAll(async () => { await env?.close(); await rm(dir, { recursive: true, force: true }); });

  it('staff page: the old dossier keeps its own actions, documents and field labels; the new one has version 2', async () => {
    const before = await staffPage(old.code);
    expect(texts(before, 'summary')).toEqual([V1.receive, V1.askSupplement, V1.refuse]);
    expect(before).toContain(`<strong>${V1.identity}</strong>`);
    expect(texts(before, 'dt')).toContain(V1.holderName);
    for (const text of [V2.receive, V2.askSupplement, V2.identity, V2.holderName]) expect(before).not.toContain(text);

    const after = await staffPage(fresh.code);
    expect(texts(after, 'summary')).toEqual([V2.receive, V2.askSupplement]);
    expect(after).toContain(`<strong>${V2.identity}</strong>`);
    expect(texts(after, 'dt')).toContain(V2.holderName);
    expect(after).not.toContain(V1.identity);
    expect(texts(after, 'dt')).not.toContain(V1.holderName);
  });

  it('staff page shows the assignee and labels every history event', async () => {
    const clerk = await staffCaller(env.ctx, 'clerk');
    expect((await staffPage(old.code))).toContain('Chưa có cán bộ nhận xử lý');
    await assignDossier(env.ctx, { code: old.code, caller: clerk, version: 1 });
    const html = await staffPage(old.code);
    expect(html).toMatch(new RegExp(`data-testid="assignee">${clerkName}</dd>`));
    expect(texts(section(html, 'history-h'), 'td').filter((t) => ['Nộp hồ sơ', 'Nhận xử lý hồ sơ'].includes(t))).toEqual(['Nộp hồ sơ', 'Nhận xử lý hồ sơ']);
    expect(texts(section(html, 'history-h'), 'td')).not.toContain('claim');
  });

  it('citizen page: the old dossier keeps its own state, timeline and supplement documents', async () => {
    const clerk = await staffCaller(env.ctx, 'clerk');
    await performAction(env.ctx, { code: old.code, action: 'request_supplement', caller: clerk, version: 2, comment: 'Ảnh CCCD bị mờ' });
    await performAction(env.ctx, { code: fresh.code, action: 'request_supplement', caller: clerk, version: 1, comment: 'Thiếu xác nhận cư trú' });

    const html = await citizenPage(old);
    expect(html).toMatch(new RegExp(`data-testid="status">${V1.awaiting}<`));
    const timeline = texts(section(html, 'timeline-h'), 'strong');
    expect(timeline).toEqual([V1.askSupplement, 'Nhận xử lý hồ sơ', 'Nộp hồ sơ']);
    const supplement = section(html, 'supp-h');
    expect(supplement).toContain(V1.identity);
    expect(supplement).not.toContain(V2.residence);
    expect(supplement).toContain('Nộp bổ sung hồ sơ');
    expect(texts(html, 'dt')).toContain(V1.holderName);
    for (const text of [V2.awaiting, V2.askSupplement, V2.identity, V2.holderName]) expect(html).not.toContain(text);

    const next = await citizenPage(fresh);
    expect(next).toMatch(new RegExp(`data-testid="status">${V2.awaiting}<`));
    expect(texts(section(next, 'timeline-h'), 'strong')).toEqual([V2.askSupplement, 'Nộp hồ sơ']);
    expect(section(next, 'supp-h')).toContain(V2.residence);
    expect(section(next, 'supp-h')).toContain(V2.identity);
    expect(texts(next, 'dt')).toContain(V2.holderName);
  });

  it('approval queue and approval action follow the pinned version; the API shape is unchanged', async () => {
    expect(await page('/can-bo/phe-duyet', cookies.leader!)).toContain(`value="${awaitingApproval.code}|approve|${awaitingApproval.version}"`);
    const html = await staffPage(awaitingApproval.code, 'leader');
    expect(texts(html, 'summary')).toContain(V1.approve);
    expect(html).not.toContain(V2.approve);
    expect(html).toContain('data-testid="preview"');

    const api = await env.app.inject({ method: 'GET', url: `/api/dossiers/${encodeURIComponent(old.code)}`, headers: { authorization: `Bearer ${old.trackingToken}` } });
    expect(api.statusCode).toBe(200);
    const body = api.json();
    for (const key of ['code', 'procedure', 'status', 'statusLabel', 'version', 'dueDate', 'documents', 'history', 'actions', 'result']) expect(body).toHaveProperty(key);
    expect(body.procedure.version).toBe(1);
    expect(body.history.map((h: { action: string; actionLabel: string }) => [h.action, h.actionLabel]))
      .toEqual([['submit', 'Nộp hồ sơ'], ['claim', 'Nhận xử lý hồ sơ'], ['request_supplement', V1.askSupplement]]);
    expect(body.documents.map((d: { label: string }) => d.label)).toEqual([V1.identity]);
    // Citizens are not told which official holds their dossier; staff are.
    expect(body.assignee).toBeNull();
    const asStaff = await env.app.inject({ method: 'GET', url: `/api/dossiers/${encodeURIComponent(old.code)}`, headers: { cookie: cookies.clerk! } });
    expect(asStaff.json().assignee).toMatchObject({ name: clerkName });
  });
});
