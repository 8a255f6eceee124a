// A paid procedure for tests: the demo workflows are all free, so a test that needs a fee uploads a new version of
// diploma-copy with fee lines through the administration API, as an administrator would. Dossiers filed afterwards
// owe 150 000 đ (100 000 + 50 000); dossiers filed before keep the free version they are pinned to.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { expect } from 'vitest';
import type { ApiClient } from './http.js';

export const PAID_DIPLOMA_FEE = { amount: 150_000, lines: [
  { code: 'LP-BS', label: 'Lệ phí cấp bản sao văn bằng', amount: 100_000 },
  { code: 'P-TC', label: 'Phí tra cứu sổ gốc', amount: 50_000 },
] } as const;

export async function uploadPaidDiplomaCopy(
  api: ApiClient, adminToken: string, workflowsDir: string, payment: 'optional' | 'before-processing' = 'optional',
): Promise<void> {
  const original = await readFile(path.join(workflowsDir, 'diploma-copy.yaml'), 'utf8');
  const fee = ['fee:', `  amount: ${PAID_DIPLOMA_FEE.amount}`, '  lines:',
    ...PAID_DIPLOMA_FEE.lines.map((l) => `    - { code: ${l.code}, label: ${l.label}, amount: ${l.amount} }`), `  payment: ${payment}`, ''].join('\n');
  const paid = original.replace(/^fee:\n(?: {2}.*\n)+/m, fee);
  expect(paid).not.toBe(original);
  const form = new FormData();
  form.append('file', new Blob([paid], { type: 'application/yaml' }), 'diploma-copy.yaml');
  const uploaded = await api.json('POST', '/api/admin/procedures', { token: adminToken, form });
  expect(uploaded.status, JSON.stringify(uploaded.body)).toBe(201);
}
