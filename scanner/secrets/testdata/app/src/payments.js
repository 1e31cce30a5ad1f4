const stripe = require("stripe")("{{STRIPE_LIVE_KEY}}");

// Refunds an expense paid by card.
async function refund(paymentIntent) {
  return stripe.refunds.create({ payment_intent: paymentIntent });
}

// The key everyone sees in process.env is the right way:
const fromEnv = process.env.STRIPE_SECRET_KEY;

module.exports = { refund, fromEnv };
