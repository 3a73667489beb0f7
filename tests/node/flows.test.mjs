// The official stripe-node SDK against a running connect-sandbox (SANDBOX_PORT).
// Run through tests/node/test_node_sdk.py, which starts the server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Stripe from 'stripe';

import { expectOwnAndConnect, webhookReceiver } from './webhooks.mjs';

const port = Number(process.env.SANDBOX_PORT);
const platformKey = () => `sk_test_node_${Math.random().toString(36).slice(2)}`;
const client = (key) => new Stripe(key, {
  host: '127.0.0.1', port, protocol: 'http', maxNetworkRetries: 0,
});

async function platformWithSeller() {
  const stripe = client(platformKey());
  const seller = await stripe.accounts.create({ type: 'standard' });
  return { stripe, seller: seller.id, as: { stripeAccount: seller.id } };
}

test('token clone flow: platform card cloned and charged on a seller', async () => {
  const { stripe, as } = await platformWithSeller();
  const customer = await stripe.customers.create({ email: 'node@example.com', source: 'tok_visa' });
  const original = await stripe.customers.retrieveSource(customer.id, customer.default_source);
  const token = await stripe.tokens.create({ customer: customer.id }, as);
  assert.equal(token.type, 'card');
  assert.equal(token.card.fingerprint, original.fingerprint);
  assert.notEqual(token.card.id, original.id);
  const sellerCustomer = await stripe.customers.create({ source: token.id }, as);
  const charge = await stripe.charges.create({
    amount: 2500, currency: 'usd', customer: sellerCustomer.id,
    source: sellerCustomer.default_source,
  }, as);
  assert.equal(charge.status, 'succeeded');
  assert.equal(charge.source.fingerprint, original.fingerprint);
  // The charge lives on the seller only.
  const platformCharges = await stripe.charges.list({ customer: customer.id });
  assert.equal(platformCharges.data.length, 0);
  await assert.rejects(stripe.customers.create({ source: token.id }, as),
    (err) => err.type === 'StripeInvalidRequestError' && err.code === 'token_already_used');
});

test('PaymentMethod clone flow with a direct charge and an application fee', async () => {
  const { stripe, as } = await platformWithSeller();
  const customer = await stripe.customers.create({ email: 'pm@example.com' });
  const pm = await stripe.paymentMethods.attach('pm_card_visa', { customer: customer.id });
  const clone = await stripe.paymentMethods.create(
    { customer: customer.id, payment_method: pm.id }, as);
  assert.notEqual(clone.id, pm.id);
  assert.equal(clone.customer, null);
  assert.equal(clone.card.fingerprint, pm.card.fingerprint);
  const intent = await stripe.paymentIntents.create({
    amount: 10000, currency: 'usd', payment_method: clone.id, confirm: true,
    application_fee_amount: 1230, automatic_payment_methods: { enabled: true, allow_redirects: 'never' },
  }, as);
  assert.equal(intent.status, 'succeeded');
  const charge = await stripe.charges.retrieve(intent.latest_charge, { expand: ['application_fee'] }, as);
  assert.equal(charge.application_fee_amount, 1230);
  assert.equal(charge.application_fee.amount, 1230);
  const fees = await stripe.applicationFees.list({ charge: charge.id });
  assert.equal(fees.data.length, 1);
  // An unattached clone is single use.
  await assert.rejects(stripe.paymentIntents.create({
    amount: 1000, currency: 'usd', payment_method: clone.id, confirm: true,
    automatic_payment_methods: { enabled: true, allow_redirects: 'never' },
  }, as), (err) => err.type === 'StripeInvalidRequestError');
});

test('Sources clone flow', async () => {
  const { stripe, as } = await platformWithSeller();
  const source = await stripe.sources.create({ type: 'card', token: 'tok_visa' });
  const customer = await stripe.customers.create({ source: source.id });
  const clone = await stripe.sources.create({
    customer: customer.id, original_source: source.id, usage: 'single_use',
  }, as);
  assert.ok(clone.id.startsWith('src_'));
  assert.notEqual(clone.id, source.id);
  assert.equal(clone.card.fingerprint, source.card.fingerprint);
  const charge = await stripe.charges.create(
    { amount: 1500, currency: 'usd', source: clone.id }, as);
  assert.equal(charge.status, 'succeeded');
});

