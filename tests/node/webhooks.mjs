// Shared by the stripe-node tests: a local HTTP server standing for a platform's webhook
// receiver, and the check both test files make of a platform endpoint and a Connect
// endpoint receiving one event each.
import http from 'node:http';
import assert from 'node:assert/strict';

export const sleep = (ms) => new Promise((resolve) => { setTimeout(resolve, ms); });

// Records every POST: { path, body (raw Buffer, as constructEvent needs it), signature }.
export async function webhookReceiver() {
  const received = [];
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      received.push({ path: req.url, body: Buffer.concat(chunks), signature: req.headers['stripe-signature'] });
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end('{"received": true}');
    });
  });
  await new Promise((resolve) => { server.listen(0, '127.0.0.1', resolve); });
  return { received, base: `http://127.0.0.1:${server.address().port}`, close: () => server.close() };
}

// Waits for one delivery to /own (the platform's endpoint, about `mine`) and one to
// /connect (its Connect endpoint, about `theirs` on `seller`), verifies both signatures
// with their own endpoint's secret, and returns the two events.
export async function expectOwnAndConnect(stripe, received, { own, connect, seller, mine, theirs, type }) {
  const deadline = Date.now() + 15000;
  while (received.length < 2 && Date.now() < deadline) await sleep(25);
  assert.equal(received.length, 2);
  const byPath = Object.fromEntries(received.map((r) => [r.path, r]));
  const event = stripe.webhooks.constructEvent(byPath['/own'].body, byPath['/own'].signature, own.secret);
  assert.equal(event.type, type);
  assert.equal(event.data.object.id, mine.id);
  assert.equal(event.account, undefined);
  const connectEvent = stripe.webhooks.constructEvent(
    byPath['/connect'].body, byPath['/connect'].signature, connect.secret);
  assert.equal(connectEvent.type, type);
  assert.equal(connectEvent.account, seller);
  assert.equal(connectEvent.data.object.id, theirs.id);
  return { event, connectEvent, byPath };
}
