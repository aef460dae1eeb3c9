# test/tap/t/002_dump_restore.pl: pg_dump keeps the widget registry.  A
# database with widgets in every mode, several secrets (one retired) and an
# identify-events table with woesid_identify_trigger is dumped (custom and
# plain formats) and restored into fresh databases: the registry rows are
# identical, verification (hmac_email, jwt with and without kid, retired
# secret, off, unknown widget) gives the same answers, the trigger still
# works, and the registry is still unreadable for other roles.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Digest::SHA qw(hmac_sha256);
use MIME::Base64 qw(encode_base64url);
use JSON::PP;

my $h0 = 'd495b4a765036d39a44f5b93108526a1272d6e7cf0b519fd2d2386f384e56e1e';
my $h1 = '4c42b9af538b380ff0c84c7e1ed695122e71d5bfaa97c251f429677498eb407a';
my $j1 = '951c0f428647490370c1b71ab9aa244c04d247dd462539dd380e17d294f903af';
my $j2 = '4ab2e486d7b4db0ecd0333710d152882d2cf0289ccc49c8a1c6e7c03db15d631';

# An HS256 JWT as jsonwebtoken makes it: the key is the secret string.
sub jwt
{
	my ($secret, $kid, %claims) = @_;
	my $json = JSON::PP->new->canonical;
	my %header = (alg => 'HS256', typ => 'JWT');
	$header{kid} = $kid if defined $kid;
	my $input = encode_base64url($json->encode(\%header)) . '.'
	  . encode_base64url($json->encode(\%claims));
	return $input . '.' . encode_base64url(hmac_sha256($input, $secret));
}

my $now = time();
my %claims = (email => 'ann@example.test', aud => 'wpk_tap_jwt',
	iat => $now, exp => $now + 600, contact_external_id => 'usr_7');
my $token_j1 = jwt($j1, undef, %claims);
my $token_j2_kid = jwt($j2, 'j2', %claims);
my $token_j1_kid_j2 = jwt($j1, 'j2', %claims);

my $node = PostgreSQL::Test::Cluster->new('dump');
$node->init(extra => [ '--encoding=UTF8', '--locale=C.UTF-8' ]);
$node->start;
$node->safe_psql('postgres', 'CREATE ROLE app; CREATE DATABASE src');
$node->safe_psql('src', qq{
	CREATE EXTENSION woesid;
	SELECT woesid_register_widget('wpk_tap_hmac', 'hmac_email');
	SELECT woesid_add_secret('wpk_tap_hmac', '$h0', 'h0');
	SELECT woesid_add_secret('wpk_tap_hmac', '$h1', 'h1');
	SELECT woesid_retire_secret('wpk_tap_hmac', 'h0', '2020-01-01 00:00:00+00');
	SELECT woesid_register_widget('wpk_tap_jwt', 'jwt');
	SELECT woesid_add_secret('wpk_tap_jwt', '$j1', 'j1');
	SELECT woesid_add_secret('wpk_tap_jwt', '$j2', 'j2');
	SELECT woesid_register_widget('wpk_tap_off', 'off');
	CREATE TABLE identify_event (
		id serial PRIMARY KEY,
		public_key text NOT NULL,
		payload jsonb,
		identity woesid_claims
	);
	CREATE TRIGGER identify BEFORE INSERT OR UPDATE ON identify_event
		FOR EACH ROW EXECUTE FUNCTION woesid_identify_trigger(public_key, payload, identity);
	INSERT INTO identify_event (public_key, payload) VALUES
		('wpk_tap_hmac', jsonb_build_object('email', 'ann\@example.test',
			'email_hash', woesid_email_hash('ann\@example.test', decode('$h1', 'hex'))));
});

my $registry_query = q{
	SELECT w.public_key, w.mode, w.created_at, s.key_id, s.secret, s.created_at, s.not_after
	FROM woesid_widget AS w LEFT JOIN woesid_widget_secret AS s USING (public_key)
	ORDER BY w.public_key, s.key_id};
my $registry_src = $node->safe_psql('src', $registry_query);
my @registry_rows = split /\n/, $registry_src;
is(scalar(@registry_rows), 5, 'source registry: 3 widgets, 4 secrets');