test('pagination with auto-paging', async () => {
  const stripe = client(platformKey());
  const created = [];
  for (let i = 0; i < 7; i += 1) {
    created.push((await stripe.customers.create({ email: `page${i}@example.com` })).id);
  }
  const firstPage = await stripe.customers.list({ limit: 3 });
  assert.equal(firstPage.data.length, 3);
  assert.equal(firstPage.has_more, true);
  const seen = [];
  for await (const customer of stripe.customers.list({ limit: 2 })) {
    seen.push(customer.id);
  }
  assert.deepEqual(seen, [...created].reverse());
});

test('a declined card gives a StripeCardError with the failed charge', async () => {
  const stripe = client(platformKey());
  await assert.rejects(
    stripe.charges.create({ amount: 2000, currency: 'usd', source: 'tok_chargeDeclinedInsufficientFunds' }),
    (err) => {
      assert.equal(err.type, 'StripeCardError');
      assert.equal(err.code, 'card_declined');
      assert.equal(err.decline_code, 'insufficient_funds');
      assert.match(err.raw.charge, /^ch_/);
      return true;
    });
});

// ---------------------------------------------------------------------------------------
// What a platform does with stripe-node, flow by flow.


const uid = () => Math.random().toString(36).slice(2);
const noRedirects = { enabled: true, allow_redirects: 'never' };
const stripeFee = (amount) => Math.floor((amount * 29 + 500) / 1000) + 30;

async function rejectsWith(promise, check) {
  await assert.rejects(promise, (err) => { check(err); return true; });
}

// Counts the HTTP attempts stripe-node makes for one idempotency key (one per retry).
function countAttempts(stripe, key) {
  const seen = [];
  stripe.on('request', (event) => { if (event.idempotency_key === key) seen.push(event); });
  return seen;
}

test('token clone of a chosen card, a direct charge with an application fee', async () => {
  const { stripe, seller, as } = await platformWithSeller();
  const customer = await stripe.customers.create({ source: 'tok_visa' });
  const second = await stripe.customers.createSource(customer.id, { source: 'tok_mastercard' });
  assert.equal(second.brand, 'MasterCard');
  const token = await stripe.tokens.create({ customer: customer.id, card: second.id }, as);
  assert.equal(token.card.fingerprint, second.fingerprint);
  assert.equal(token.card.last4, second.last4);
  assert.equal(token.lastResponse.stripeAccount, seller);
  const sellerCustomer = await stripe.customers.create({ source: token.id, email: 'c@example.com' }, as);
  const charge = await stripe.charges.create({
    amount: 1000, currency: 'usd', customer: sellerCustomer.id,
    source: sellerCustomer.default_source, application_fee_amount: 123,
  }, as);
  assert.equal(charge.application_fee_amount, 123);
  assert.match(charge.application_fee, /^fee_/);
  const fee = await stripe.applicationFees.retrieve(charge.application_fee);
  assert.equal(fee.amount, 123);
  assert.equal(fee.account, seller);
  // The seller keeps the rest, less Stripe's fee (funds are pending for now).
  const balance = await stripe.balance.retrieve({}, as);
  assert.equal(balance.pending[0].amount, 1000 - stripeFee(1000) - 123);
  // The original customer is untouched on the platform.
  const original = await stripe.customers.retrieve(customer.id);
  assert.equal(original.default_source, customer.default_source);
});

test('Source clone attached to a seller customer and charged twice', async () => {
  const { stripe, as } = await platformWithSeller();
  const source = await stripe.sources.create({ type: 'card', token: 'tok_visa' });
  const customer = await stripe.customers.create({ source: source.id });
  const clone = await stripe.sources.create({
    customer: customer.id, original_source: source.id, usage: 'reusable',
  }, as);
  assert.equal(clone.status, 'chargeable');
  assert.equal(clone.usage, 'reusable');
  const sellerCustomer = await stripe.customers.create({}, as);
  const attached = await stripe.customers.createSource(sellerCustomer.id, { source: clone.id }, as);
  assert.equal(attached.id, clone.id);
  for (const amount of [700, 800]) {
    const charge = await stripe.charges.create({
      amount, currency: 'usd', customer: sellerCustomer.id, source: clone.id,
    }, as);
    assert.equal(charge.status, 'succeeded');
    assert.equal(charge.source.id, clone.id);
  }
  const charges = await stripe.charges.list({ customer: sellerCustomer.id }, as);
  assert.deepEqual(charges.data.map((c) => c.amount), [800, 700]);
});

