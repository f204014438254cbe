import { generate } from "selfsigned";

export interface ServingCertificate {
  key: string;
  cert: string;
}

/**
 * A certificate for the sandbox's API servers on loopback, made at start. kubectl sends bearer
 * tokens only over TLS, so the "plain" local API is served over HTTPS with this certificate as
 * its own authority; the kubeconfig carries it as `certificate-authority-data`.
 */
export async function makeServingCertificate(now: Date): Promise<ServingCertificate> {
  const notAfter = new Date(now.getTime() + 365 * 24 * 3600 * 1000);
  const pems = await generate([{ name: "commonName", value: "autodevops-sandbox" }], {
    keyType: "ec",
    curve: "P-256",
    algorithm: "sha256",
    notBeforeDate: new Date(now.getTime() - 60_000),
    notAfterDate: notAfter,
    extensions: [
      { name: "basicConstraints", cA: true, critical: true },
      { name: "keyUsage", digitalSignature: true, keyCertSign: true, keyEncipherment: true, critical: true },
      { name: "extKeyUsage", serverAuth: true },
      {
        name: "subjectAltName",
        altNames: [
          { type: 2, value: "localhost" },
          { type: 7, ip: "127.0.0.1" },
          { type: 7, ip: "::1" },
        ],
      },
    ],
  });
  return { key: pems.private, cert: pems.cert };
}