# The answers that must survive: verification through the registry.
my $checks = qq{
	SELECT 'hmac h1', verified, key_id, failure FROM woesid_identify('wpk_tap_hmac',
		jsonb_build_object('email', 'Ann\@Example.test', 'email_hash',
			woesid_email_hash('ann\@example.test', decode('$h1', 'hex'))));
	SELECT 'hmac h0 (retired)', verified, key_id, failure FROM woesid_identify('wpk_tap_hmac',
		jsonb_build_object('email', 'ann\@example.test', 'email_hash',
			woesid_email_hash('ann\@example.test', decode('$h0', 'hex'))));
	SELECT 'jwt j1', verified, email, contact_external_id, key_id, failure
		FROM woesid_identify('wpk_tap_jwt', jsonb_build_object('jwt', '$token_j1'));
	SELECT 'jwt kid j2', verified, email, key_id, failure
		FROM woesid_identify('wpk_tap_jwt', jsonb_build_object('jwt', '$token_j2_kid'));
	SELECT 'jwt kid j2 signed by j1', verified, key_id, failure
		FROM woesid_identify('wpk_tap_jwt', jsonb_build_object('jwt', '$token_j1_kid_j2'));
	SELECT 'off', verified, failure FROM woesid_identify('wpk_tap_off', '{"email": "ann\@example.test"}');
	SELECT 'unknown', verified, failure FROM woesid_identify('wpk_tap_nope', '{}');
};
my $expected_checks = join("\n",
	'hmac h1|t|h1|',
	'hmac h0 (retired)|f||bad_signature',
	'jwt j1|t|ann@example.test|usr_7|j1|',
	'jwt kid j2|t|ann@example.test|j2|',
	'jwt kid j2 signed by j1|f||bad_signature',
	'off|f|not_signed',
	'unknown|f|unknown_widget');
is($node->safe_psql('src', "SET ROLE app;\n$checks"), $expected_checks,
	'source database: verification answers');

my $tempdir = PostgreSQL::Test::Utils::tempdir;
$node->command_ok(
	[ 'pg_dump', '-Fc', '-f', "$tempdir/src.dump", '-d', $node->connstr('src') ],
	'pg_dump -Fc');
$node->command_ok(
	[ 'pg_dump', '-f', "$tempdir/src.sql", '-d', $node->connstr('src') ],
	'pg_dump (plain)');
$node->safe_psql('postgres', 'CREATE DATABASE dst_custom TEMPLATE template0; CREATE DATABASE dst_plain TEMPLATE template0');
$node->command_ok(
	[ 'pg_restore', '--exit-on-error', '-d', $node->connstr('dst_custom'), "$tempdir/src.dump" ],
	'pg_restore into a fresh database');
$node->command_ok(
	[ 'psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-f', "$tempdir/src.sql", '-d', $node->connstr('dst_plain') ],
	'plain dump restored with psql into a fresh database');

for my $db ('dst_custom', 'dst_plain')
{
	is($node->safe_psql($db, $registry_query), $registry_src,
		"$db: widgets and secrets identical (keys, modes, retirement, timestamps)");
	is($node->safe_psql($db, "SET ROLE app;\n$checks"), $expected_checks,
		"$db: verification gives the same answers");
	is( $node->safe_psql(
			$db, qq{
		INSERT INTO identify_event (public_key, payload) VALUES
			('wpk_tap_hmac', jsonb_build_object('email', 'bob\@example.test',
				'email_hash', woesid_email_hash('bob\@example.test', decode('$h1', 'hex')))),
			('wpk_tap_hmac', '{"email": "bob\@example.test", "email_hash": "00"}');
		SELECT id, (identity).verified, (identity).email, (identity).failure
		FROM identify_event ORDER BY id;
	}),
		"1|t|ann\@example.test|\n2|t|bob\@example.test|\n3|f||malformed",
		"$db: restored rows and the identify trigger work");
	is( $node->safe_psql(
			$db, q{
		SELECT has_table_privilege('app', 'woesid_widget', 'SELECT'),
		       has_table_privilege('app', 'woesid_widget_secret', 'SELECT'),
		       has_function_privilege('app', 'woesid_add_secret(text, text, text)', 'EXECUTE'),
		       has_function_privilege('app', 'woesid_identify(text, jsonb)', 'EXECUTE')}),
		'f|f|f|t',
		"$db: the registry is still closed to other roles");
}

$node->stop;
done_testing();