test('SetupIntent on the platform, PaymentMethod clone, off-session PaymentIntents on the seller', async () => {
  const { stripe, as } = await platformWithSeller();
  const customer = await stripe.customers.create({ name: 'Jenny Rosen' });
  const setup = await stripe.setupIntents.create({
    customer: customer.id, payment_method: 'pm_card_visa', confirm: true,
    automatic_payment_methods: noRedirects,
  });
  assert.equal(setup.status, 'succeeded');
  const saved = await stripe.paymentMethods.retrieve(setup.payment_method);
  assert.equal(saved.customer, customer.id);
  const clone = await stripe.paymentMethods.create(
    { customer: customer.id, payment_method: saved.id }, as);
  const sellerCustomer = await stripe.customers.create({ email: 'jenny@example.com' }, as);
  await stripe.paymentMethods.attach(clone.id, { customer: sellerCustomer.id }, as);
  const listed = await stripe.customers.listPaymentMethods(sellerCustomer.id, {}, as);
  assert.deepEqual(listed.data.map((pm) => pm.id), [clone.id]);
  for (let i = 0; i < 2; i += 1) {
    const intent = await stripe.paymentIntents.create({
      amount: 4200, currency: 'usd', customer: sellerCustomer.id, payment_method: clone.id,
      off_session: true, confirm: true, application_fee_amount: 200,
    }, as);
    assert.equal(intent.status, 'succeeded');
    assert.equal(intent.amount_received, 4200);
  }
  // The intent's charge, its customer and its balance transaction in one call.
  const [latest] = (await stripe.paymentIntents.list({ customer: sellerCustomer.id, limit: 1 }, as)).data;
  const charge = await stripe.charges.retrieve(latest.latest_charge, {
    expand: ['customer', 'balance_transaction', 'payment_intent'],
  }, as);
  assert.equal(charge.customer.id, sellerCustomer.id);
  assert.equal(charge.payment_intent.id, latest.id);
  assert.equal(charge.balance_transaction.amount, 4200);
  assert.equal(charge.balance_transaction.fee, stripeFee(4200) + 200);
  assert.equal(charge.payment_method_details.card.fingerprint, saved.card.fingerprint);
});

test('destination charge with an application fee, refunded with reverse_transfer', async () => {
  const { stripe, seller, as } = await platformWithSeller();
  const intent = await stripe.paymentIntents.create({
    amount: 10000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true,
    automatic_payment_methods: noRedirects, application_fee_amount: 1000,
    transfer_data: { destination: seller },
  });
  assert.equal(intent.status, 'succeeded');
  const charge = await stripe.charges.retrieve(intent.latest_charge, {
    expand: ['transfer', 'application_fee'],
  });
  assert.equal(charge.transfer.amount, 10000);
  assert.equal(charge.transfer.destination, seller);
  assert.equal(charge.application_fee.amount, 1000);
  const payment = await stripe.charges.retrieve(charge.transfer.destination_payment, {}, as);
  assert.match(payment.id, /^py_/);
  assert.equal(payment.amount, 10000);
  let sellerBalance = await stripe.balance.retrieve({}, as);
  assert.equal(sellerBalance.pending[0].amount, 9000);

  const partial = await stripe.refunds.create({
    charge: charge.id, amount: 2500, reverse_transfer: true, refund_application_fee: true,
  });
  assert.equal(partial.status, 'succeeded');
  assert.match(partial.transfer_reversal, /^trr_/);
  const reversal = await stripe.transfers.retrieveReversal(charge.transfer.id, partial.transfer_reversal);
  assert.equal(reversal.amount, 2500);
  assert.equal(reversal.source_refund, partial.id);
  let fee = await stripe.applicationFees.retrieve(charge.application_fee.id);
  assert.equal(fee.amount_refunded, 250);

  await stripe.refunds.create({ charge: charge.id, reverse_transfer: true, refund_application_fee: true });
  const transfer = await stripe.transfers.retrieve(charge.transfer.id);
  assert.equal(transfer.amount_reversed, 10000);
  assert.equal(transfer.reversed, true);
  fee = await stripe.applicationFees.retrieve(charge.application_fee.id);
  assert.equal(fee.refunded, true);
  const refunds = await stripe.refunds.list({ charge: charge.id });
  assert.deepEqual(refunds.data.map((r) => r.amount), [7500, 2500]);
  sellerBalance = await stripe.balance.retrieve({}, as);
  const total = sellerBalance.pending[0].amount + sellerBalance.available[0].amount;
  assert.equal(total, 0);
});

