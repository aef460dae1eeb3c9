#!/usr/bin/ruby
# woesid: sign a visitor's identity in a Ruby backend (ruby-jwt, OpenSSL::HMAC).
#   ruby sign.rb SECRET WIDGET_KEY EMAIL NAME ACCOUNT_ID CONTACT_ID
# prints the token for a `jwt` widget, then the email_hash for an `hmac_email` one.
require "jwt"
require "openssl"

# JavaScript's trim() set: String#strip trims ASCII whitespace only.
JS_SPACE = "[\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]"

# JavaScript's email.trim().toLowerCase().  String#downcase is full Unicode
# lowercasing but has no final-sigma rule (word-final Σ is ς in JS): apply it first.
def normalize(email)
  email.gsub(/\A#{JS_SPACE}+|#{JS_SPACE}+\z/o, "")
       .gsub(/\p{Cased}\p{Case_Ignorable}*\KΣ(?!\p{Case_Ignorable}*\p{Cased})/, "ς")
       .downcase
end

def widget_identity(user, secret, widget_key)
  email = normalize(user[:email])
  now = Time.now.to_i
  # jwt: the key is the secret string itself; at most 15 minutes of life
  token = JWT.encode({
    email: email, name: user[:name],
    account_external_id: user[:account_id], contact_external_id: user[:id],
    aud: widget_key, iat: now, exp: now + 10 * 60
  }, secret, "HS256")
  # hmac_email: the key is the secret hex-decoded
  email_hash = OpenSSL::HMAC.hexdigest("SHA256", [secret].pack("H*"), email)
  [token, email_hash]
end

if $PROGRAM_NAME == __FILE__
  secret, widget_key, email, name, account_id, id = ARGV.map { |a| a.dup.force_encoding(Encoding::UTF_8) }
  puts widget_identity({ email: email, name: name, account_id: account_id, id: id }, secret, widget_key)
end
