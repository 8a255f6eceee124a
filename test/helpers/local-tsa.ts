// A real RFC 3161 TSA for the timestamp tests: OpenSSL (`openssl ts -reply`, once per request) behind a tiny HTTP
// server, with its own root CA and an EKU timeStamping certificate in a temporary directory.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface LocalTsa {
  /** The TSA's working directory: ca.pem (its root), tsa.pem (its certificate), free for the test's own files. */
  dir: string;
  url: string;
  /** Path of the TSA's root certificate (PEM), to trust or to verify tokens against. */
  caFile: string;
  /** Path of the TSA's own certificate (PEM). */
  tsaCertFile: string;
  /** Timestamp requests answered so far. */
  readonly requests: number;
  /** While true every request gets 503, as a TSA away. */
  down: boolean;
  close(): Promise<void>;
}

export async function startLocalTsa(prefix = 'motcua-tsa-'): Promise<LocalTsa> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  const at = (f: string) => path.join(dir, f);
  await run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', at('ca.key'), '-out', at('ca.pem'), '-subj', '/CN=Test TSA Root',
    '-days', '30', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  await run('openssl', ['req', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', at('tsa.key'), '-out', at('tsa.csr'), '-subj', '/CN=Test TSA']);
  await writeFile(at('ext.cnf'), 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=critical,timeStamping\n');
  await run('openssl', ['x509', '-req', '-in', at('tsa.csr'), '-CA', at('ca.pem'), '-CAkey', at('ca.key'), '-CAcreateserial', '-out', at('tsa.pem'), '-days', '30', '-extfile', at('ext.cnf')]);
  await writeFile(at('tsaserial'), '01\n');
  await writeFile(at('tsa.cnf'), [
    '[ tsa ]', 'default_tsa = tsa1', '[ tsa1 ]', `dir = ${dir}`, 'serial = $dir/tsaserial', 'crypto_device = builtin',
    'signer_cert = $dir/tsa.pem', 'certs = $dir/tsa.pem', 'signer_key = $dir/tsa.key', 'signer_digest = sha256',
    'default_policy = 1.2.3.4.1', 'digests = sha256, sha384, sha512', 'accuracy = secs:1', 'ordering = yes', 'tsa_name = yes',
    'ess_cert_id_chain = no', 'ess_cert_id_alg = sha256', '',
  ].join('\n'));
  let requests = 0;
  const state = { down: false };
  // One `openssl ts -reply` per request, serialised (the serial file is shared); 503 while down.
  let queue = Promise.resolve();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      queue = queue.then(async () => {
        if (state.down) return void res.writeHead(503).end('down');
        const n = ++requests;
        await writeFile(at(`q${n}.tsq`), Buffer.concat(chunks));
        try {
          await run('openssl', ['ts', '-reply', '-config', at('tsa.cnf'), '-queryfile', at(`q${n}.tsq`), '-out', at(`r${n}.tsr`)]);
          res.writeHead(200, { 'content-type': 'application/timestamp-reply' }).end(await readFile(at(`r${n}.tsr`)));
        } catch (error) {
          res.writeHead(500).end(String(error));
        }
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return {
    dir,
    url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/tsa`,
    caFile: at('ca.pem'),
    tsaCertFile: at('tsa.pem'),
    get requests() { return requests; },
    get down() { return state.down; },
    set down(value: boolean) { state.down = value; },
    async close() {
      await new Promise((resolve) => server.close(resolve));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