test('error classes: card, invalid request, permission, authentication, idempotency', async () => {
  const stripe = client(platformKey());
  await rejectsWith(
    stripe.paymentIntents.create({
      amount: 2000, currency: 'usd', payment_method: 'pm_card_visa_chargeDeclinedInsufficientFunds',
      confirm: true, automatic_payment_methods: noRedirects,
    }),
    (err) => {
      assert.ok(err instanceof Stripe.errors.StripeCardError);
      assert.equal(err.statusCode, 402);
      assert.equal(err.code, 'card_declined');
      assert.equal(err.decline_code, 'insufficient_funds');
      assert.equal(err.raw.payment_intent.status, 'requires_payment_method');
      assert.match(err.requestId, /^req_/);
      assert.equal(err.headers['request-id'], err.requestId);
    });
  await rejectsWith(stripe.charges.create({ currency: 'usd', source: 'tok_visa' }), (err) => {
    assert.ok(err instanceof Stripe.errors.StripeInvalidRequestError);
    assert.equal(err.statusCode, 400);
    assert.equal(err.param, 'amount');
    assert.equal(err.code, 'parameter_missing');
  });
  await rejectsWith(stripe.customers.create({ colour: 'blue' }), (err) => {
    assert.equal(err.type, 'StripeInvalidRequestError');
    assert.equal(err.param, 'colour');
    assert.match(err.message, /Received unknown parameter: colour/);
  });
  await rejectsWith(stripe.customers.retrieve('cus_doesnotexist'), (err) => {
    assert.equal(err.type, 'StripeInvalidRequestError');
    assert.equal(err.statusCode, 404);
    assert.equal(err.code, 'resource_missing');
    assert.equal(err.param, 'id');
  });
  await rejectsWith(stripe.customers.list({}, { stripeAccount: 'acct_1NotConnected000' }), (err) => {
    assert.ok(err instanceof Stripe.errors.StripePermissionError);
    assert.equal(err.statusCode, 403);
    assert.equal(err.code, 'account_invalid');
  });
  await rejectsWith(client('sk_live_not_in_the_sandbox').customers.list(), (err) => {
    assert.ok(err instanceof Stripe.errors.StripeAuthenticationError);
    assert.equal(err.statusCode, 401);
  });
  const key = `node-idem-${uid()}`;
  await stripe.customers.create({ name: 'First' }, { idempotencyKey: key });
  await rejectsWith(stripe.customers.create({ name: 'Second' }, { idempotencyKey: key }), (err) => {
    assert.ok(err instanceof Stripe.errors.StripeIdempotencyError);
    assert.equal(err.statusCode, 400);
    assert.equal(err.headers['idempotency-key'], key);
  });
});

test('auto-pagination: for await, autoPagingToArray, autoPagingEach, on a seller', async () => {
  const { stripe, as } = await platformWithSeller();
  const created = [];
  for (let i = 0; i < 5; i += 1) {
    created.push((await stripe.customers.create({ email: `p${i}@example.com`, source: 'tok_visa' }, as)).id);
  }
  const newestFirst = [...created].reverse();
  const all = await stripe.customers.list({ limit: 2 }, as).autoPagingToArray({ limit: 100 });
  assert.deepEqual(all.map((c) => c.id), newestFirst);
  const capped = await stripe.customers.list({ limit: 2 }, as).autoPagingToArray({ limit: 3 });
  assert.deepEqual(capped.map((c) => c.id), newestFirst.slice(0, 3));
  const seen = [];
  await stripe.customers.list({ limit: 2, expand: ['data.default_source'] }, as)
    .autoPagingEach((customer) => { seen.push(customer.default_source.object); });
  assert.deepEqual(seen, ['card', 'card', 'card', 'card', 'card']);
  const fromAfter = [];
  for await (const customer of stripe.customers.list({ limit: 2, starting_after: newestFirst[1] }, as)) {
    fromAfter.push(customer.id);
  }
  assert.deepEqual(fromAfter, newestFirst.slice(2));
  // None of them is on the platform.
  assert.equal((await stripe.customers.list()).data.length, 0);
});

