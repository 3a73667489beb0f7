// Start stripe-stateful-mock (in memory: it has no other mode) on 127.0.0.1 only; its own
// CLI listens on every interface. LOG_LEVEL=silent keeps per-request logging out of it.
//   node benchmarks/peers/stripe_stateful_mock.js PORT
const log = require("loglevel");
log.setLevel(process.env.LOG_LEVEL || "silent");
const { createExpressApp } = require("stripe-stateful-mock");
const port = +process.argv[2];
createExpressApp().listen(port, "127.0.0.1", () => {
  console.log(`stripe-stateful-mock listening on 127.0.0.1:${port}`);
});
