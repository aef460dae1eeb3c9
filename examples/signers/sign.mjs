// woesid: sign a visitor's identity in a Node.js backend (jsonwebtoken, node:crypto).
//   node sign.mjs SECRET WIDGET_KEY EMAIL NAME ACCOUNT_ID CONTACT_ID
// prints the token for a `jwt` widget, then the email_hash for an `hmac_email` one.
import { createHmac } from "node:crypto";
import jwt from "jsonwebtoken";

export function widgetIdentity(user, secret, widgetKey) {
  const email = user.email.trim().toLowerCase();
  const now = Math.floor(Date.now() / 1000); // seconds, not milliseconds
  // jwt: the key is the secret string itself; at most 15 minutes of life
  const token = jwt.sign({
    email, name: user.name, account_external_id: user.accountId, contact_external_id: user.id,
    aud: widgetKey, iat: now, exp: now + 10 * 60,
  }, secret, { algorithm: "HS256" });
  // hmac_email: the key is the secret hex-decoded
  const emailHash = createHmac("sha256", Buffer.from(secret, "hex")).update(email).digest("hex");
  return { token, emailHash };
}

const [secret, widgetKey, email, name, accountId, id] = process.argv.slice(2);
const { token, emailHash } = widgetIdentity({ email, name, accountId, id }, secret, widgetKey);
console.log(`${token}\n${emailHash}`);