test('webhooks: a signed delivery to a Node server verifies with constructEvent', async () => {
  const { stripe, seller, as } = await platformWithSeller();
  const { received, base, close } = await webhookReceiver();
  try {
    const own = await stripe.webhookEndpoints.create({ url: `${base}/own`, enabled_events: ['customer.created'] });
    const connect = await stripe.webhookEndpoints.create({
      url: `${base}/connect`, enabled_events: ['customer.created'], connect: true,
    });
    assert.match(own.secret, /^whsec_/);
    const mine = await stripe.customers.create({ email: 'hook@example.com' });
    const theirs = await stripe.customers.create({ email: 'seller-hook@example.com' }, as);
    const { event, byPath } = await expectOwnAndConnect(
      stripe, received, { own, connect, seller, mine, theirs, type: 'customer.created' });
    // The event is the one the API lists.
    const listed = await stripe.events.retrieve(event.id);
    assert.equal(listed.data.object.id, mine.id);
    // A tampered body or another endpoint's secret fails verification.
    const tampered = Buffer.from(byPath['/own'].body.toString().replace(mine.id, 'cus_forged'));
    assert.throws(() => stripe.webhooks.constructEvent(tampered, byPath['/own'].signature, own.secret),
      Stripe.errors.StripeSignatureVerificationError);
    assert.throws(() => stripe.webhooks.constructEvent(byPath['/own'].body, byPath['/own'].signature, connect.secret),
      Stripe.errors.StripeSignatureVerificationError);
  } finally {
    close();
  }
  // The SDK's own test header verifies the same way.
  const payload = JSON.stringify({ id: 'evt_local', object: 'event', type: 'customer.created' });
  const header = stripe.webhooks.generateTestHeaderString({ payload, secret: 'whsec_local' });
  assert.equal(stripe.webhooks.constructEvent(payload, header, 'whsec_local').id, 'evt_local');
});

test('idempotency: explicit keys replay, the SDK keys every POST', async () => {
  const { stripe, seller, as } = await platformWithSeller();
  const key = `node-order-${uid()}`;
  const first = await stripe.charges.create(
    { amount: 1500, currency: 'usd', source: 'tok_visa' }, { ...as, idempotencyKey: key });
  const again = await stripe.charges.create(
    { amount: 1500, currency: 'usd', source: 'tok_visa' }, { ...as, idempotencyKey: key });
  assert.equal(again.id, first.id);
  assert.equal(again.lastResponse.headers['idempotent-replayed'], 'true');
  assert.equal(again.lastResponse.headers['original-request'], first.lastResponse.requestId);
  assert.notEqual(again.lastResponse.requestId, first.lastResponse.requestId);
  assert.equal(first.lastResponse.idempotencyKey, key);
  assert.equal(first.lastResponse.stripeAccount, seller);
  assert.equal((await stripe.charges.list({}, as)).data.length, 1);
  // Without a key the SDK sends its own, and the answer carries it.
  const customer = await stripe.customers.create({});
  assert.match(customer.lastResponse.idempotencyKey, /^stripe-node-retry-/);
  assert.equal(customer.lastResponse.headers['stripe-should-retry'], 'false');
  // The same key on another account is another request.
  const mine = await stripe.charges.create(
    { amount: 1500, currency: 'usd', source: 'tok_visa' }, { idempotencyKey: key });
  assert.notEqual(mine.id, first.id);
});

