<?php
// woesid: sign a visitor's identity in a PHP backend (hash_hmac; the JWT built
// by hand with base64url, no library; mb_strtolower from php-mbstring).
//   php sign.php SECRET WIDGET_KEY EMAIL NAME ACCOUNT_ID CONTACT_ID
// prints the token for a `jwt` widget, then the email_hash for an `hmac_email` one.

// JavaScript's trim() set: trim() knows single bytes only.
const JS_SPACE = '[\t\n\x0B\f\r \x{A0}\x{1680}\x{2000}-\x{200A}\x{2028}\x{2029}\x{202F}\x{205F}\x{3000}\x{FEFF}]';

// JavaScript's email.trim().toLowerCase().  mb_strtolower is full Unicode
// lowercasing but has the final-sigma rule (word-final Σ is ς) only from PHP 8.3.
function normalize(string $email): string
{
    $email = preg_replace('/\A' . JS_SPACE . '+|' . JS_SPACE . '+\z/u', '', $email);
    $email = preg_replace('/\p{Cased}\p{Case_Ignorable}*\KΣ(?!\p{Case_Ignorable}*\p{Cased})/u', 'ς', $email);
    return mb_strtolower($email, 'UTF-8');
}

function base64url(string $bytes): string
{
    return rtrim(strtr(base64_encode($bytes), '+/', '-_'), '=');
}

function widget_identity(array $user, string $secret, string $widget_key): array
{
    $email = normalize($user['email']);
    $now = time();
    // jwt: the key is the secret string itself; at most 15 minutes of life
    $header = base64url(json_encode(['alg' => 'HS256', 'typ' => 'JWT']));
    $claims = base64url(json_encode([
        'email' => $email, 'name' => $user['name'],
        'account_external_id' => $user['account_id'], 'contact_external_id' => $user['id'],
        'aud' => $widget_key, 'iat' => $now, 'exp' => $now + 10 * 60,
    ], JSON_THROW_ON_ERROR));
    $token = "$header.$claims." . base64url(hash_hmac('sha256', "$header.$claims", $secret, true));
    // hmac_email: the key is the secret hex-decoded
    $email_hash = hash_hmac('sha256', $email, hex2bin($secret));
    return [$token, $email_hash];
}

[, $secret, $widget_key, $email, $name, $account_id, $id] = $argv;
echo implode("\n", widget_identity(
    ['email' => $email, 'name' => $name, 'account_id' => $account_id, 'id' => $id],
    $secret, $widget_key)), "\n";
