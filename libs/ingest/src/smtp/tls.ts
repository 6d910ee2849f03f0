import { readFile } from 'node:fs/promises';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { generate } from 'selfsigned';

export interface TlsMaterial {
  key: string;
  cert: string;
  /** 'configured' when read from files, 'development' when generated at start. */
  source: 'configured' | 'development';
}

const generated = new Map<string, Promise<TlsMaterial>>();

/**
 * A self-signed certificate for `hostname`, generated once per process and kept in memory only.
 * Good enough for opportunistic STARTTLS from a relay (which does not verify by default); a real
 * deployment configures its own certificate.
 */
export const developmentCertificate = (hostname: string): Promise<TlsMaterial> => {
  let pending = generated.get(hostname);
  if (!pending) {
    const notBeforeDate = new Date(Date.now() - 60_000);
    pending = generate([{ name: 'commonName', value: hostname }], {
      keyType: 'ec',
      curve: 'P-256',
      algorithm: 'sha256',
      notBeforeDate,
      notAfterDate: new Date(notBeforeDate.getTime() + 365 * 24 * 3600 * 1000),
      extensions: [
        { name: 'basicConstraints', cA: false },
        { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
        { name: 'extKeyUsage', serverAuth: true },
        { name: 'subjectAltName', altNames: [{ type: 2, value: hostname }, { type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }, { type: 7, ip: '::1' }] },
      ],
    }).then((pems) => ({ key: pems.private, cert: pems.cert, source: 'development' as const }));
    pending.catch(() => generated.delete(hostname));
    generated.set(hostname, pending);
  }
  return pending;
};

/**
 * The edge's certificate: the configured PEM files (checked here, so a wrong path or a key that
 * does not belong to the certificate stops the start with a clear message), else a development one.
 */
export const loadTlsMaterial = async (s: { hostname: string; tlsCertFile: string | null; tlsKeyFile: string | null }): Promise<TlsMaterial> => {
  if (!s.tlsCertFile || !s.tlsKeyFile) return developmentCertificate(s.hostname);
  const [cert, key] = await Promise.all([
    readFile(s.tlsCertFile, 'utf8').catch((e: Error) => Promise.reject(new Error(`MAILROOM_SMTP_TLS_CERT: cannot read ${s.tlsCertFile}: ${e.message}`))),
    readFile(s.tlsKeyFile, 'utf8').catch((e: Error) => Promise.reject(new Error(`MAILROOM_SMTP_TLS_KEY: cannot read ${s.tlsKeyFile}: ${e.message}`))),
  ]);
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(cert);
  } catch {
    throw new Error(`MAILROOM_SMTP_TLS_CERT: ${s.tlsCertFile} holds no PEM certificate`);
  }
  let matches = false;
  try {
    matches = x509.checkPrivateKey(createPrivateKey(key));
  } catch {
    throw new Error(`MAILROOM_SMTP_TLS_KEY: ${s.tlsKeyFile} holds no PEM private key`);
  }
  if (!matches) throw new Error(`MAILROOM_SMTP_TLS_KEY does not belong to the certificate in ${s.tlsCertFile}`);
  return { key, cert, source: 'configured' };
};
