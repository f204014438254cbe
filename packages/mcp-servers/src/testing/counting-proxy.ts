import { createServer, request } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A plain HTTP proxy in front of a backend that records the path and query of every request
 * it forwards, so a test can show that a call did (or did not) reach the backend.
 */
export async function startCountingProxy(target: string) {
  const seen: string[] = [];
  const to = new URL(target);
  const server = createServer((req, res) => {
    seen.push(req.url ?? "/");
    const up = request({ host: to.hostname, port: to.port, path: req.url, method: req.method, headers: { ...req.headers, host: to.host } }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    up.on("error", (e) => res.writeHead(502).end(e.message));
    req.pipe(up);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    /** Every request forwarded so far, as path?query. */
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
