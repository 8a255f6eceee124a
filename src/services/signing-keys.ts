// Signers' private keys at rest: AES-256-GCM under a key derived from the configured secret. Decrypted keys are
// cached by key id, so signing never re-parses a key (node:crypto KeyObjects are cheap to reuse).
import { createCipheriv, createDecipheriv, createPrivateKey, hkdfSync, randomBytes, type KeyObject } from 'node:crypto';
import type { Db } from '../db/client.js';
import { findActiveStaffKey, insertSigningKey } from '../db/repositories/issued-documents.js';
import { AppError } from '../errors.js';

export interface Signer {
  keyId: string;
  key: KeyObject;
  certificatePem: string;
  chainPem: string[];
}

function wrappingKey(secret: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, 'motcua', 'signing-keys/v1', 32));
}

export function encryptPrivateKey(secret: string, privateKeyPem: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', wrappingKey(secret), iv);
  const body = Buffer.concat([cipher.update(privateKeyPem, 'utf8'), cipher.final()]);
  return ['v1', iv.toString('base64'), cipher.getAuthTag().toString('base64'), body.toString('base64')].join(':');
}

export function decryptPrivateKey(secret: string, stored: string): string {
  const [version, iv, tag, body] = stored.split(':');
  if (version !== 'v1' || !iv || !tag || !body) throw new Error('unknown private key envelope');
  const decipher = createDecipheriv('aes-256-gcm', wrappingKey(secret), Buffer.from(iv, 'base64'));
  decipher.setAuthTag(Buffer.from(tag, 'base64'));
  return Buffer.concat([decipher.update(Buffer.from(body, 'base64')), decipher.final()]).toString('utf8');
}

export class SignerKeys {
  private readonly cache = new Map<string, Signer>();

  constructor(private readonly db: Db, private readonly secret: string) {}

  async forStaff(staffId: string): Promise<Signer> {
    const row = await findActiveStaffKey(this.db, staffId);
    if (!row) throw new AppError('SIGNING_KEY_MISSING', 'Người ký chưa có chứng thư số.');
    const cached = this.cache.get(row.id);
    if (cached) return cached;
    const signer: Signer = {
      keyId: row.id,
      key: createPrivateKey(decryptPrivateKey(this.secret, row.encryptedPrivateKey)),
      certificatePem: row.certificatePem,
      chainPem: row.chainPem,
    };
    this.cache.set(row.id, signer);
    return signer;
  }

  async storeForStaff(staffId: string, material: { certificatePem: string; privateKeyPem: string; chainPem?: string[] }): Promise<void> {
    await insertSigningKey(this.db, {
      staffId,
      certificatePem: material.certificatePem,
      chainPem: material.chainPem ?? [],
      encryptedPrivateKey: encryptPrivateKey(this.secret, material.privateKeyPem),
    });
  }
}