test('lastResponse: request id, headers, API version, status', async () => {
  const stripe = new Stripe(platformKey(), {
    host: '127.0.0.1', port, protocol: 'http', maxNetworkRetries: 0, apiVersion: '2023-08-16',
  });
  const customer = await stripe.customers.create({ email: 'v@example.com' });
  const response = customer.lastResponse;
  assert.match(response.requestId, /^req_/);
  assert.equal(response.headers['request-id'], response.requestId);
  assert.equal(response.apiVersion, '2023-08-16');
  assert.equal(response.statusCode, 200);
  assert.equal(response.headers['cache-control'], 'no-cache, no-store');
  assert.equal(response.headers['access-control-allow-origin'], '*');
  const latest = await stripe.customers.retrieve(customer.id, {}, { apiVersion: '2026-10-28.endive' });
  assert.equal(latest.lastResponse.apiVersion, '2026-10-28.endive');
});

test('stripeContext names the connected account like stripeAccount', async () => {
  const key = platformKey();
  const stripe = client(key);
  const seller = (await stripe.accounts.create({ type: 'express' })).id;
  const as = { stripeAccount: seller };
  const customer = await stripe.customers.create({ email: 'ctx@example.com' }, { stripeContext: seller });
  const seen = await stripe.customers.retrieve(customer.id, {}, as);
  assert.equal(seen.id, customer.id);
  await rejectsWith(stripe.customers.retrieve(customer.id), (err) => {
    assert.equal(err.statusCode, 404);
  });
  // A client made for the seller's context.
  const scoped = new Stripe(key, {
    host: '127.0.0.1', port, protocol: 'http', maxNetworkRetries: 0, stripeContext: seller,
  });
  const listed = await scoped.customers.list();
  assert.deepEqual(listed.data.map((c) => c.id), [customer.id]);
});

// The three tests below depend on tests/node/test_node_sdk.py, which injects faults for
// requests carrying an `X-Test-Fault` header (another request holding the idempotency
// key; an unexpected server error), as a busy or failing Stripe would answer. It sets
// SANDBOX_FAULTS; against a server without it they cannot run.
const faults = { skip: process.env.SANDBOX_FAULTS === '1' ? false : 'needs test_node_sdk.py (SANDBOX_FAULTS)' };

test('maxNetworkRetries: a 409 for a key in use is retried with the same key', faults, async () => {
  const stripe = client(platformKey());
  const key = `node-busy-${uid()}`;
  const attempts = countAttempts(stripe, key);
  const customer = await stripe.customers.create({ name: 'Busy' }, {
    idempotencyKey: key, maxNetworkRetries: 2, headers: { 'X-Test-Fault': `busy-once-${key}` },
  });
  assert.equal(customer.name, 'Busy');
  assert.equal(attempts.length, 2);
  assert.equal(customer.lastResponse.headers['original-request'], customer.lastResponse.requestId);
  assert.equal((await stripe.customers.list()).data.length, 1);
  // Without retries the 409 surfaces, with Stripe's advice to retry.
  const other = `node-busy-${uid()}`;
  await rejectsWith(stripe.customers.create({ name: 'Busy' }, {
    idempotencyKey: other, headers: { 'X-Test-Fault': `busy-once-${other}` },
  }), (err) => {
    assert.equal(err.type, 'StripeAPIError');
    assert.equal(err.statusCode, 409);
    assert.equal(err.code, 'idempotency_key_in_use');
    assert.equal(err.headers['stripe-should-retry'], 'true');
  });
});

test('maxNetworkRetries: a GET that failed with a 500 is retried', faults, async () => {
  const stripe = client(platformKey());
  const attempts = [];
  stripe.on('request', (event) => { if (event.method === 'GET') attempts.push(event); });
  const list = await stripe.customers.list({}, {
    maxNetworkRetries: 2, headers: { 'X-Test-Fault': `fail-once-${uid()}` },
  });
  assert.equal(list.object, 'list');
  assert.equal(attempts.length, 2);
});

test('maxNetworkRetries: a POST that failed with a 500 is not retried (Stripe-Should-Retry: false)', faults, async () => {
  const stripe = client(platformKey());
  const key = `node-fail-${uid()}`;
  const attempts = countAttempts(stripe, key);
  await rejectsWith(stripe.customers.create({ name: 'Boom' }, {
    idempotencyKey: key, maxNetworkRetries: 2, headers: { 'X-Test-Fault': 'fail-always' },
  }), (err) => {
    assert.equal(err.type, 'StripeAPIError');
    assert.equal(err.statusCode, 500);
    assert.equal(err.headers['stripe-should-retry'], 'false');
  });
  assert.equal(attempts.length, 1);
});
