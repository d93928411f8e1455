// Console server hard edges: a wrong or missing token is refused (UI and raw WebSocket), foreign
// Origin and Host are refused, over-size frames close only that socket (1009).
import { expect, test } from '@playwright/test';
import WebSocket from 'ws';
import { shot, consolePerFile } from './console';

const consoleOf = consolePerFile();

/** Opens a raw WebSocket to the bridge; resolves with the HTTP status of a refusal or 101. */
function connect(o: { token?: string; origin?: string; host?: string }): Promise<{ status: number; ws?: WebSocket }> {
  const c = consoleOf();
  return new Promise((resolve, reject) => {
    const protocols = ['tb.v1', ...(o.token !== undefined ? [`tb.token.${o.token}`] : [])];
    const headers: Record<string, string> = {};
    if (o.host) headers.host = o.host;
    const ws = new WebSocket(`${c.origin.replace('http', 'ws')}/ws`, protocols, { origin: o.origin ?? c.origin, headers });
    ws.once('unexpected-response', (_req, res) => resolve({ status: res.statusCode ?? 0 }));
    ws.once('open', () => resolve({ status: 101, ws }));
    ws.once('error', (e) => (e.message.includes('Unexpected server response') ? undefined : reject(e)));
  });
}

test('a wrong token is refused, in the browser and on the raw socket', async ({ page }) => {
  const c = consoleOf();
  await page.goto(`${c.origin}/#token=${'ab'.repeat(32)}`);
  await expect(page.getByTestId('connection-banner')).toHaveAttribute('data-state', 'refused');
  await expect(page.getByTestId('node-phase')).toHaveText('token refused');
  await expect(page.getByTestId('page-overview')).toHaveCount(0); // nothing of the node is shown
  await shot(page, 'token-refused');

  await page.goto(`${c.origin}/`);
  await expect(page.getByTestId('connection-banner')).toHaveAttribute('data-state', 'no_token');

  expect((await connect({ token: 'ab'.repeat(32) })).status).toBe(401);
  expect((await connect({})).status).toBe(401);
  expect((await connect({ token: c.token.slice(0, -1) })).status).toBe(401);
  expect((await connect({ token: c.token, origin: 'http://evil.example' })).status).toBe(403);
  expect((await connect({ token: c.token, host: 'evil.example' })).status).toBe(421);
  const ok = await connect({ token: c.token });
  expect(ok.status).toBe(101);
  ok.ws!.close();
  expect(c.output()).not.toContain(`refused WebSocket from 127.0.0.1: missing or wrong token ${c.token}`);
  expect(c.output().split(c.token).length - 1).toBe(1); // printed once, in the URL line; never logged
});

test('the bridge answers JSON-RPC with exact ids, refuses unknown methods, and closes on oversize frames', async () => {
  const c = consoleOf();
  const { ws } = await connect({ token: c.token });
  const ask = (payload: string) =>
    new Promise<unknown>((resolve) => {
      ws!.once('message', (d) => resolve(JSON.parse(String(d))));
      ws!.send(payload);
    });
  expect(await ask('{"jsonrpc":"2.0","id":0,"method":"app.info"}')).toMatchObject({ id: 0, result: { mode: 'server' } });
  expect(await ask('{"jsonrpc":"2.0","id":"x","method":"toString"}')).toMatchObject({ id: 'x', error: { code: -32601 } });
  expect(await ask('{"jsonrpc":"2.0","id":null,"method":"__proto__"}')).toMatchObject({ id: null, error: { code: -32601 } });
  expect(await ask('{not json')).toMatchObject({ id: null, error: { code: -32700 } });
  expect(await ask('[]')).toMatchObject({ id: null, error: { code: -32600 } });
  expect(await ask('{"jsonrpc":"2.0","id":1,"method":"app.openLogs","params":{"lines":"many"}}')).toMatchObject({ id: 1, error: { code: -32602 } });
  const closed = new Promise<number>((r) => ws!.once('close', (code) => r(code)));
  ws!.send('x'.repeat(2 * 1024 * 1024));
  expect(await closed).toBe(1009);
  // Only that socket: the server still serves others.
  const again = await connect({ token: c.token });
  expect(again.status).toBe(101);
  again.ws!.close();
  const res = await fetch(`${c.origin}/`, { method: 'POST' });
  expect(res.status).toBe(405);
  expect((await fetch(`${c.origin}/../../etc/passwd`)).status).toBe(404);
});
