// A signed-in citizen's family is read in one place (services/citizens/family.ts), in one order: children first, oldest
// first, a child without a birth date after the dated ones, then by name; then parents, spouse, head of household.
// /api/me, the space's people (/api/me/dossiers), the apply page's "Nộp cho" choices and filing for a child all follow
// it; the space's person filter takes a 12-digit personal ID number like every other boundary (identity/personal-id.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { citizenFamily } from '../../src/services/citizens/family.js';
import { filingChoices } from '../../src/services/intake/filing.js';
import { signInCitizen, testPersonalId, type SignedInCitizen } from '../helpers/citizen-session.js';
import { startTestEnvironment, type TestEnvironment } from '../helpers/context.js';

let env: TestEnvironment;
let parent: SignedInCitizen;
const younger = { relation: 'child' as const, personalId: testPersonalId(), fullName: 'Lê Thu Hà', birthDate: '2015-09-01', gender: 'female' };
const older = { relation: 'child' as const, personalId: testPersonalId(), fullName: 'Lê Minh Khôi', birthDate: '2011-02-03', gender: 'male' };
const undated = { relation: 'child' as const, personalId: testPersonalId(), fullName: 'Lê An', birthDate: null, gender: null };
const spouse = { relation: 'spouse' as const, personalId: testPersonalId(), fullName: 'Phạm Thị Mai', birthDate: '1985-01-01', gender: 'female' };
const grandmother = { relation: 'parent' as const, personalId: testPersonalId(), fullName: 'Nguyễn Thị Lan', birthDate: '1955-04-05', gender: 'female' };

beforeAll(async () => {
  env = await startTestEnvironment('production');
  // Written in no particular order, as a provider may list them.
  parent = await signInCitizen(env.ctx.db, { fullName: 'Lê Văn Bình', family: [spouse, undated, younger, grandmother, older] });
});
afterAll(async () => { await env?.close(); });

const childOrder = [older, younger, undated].map((c) => c.personalId);

describe('citizenFamily', () => {
  it('orders children oldest first (undated last), then the parent, then the spouse', async () => {
    const family = await citizenFamily(env.ctx.db, parent.citizen);
    expect(family.members.map((m) => m.personalId)).toEqual([...childOrder, grandmother.personalId, spouse.personalId]);
    expect(family.children.map((c) => c.personalId)).toEqual(childOrder);
  });

  it('is the order of /api/me, of the space\'s people and of the apply page\'s choices', async () => {
    const me = (await env.app.inject({ method: 'GET', url: '/api/me', headers: { cookie: parent.cookie } })).json();
    expect(me.family.map((m: { personalId: string }) => m.personalId)).toEqual([...childOrder, grandmother.personalId, spouse.personalId]);
    const space = (await env.app.inject({ method: 'GET', url: '/api/me/dossiers', headers: { cookie: parent.cookie } })).json();
    expect(space.people.map((p: { personalId: string }) => p.personalId)).toEqual([parent.citizen.personalId, ...childOrder]);
    const definition = env.ctx.catalog.find('admission-registration')!.definition;
    const choices = await filingChoices(env.ctx, definition, parent.citizen);
    expect(choices.map((c) => c.childPersonalId)).toEqual(childOrder);
  });

  it('the space\'s person filter takes 12 digits only, with the one message every boundary gives', async () => {
    const nineDigits = await env.app.inject({ method: 'GET', url: '/api/me/dossiers?person=123456789', headers: { cookie: parent.cookie } });
    expect(nineDigits.statusCode).toBe(422);
    expect(nineDigits.json().error.fields).toEqual({ person: 'Số định danh cá nhân gồm 12 chữ số.' });
    const ownChild = await env.app.inject({ method: 'GET', url: `/api/me/dossiers?person=${younger.personalId}`, headers: { cookie: parent.cookie } });
    expect(ownChild.statusCode).toBe(200);
  });
});
