// The official stripe-node SDK against a running connect-sandbox (SANDBOX_PORT).
// Run through tests/node/test_node_sdk.py, which starts the server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Stripe from 'stripe';

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
