#!/usr/bin/perl
# woesid: sign a visitor's identity in a Perl backend (libcrypt-jwt-perl, Digest::SHA).
#   perl sign.pl SECRET WIDGET_KEY EMAIL NAME ACCOUNT_ID CONTACT_ID
# prints the token for a `jwt` widget, then the email_hash for an `hmac_email` one.
use v5.36;
use utf8;
use Crypt::JWT qw(encode_jwt);
use Digest::SHA qw(hmac_sha256_hex);
use Encode qw(decode_utf8 encode_utf8);

# JavaScript's trim() set: \s would also take U+0085 and leave U+FEFF.
my $js_space = qr/[\t\n\x0B\f\r \x{A0}\x{1680}\x{2000}-\x{200A}\x{2028}\x{2029}\x{202F}\x{205F}\x{3000}\x{FEFF}]/;

# JavaScript's email.trim().toLowerCase() of a character string.  lc is full
# Unicode lowercasing but has no final-sigma rule (word-final Σ is ς): apply it first.
sub normalize ($email) {
    $email =~ s/\A$js_space+|$js_space+\z//g;
    $email =~ s/\p{Cased}\p{Case_Ignorable}*\KΣ(?!\p{Case_Ignorable}*\p{Cased})/ς/g;
    return lc $email;
}

sub widget_identity ($user, $secret, $widget_key) {
    my $email = normalize($user->{email});
    # jwt: the key is the secret string itself; at most 15 minutes of life
    my $token = encode_jwt(alg => 'HS256', key => $secret, auto_iat => 1, relative_exp => 10 * 60,
        payload => { email => $email, name => $user->{name},
            account_external_id => $user->{account_id}, contact_external_id => $user->{id},
            aud => $widget_key });
    # hmac_email: the key is the secret hex-decoded
    my $email_hash = hmac_sha256_hex(encode_utf8($email), pack('H*', $secret));
    return ($token, $email_hash);
}

my ($secret, $widget_key, $email, $name, $account_id, $id) = map { decode_utf8($_) } @ARGV;
say for widget_identity({ email => $email, name => $name, account_id => $account_id, id => $id },
    $secret, $widget_key);
