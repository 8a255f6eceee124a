// Dossiers stay pinned to the definition they were filed under: a changed workflow file becomes version 2 for new
// dossiers, while an old dossier keeps version 1's states and actions.
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProcedureCatalog } from '../../src/services/procedures/catalog.js';
import { dossierView } from '../../src/services/viewing/dossier-view.js';
import { performAction } from '../../src/services/processing/perform-action.js';
import { submitDossier } from '../../src/services/intake/submit-dossier.js';
import { loadWorkflowDir } from '../../src/workflow/loader.js';
import { startTestEnvironment, type TestEnvironment } from '../helpers/context.js';
import { diplomaRequest, staffCaller } from '../helpers/dossiers.js';
import { makePdf } from '../helpers/files.js';

describe('procedure versions', () => {
  let env: TestEnvironment;
  let dir: string;
  beforeAll(async () => {
    env = await startTestEnvironment('production');
    dir = await mkdtemp(path.join(os.tmpdir(), 'motcua-v2-'));
  });
  afterAll(async () => { await env?.close(); await rm(dir, { recursive: true, force: true }); });

  it('publishes a changed file as a new version and keeps old dossiers on theirs', async () => {
    const files = [{ fieldName: 'identity', fileName: 'cccd.pdf', data: await makePdf() }];
    const old = await submitDossier(env.ctx, { procedureId: 'diploma-copy', data: diplomaRequest(), files });

    // Version 2: the clerk can no longer refuse at intake, and "receive" has a new label.
    await cp('workflows', dir, { recursive: true });
    const file = path.join(dir, 'diploma-copy.yaml');
    const yaml = (await readFile(file, 'utf8'))
      .replace('label: Tiếp nhận hồ sơ', 'label: Tiếp nhận hồ sơ trực tuyến')
      .replace(/      refuse:\n        to: refused\n        label: Từ chối tiếp nhận\n        roles: \[clerk\]\n        comment: required\n        effects: \[stop-clock(?:, issue-refusal)?\]\n/, '');
    // The state goes, and its national status code with it.
    await writeFile(file, yaml.replace(/  refused:\n    label: Từ chối tiếp nhận\n    final: true\n/, '').replace('    refused: "3"\n', ''));
    const loaded = loadWorkflowDir(dir, { templatesDir: env.config.templatesDir, effects: env.ctx.effects.names });
    const catalog = await ProcedureCatalog.publish(env.ctx.db, loaded);
    expect(catalog.find('diploma-copy')?.version).toBe(2);
    // The same file again is the same version, not a third one.
    expect((await ProcedureCatalog.publish(env.ctx.db, loaded)).find('diploma-copy')?.version).toBe(2);

    const ctx = { ...env.ctx, catalog };
    const clerk = await staffCaller(ctx, 'clerk');
    const oldView = await dossierView(ctx, old.code, clerk);
    expect(oldView.procedure.version).toBe(1);
    expect(oldView.actions.map((a) => [a.name, a.label])).toEqual([
      ['receive', 'Tiếp nhận hồ sơ'], ['request_supplement', 'Yêu cầu bổ sung hồ sơ'], ['refuse', 'Từ chối tiếp nhận'],
    ]);

    const fresh = await submitDossier(ctx, { procedureId: 'diploma-copy', data: diplomaRequest(), files });
    const freshView = await dossierView(ctx, fresh.code, clerk);
    expect(freshView.procedure.version).toBe(2);
    expect(freshView.actions.map((a) => [a.name, a.label])).toEqual([['receive', 'Tiếp nhận hồ sơ trực tuyến'], ['request_supplement', 'Yêu cầu bổ sung hồ sơ']]);
    await expect(performAction(ctx, { code: fresh.code, action: 'refuse', caller: clerk, version: 1, comment: 'x' }))
      .rejects.toMatchObject({ code: 'ACTION_NOT_AVAILABLE' });
    expect(await performAction(ctx, { code: old.code, action: 'refuse', caller: clerk, version: 1, comment: 'Thiếu thông tin' }))
      .toMatchObject({ status: 'refused' });
  });
});
