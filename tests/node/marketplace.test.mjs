// A Connect marketplace built with stripe-node, end to end, against connect-sandbox
// (SANDBOX_PORT; run through tests/node/test_node_sdk.py, which starts the server).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Stripe from 'stripe';

import { expectOwnAndConnect, webhookReceiver } from './webhooks.mjs';

const port = Number(process.env.SANDBOX_PORT);
const client = () => new Stripe(`sk_test_market_${Math.random().toString(36).slice(2)}`, {
  host: '127.0.0.1', port, protocol: 'http', maxNetworkRetries: 0,
});
const noRedirects = { enabled: true, allow_redirects: 'never' };
const stripeFee = (amount) => Math.floor((amount * 29 + 500) / 1000) + 30;
const card = { card_payments: { requested: true }, transfers: { requested: true } };

async function rejectsWith(promise, check) {
  await assert.rejects(promise, (err) => { check(err); return true; });
}

test('connected accounts: types and their controller, links, capabilities, external accounts', async () => {
  const stripe = client();
  const express = await stripe.accounts.create({ type: 'express', capabilities: card });
  const custom = await stripe.accounts.create({ type: 'custom', capabilities: card });
  const standard = await stripe.accounts.create({ type: 'standard' });
  // Stripe's controller for each account type (requirements of Standard and Express
  // accounts are collected by Stripe; application_express/custom mark the fee payer).
  assert.deepEqual(express.controller, {
    is_controller: true, type: 'application', fees: { payer: 'application_express' },
    losses: { payments: 'application' }, requirement_collection: 'stripe',
    stripe_dashboard: { type: 'express' },
  });
  assert.deepEqual(custom.controller, {
    is_controller: true, type: 'application', fees: { payer: 'application_custom' },
    losses: { payments: 'application' }, requirement_collection: 'application',
    stripe_dashboard: { type: 'none' },
  });
  assert.equal(standard.controller.fees.payer, 'account');
  assert.equal(standard.controller.requirement_collection, 'stripe');
  assert.equal(standard.controller.stripe_dashboard.type, 'full');
  // Controller properties: the documented defaults fill what is not given.
  const viaController = await stripe.accounts.create({
    controller: { stripe_dashboard: { type: 'express' }, fees: { payer: 'application' } },
  });
  assert.deepEqual(viaController.controller.losses, { payments: 'stripe' });
  assert.equal(viaController.controller.requirement_collection, 'stripe');
  assert.equal(viaController.controller.fees.payer, 'application');

  const link = await stripe.accountLinks.create({
    account: express.id, refresh_url: 'https://example.com/reauth',
    return_url: 'https://example.com/return', type: 'account_onboarding',
  });
  assert.equal(link.object, 'account_link');
  assert.ok(link.expires_at > link.created);
  assert.match(link.url, /^https?:\/\//);
  await rejectsWith(stripe.accountLinks.create({ account: express.id, type: 'account_onboarding' }),
    (err) => {
      assert.equal(err.statusCode, 400);
      assert.equal(err.code, 'parameter_missing');
      assert.equal(err.param, 'refresh_url');
    });
  const login = await stripe.accounts.createLoginLink(express.id);
  assert.equal(login.object, 'login_link');
  await rejectsWith(stripe.accounts.createLoginLink(standard.id), (err) => {
    assert.equal(err.type, 'StripeInvalidRequestError');
    assert.equal(err.statusCode, 400);
  });

  const capability = await stripe.accounts.retrieveCapability(custom.id, 'card_payments');
  assert.equal(capability.object, 'capability');
  assert.equal(capability.account, custom.id);
  assert.equal(capability.requested, true);
  assert.equal(capability.status, 'active');
  const ach = await stripe.accounts.updateCapability(custom.id, 'us_bank_account_ach_payments',
    { requested: true });
  assert.equal(ach.requested, true);
  const capabilities = await stripe.accounts.listCapabilities(custom.id);
  assert.ok(capabilities.data.map((c) => c.id).includes('us_bank_account_ach_payments'));

  // Stripe's Connect test bank token, then a second account in the same currency.
  const bank = await stripe.accounts.createExternalAccount(custom.id, { external_account: 'btok_us_verified' });
  assert.equal(bank.object, 'bank_account');
  assert.equal(bank.account, custom.id);
  assert.equal(bank.last4, '6789');
  assert.equal(bank.routing_number, '110000000');
  assert.equal(bank.default_for_currency, true);
  const second = await stripe.accounts.createExternalAccount(custom.id, {
    external_account: {
      object: 'bank_account', country: 'US', currency: 'usd',
      routing_number: '110000000', account_number: '000111111116',
    },
  });
  assert.equal(second.default_for_currency, false);
  const banks = await stripe.accounts.listExternalAccounts(custom.id, { object: 'bank_account' });
  assert.deepEqual(new Set(banks.data.map((b) => b.id)), new Set([bank.id, second.id]));
  const debit = await stripe.accounts.createExternalAccount(custom.id, { external_account: 'tok_visa_debit' });
  assert.equal(debit.object, 'card');
  assert.equal(debit.funding, 'debit');
});

test('platform PaymentMethod cloned to a seller: manual capture with a fee, then a cancel', async () => {
  const stripe = client();
  const seller = (await stripe.accounts.create({ type: 'standard' })).id;
  const as = { stripeAccount: seller };
  const customer = await stripe.customers.create({ email: 'buyer@example.com', source: 'tok_visa' });
  const pm = await stripe.paymentMethods.attach('pm_card_visa', { customer: customer.id });
  const clone = await stripe.paymentMethods.create({ customer: customer.id, payment_method: pm.id }, as);
  assert.equal(clone.card.fingerprint, pm.card.fingerprint);
  assert.equal(clone.lastResponse.stripeAccount, seller);

  const intent = await stripe.paymentIntents.create({
    amount: 5000, currency: 'usd', payment_method: clone.id, confirm: true,
    capture_method: 'manual', application_fee_amount: 500, automatic_payment_methods: noRedirects,
  }, as);
  assert.equal(intent.status, 'requires_capture');
  assert.equal(intent.amount_capturable, 5000);
  assert.equal(intent.application_fee_amount, 500);
  const captured = await stripe.paymentIntents.capture(intent.id, { amount_to_capture: 4000 }, as);
  assert.equal(captured.status, 'succeeded');
  assert.equal(captured.amount_received, 4000);
  assert.equal(captured.amount_capturable, 0);
  const charge = await stripe.charges.retrieve(captured.latest_charge, {
    expand: ['balance_transaction', 'application_fee'],
  }, as);
  assert.equal(charge.captured, true);
  assert.equal(charge.amount_captured, 4000);
  assert.equal(charge.application_fee.amount, 500);
  assert.equal(charge.balance_transaction.amount, 4000);
  assert.equal(charge.balance_transaction.type, 'charge');
  assert.equal(charge.balance_transaction.fee, stripeFee(4000) + 500);
  assert.equal(charge.balance_transaction.net, 4000 - stripeFee(4000) - 500);
  assert.deepEqual(charge.balance_transaction.fee_details.map((d) => d.type).sort(),
    ['application_fee', 'stripe_fee']);
  // The same intent, expanded in one call from the PaymentIntent.
  const deep = await stripe.paymentIntents.retrieve(intent.id, {
    expand: ['latest_charge.balance_transaction'],
  }, as);
  assert.equal(deep.latest_charge.balance_transaction.id, charge.balance_transaction.id);

  const other = await stripe.paymentIntents.create({
    amount: 1200, currency: 'usd', payment_method_types: ['card'], capture_method: 'manual',
  }, as);
  const canceled = await stripe.paymentIntents.cancel(other.id, { cancellation_reason: 'abandoned' }, as);
  assert.equal(canceled.status, 'canceled');
  assert.equal(canceled.cancellation_reason, 'abandoned');
  assert.ok(canceled.canceled_at > 0);
  await rejectsWith(stripe.paymentIntents.capture(other.id, {}, as), (err) => {
    assert.equal(err.statusCode, 400);
    assert.equal(err.code, 'payment_intent_unexpected_state');
  });
  // The platform's fee, seen from the platform.
  const fee = await stripe.applicationFees.retrieve(charge.application_fee.id);
  assert.equal(fee.account, seller);
  assert.equal(fee.charge, charge.id);
  const platformTxn = await stripe.balanceTransactions.retrieve(fee.balance_transaction);
  assert.equal(platformTxn.type, 'application_fee');
  assert.equal(platformTxn.amount, 500);
  assert.equal(platformTxn.source, fee.id);
});

test('destination charges: on_behalf_of, transfer_data[amount], refunds with reversals', async () => {
  const stripe = client();
  const seller = (await stripe.accounts.create({ type: 'express', capabilities: card })).id;
  const as = { stripeAccount: seller };
  const intent = await stripe.paymentIntents.create({
    amount: 10000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true,
    automatic_payment_methods: noRedirects, on_behalf_of: seller,
    transfer_data: { destination: seller, amount: 8700 },
  });
  assert.equal(intent.on_behalf_of, seller);
  assert.deepEqual(intent.transfer_data, { destination: seller, amount: 8700 });
  const charge = await stripe.charges.retrieve(intent.latest_charge, { expand: ['transfer', 'balance_transaction'] });
  assert.equal(charge.on_behalf_of, seller);
  assert.equal(charge.transfer.amount, 8700);
  assert.equal(charge.transfer.destination, seller);
  assert.equal(charge.balance_transaction.type, 'charge');
  assert.equal(charge.balance_transaction.fee, stripeFee(10000));
  const payment = await stripe.charges.retrieve(charge.transfer.destination_payment,
    { expand: ['balance_transaction'] }, as);
  assert.equal(payment.amount, 8700);
  assert.equal(payment.balance_transaction.type, 'payment');
  assert.equal(payment.balance_transaction.net, 8700);
  await rejectsWith(stripe.paymentIntents.create({
    amount: 1000, currency: 'usd', payment_method_types: ['card'],
    application_fee_amount: 100, transfer_data: { destination: seller, amount: 800 },
  }), (err) => { assert.equal(err.statusCode, 400); });

  const refund = await stripe.refunds.create({ charge: charge.id, amount: 5000, reverse_transfer: true });
  assert.equal(refund.status, 'succeeded');
  const reversal = await stripe.transfers.retrieveReversal(charge.transfer.id, refund.transfer_reversal);
  // A partial refund reverses the transfer in proportion: 5000 of 10000 -> 4350 of 8700.
  assert.equal(reversal.amount, 4350);
  const transfer = await stripe.transfers.retrieve(charge.transfer.id);
  assert.equal(transfer.amount_reversed, 4350);
  assert.equal(transfer.reversed, false);
});

test('separate charges and transfers: transfer_group, source_transaction, balances', async () => {
  const stripe = client();
  const sellers = [];
  for (const type of ['express', 'custom']) {
    sellers.push((await stripe.accounts.create({ type, capabilities: card })).id);
  }
  const group = `ORDER_${Math.random().toString(36).slice(2)}`;
  const intent = await stripe.paymentIntents.create({
    amount: 10000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true,
    automatic_payment_methods: noRedirects, transfer_group: group,
  });
  assert.equal(intent.transfer_group, group);
  // The platform's funds are still pending: without source_transaction it cannot pay.
  await rejectsWith(stripe.transfers.create({
    amount: 7000, currency: 'usd', destination: sellers[0], transfer_group: group,
  }), (err) => {
    assert.equal(err.statusCode, 400);
    assert.equal(err.code, 'balance_insufficient');
  });
  const first = await stripe.transfers.create({
    amount: 7000, currency: 'usd', destination: sellers[0], transfer_group: group,
    source_transaction: intent.latest_charge,
  });
  const second = await stripe.transfers.create({
    amount: 2000, currency: 'usd', destination: sellers[1], transfer_group: group,
    source_transaction: intent.latest_charge,
  });
  assert.equal(first.source_transaction, intent.latest_charge);
  await rejectsWith(stripe.transfers.create({
    amount: 1500, currency: 'usd', destination: sellers[1], source_transaction: intent.latest_charge,
  }), (err) => { assert.equal(err.statusCode, 400); assert.equal(err.param, 'amount'); });
  const inGroup = await stripe.transfers.list({ transfer_group: group });
  assert.deepEqual(inGroup.data.map((t) => t.id), [second.id, first.id]);
  const platformTxns = await stripe.balanceTransactions.list({ type: 'transfer' });
  assert.deepEqual(platformTxns.data.map((t) => [t.amount, t.source]).sort(),
    [[-2000, second.id], [-7000, first.id]].sort());
  const sellerBalance = await stripe.balance.retrieve({}, { stripeAccount: sellers[0] });
  assert.equal(sellerBalance.pending[0].amount + sellerBalance.available[0].amount, 7000);
  const received = await stripe.balanceTransactions.list({}, { stripeAccount: sellers[0] });
  assert.equal(received.data[0].type, 'payment');
  assert.equal(received.data[0].amount, 7000);
  const platform = await stripe.balance.retrieve();
  assert.equal(platform.pending[0].amount + platform.available[0].amount,
    10000 - stripeFee(10000) - 9000);
});

test('direct charge refund with refund_application_fee; fee refunds by hand', async () => {
  const stripe = client();
  const seller = (await stripe.accounts.create({ type: 'standard' })).id;
  const as = { stripeAccount: seller };
  const make = () => stripe.paymentIntents.create({
    amount: 2000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true,
    automatic_payment_methods: noRedirects, application_fee_amount: 300,
  }, as);
  const one = await make();
  const refund = await stripe.refunds.create({ payment_intent: one.id, refund_application_fee: true }, as);
  assert.equal(refund.amount, 2000);
  const charge = await stripe.charges.retrieve(one.latest_charge, {}, as);
  assert.equal(charge.refunded, true);
  let fee = await stripe.applicationFees.retrieve(charge.application_fee);
  assert.equal(fee.refunded, true);
  assert.equal(fee.amount_refunded, 300);

  const two = await make();
  const twoCharge = await stripe.charges.retrieve(two.latest_charge, {}, as);
  const feeRefund = await stripe.applicationFees.createRefund(twoCharge.application_fee, { amount: 100 });
  assert.equal(feeRefund.object, 'fee_refund');
  assert.equal(feeRefund.amount, 100);
  assert.equal(feeRefund.fee, twoCharge.application_fee);
  const again = await stripe.applicationFees.retrieveRefund(twoCharge.application_fee, feeRefund.id);
  assert.equal(again.id, feeRefund.id);
  fee = await stripe.applicationFees.retrieve(twoCharge.application_fee);
  assert.equal(fee.amount_refunded, 100);
  assert.equal(fee.refunded, false);
  await rejectsWith(stripe.applicationFees.createRefund(twoCharge.application_fee, { amount: 500 }),
    (err) => { assert.equal(err.statusCode, 400); assert.equal(err.param, 'amount'); });
  const fees = [];
  for await (const f of stripe.applicationFees.list({ limit: 1 })) fees.push(f.id);
  assert.deepEqual(fees, [twoCharge.application_fee, charge.application_fee]);
  const refundTxns = await stripe.balanceTransactions.list({ type: 'application_fee_refund' });
  assert.deepEqual(refundTxns.data.map((t) => t.amount).sort((a, b) => a - b), [-300, -100]);
  // The seller's side: charge, refund, and the fee refunds credited back.
  const types = [];
  await stripe.balanceTransactions.list({ limit: 2 }, as).autoPagingEach((t) => { types.push(t.type); });
  assert.ok(types.includes('refund') && types.includes('application_fee_refund'), types.join());
});

test('webhooks for the platform and its connected accounts, verified with constructEvent', async () => {
  const stripe = client();
  const seller = (await stripe.accounts.create({ type: 'express', capabilities: card })).id;
  const { received, base, close } = await webhookReceiver();
  try {
    const own = await stripe.webhookEndpoints.create({ url: `${base}/own`, enabled_events: ['payment_intent.succeeded'] });
    const connect = await stripe.webhookEndpoints.create({
      url: `${base}/connect`, enabled_events: ['payment_intent.succeeded'], connect: true,
    });
    assert.equal(own.application, null);
    const mine = await stripe.paymentIntents.create({
      amount: 900, currency: 'usd', payment_method: 'pm_card_visa', confirm: true,
      automatic_payment_methods: noRedirects,
    });
    const theirs = await stripe.paymentIntents.create({
      amount: 800, currency: 'usd', payment_method: 'pm_card_visa', confirm: true,
      automatic_payment_methods: noRedirects,
    }, { stripeAccount: seller });
    const { event, connectEvent: connected } = await expectOwnAndConnect(
      stripe, received, { own, connect, seller, mine, theirs, type: 'payment_intent.succeeded' });
    // The connected account's events, listed through the header, carry `account`.
    const listed = await stripe.events.list({ type: 'payment_intent.succeeded' }, { stripeAccount: seller });
    assert.deepEqual(listed.data.map((e) => [e.id, e.account]), [[connected.id, seller]]);
    const platformEvents = await stripe.events.list({ type: 'payment_intent.succeeded' });
    assert.deepEqual(platformEvents.data.map((e) => e.id), [event.id]);
  } finally {
    close();
  }
});

test('search, idempotent replays and errors as a platform sees them', async () => {
  const stripe = client();
  const seller = (await stripe.accounts.create({ type: 'standard' })).id;
  const as = { stripeAccount: seller };
  const order = `o${Math.random().toString(36).slice(2)}`;
  const key = `pi-${order}`;
  const params = {
    amount: 3100, currency: 'usd', payment_method: 'pm_card_visa', confirm: true,
    automatic_payment_methods: noRedirects, metadata: { order },
  };
  const paid = await stripe.paymentIntents.create(params, { ...as, idempotencyKey: key });
  const replay = await stripe.paymentIntents.create(params, { ...as, idempotencyKey: key });
  assert.equal(replay.id, paid.id);
  assert.equal(replay.lastResponse.headers['idempotent-replayed'], 'true');
  const found = await stripe.paymentIntents.search({ query: `metadata['order']:'${order}'` }, as);
  assert.equal(found.object, 'search_result');
  assert.deepEqual(found.data.map((p) => p.id), [paid.id]);
  const charges = await stripe.charges.search({ query: `amount>3000 AND status:'succeeded'` }, as);
  assert.deepEqual(charges.data.map((c) => c.id), [paid.latest_charge]);
  assert.equal((await stripe.paymentIntents.search({ query: `metadata['order']:'${order}'` })).data.length, 0);

  await rejectsWith(stripe.paymentIntents.create({
    amount: 2000, currency: 'usd', payment_method: 'pm_card_chargeDeclined', confirm: true,
    automatic_payment_methods: noRedirects,
  }, as), (err) => {
    assert.ok(err instanceof Stripe.errors.StripeCardError);
    assert.equal(err.type, 'StripeCardError');
    assert.equal(err.statusCode, 402);
    assert.equal(err.code, 'card_declined');
    assert.equal(err.decline_code, 'generic_decline');
    assert.equal(err.raw.message, 'Your card was declined.');
    assert.match(err.requestId, /^req_/);
    assert.equal(err.raw.payment_intent.status, 'requires_payment_method');
  });
  await rejectsWith(stripe.charges.create({ amount: 2000, currency: 'usd', card: {
    number: '4000000000000002', exp_month: 12, exp_year: 2034, cvc: '123' } }), (err) => {
    assert.equal(err.code, 'card_declined');
    assert.match(err.raw.charge, /^ch_/);
  });
  await rejectsWith(stripe.paymentIntents.create({ currency: 'usd' }, as), (err) => {
    assert.ok(err instanceof Stripe.errors.StripeInvalidRequestError);
    assert.equal(err.statusCode, 400);
    assert.equal(err.code, 'parameter_missing');
    assert.equal(err.param, 'amount');
    assert.equal(err.raw.message, 'Missing required param: amount.');
  });
  // Another seller's object, or the seller's object read from the platform, is missing.
  const other = (await stripe.accounts.create({ type: 'standard' })).id;
  for (const opts of [{ stripeAccount: other }, {}]) {
    await rejectsWith(stripe.paymentIntents.retrieve(paid.id, {}, opts), (err) => {
      assert.equal(err.statusCode, 404);
      assert.equal(err.code, 'resource_missing');
      assert.equal(err.param, 'intent');
      assert.equal(err.raw.message, `No such payment_intent: '${paid.id}'`);
    });
  }
  await rejectsWith(client().accounts.retrieve(seller), (err) => {
    assert.ok(err instanceof Stripe.errors.StripePermissionError);
    assert.equal(err.statusCode, 403);
    assert.equal(err.code, 'account_invalid');
  });
});
