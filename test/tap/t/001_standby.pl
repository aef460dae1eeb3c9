# test/tap/t/001_standby.pl: woesid on a streaming hot standby.  The
# primary has the extension, an hmac_email widget and RLS-protected rows;
# on the standby an unprivileged role can woesid_identify, and
# woesid_authenticate + RLS reads work read-only; registry changes made on
# the primary (a secret added, then secrets retired) are seen by a standby
# session that already has the widget cached, once replayed (the registry
# cache is invalidated through WAL).
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $k1 = '13eba22f23dd3254607fd2283101a68d863ae633501858712b0efcf83e16c276';
my $k2 = '956893c423c26c369d9d8545208112b01642cd52459fe3f74d81331736d1d7b4';

my $primary = PostgreSQL::Test::Cluster->new('primary');
$primary->init(allows_streaming => 1,
	extra => [ '--encoding=UTF8', '--locale=C.UTF-8' ]);
$primary->start;
$primary->safe_psql('postgres', qq{
	CREATE EXTENSION woesid;
	CREATE ROLE app;
	SELECT woesid_register_widget('wpk_tap_standby', 'hmac_email');
	SELECT woesid_add_secret('wpk_tap_standby', '$k1', 'k1');
	CREATE TABLE conversation (id int PRIMARY KEY, customer_email text NOT NULL);
	INSERT INTO conversation VALUES
		(1, 'ann\@example.test'), (2, 'bob\@example.test'), (3, 'ann\@example.test');
	ALTER TABLE conversation ENABLE ROW LEVEL SECURITY;
	CREATE POLICY own_conversations ON conversation
		USING (customer_email = (SELECT woesid_current_email()));
	GRANT SELECT ON conversation TO app;
	-- What the browser sends: email, and its hash under the hex secret.
	CREATE FUNCTION payload(email text, secret text) RETURNS jsonb
	LANGUAGE sql IMMUTABLE
	RETURN jsonb_build_object('email', email,
		'email_hash', woesid_email_hash(email, decode(secret, 'hex')));
});

$primary->backup('base');
my $standby = PostgreSQL::Test::Cluster->new('standby');
$standby->init_from_backup($primary, 'base', has_streaming => 1);
$standby->start;
$primary->wait_for_catchup($standby);

is($standby->safe_psql('postgres', 'SELECT pg_is_in_recovery()'),
	't', 'the standby is a hot standby');

sub identify
{
	my ($secret) = @_;
	return "SELECT verified, key_id, failure FROM woesid_identify('wpk_tap_standby', "
	  . "payload('ann\@example.test', '$secret'))";
}

is( $standby->safe_psql('postgres', "SET ROLE app; " . identify($k1)),
	't|k1|',
	'woesid_identify verifies on the standby for a role that cannot read secrets');

is( $standby->safe_psql(
		'postgres', qq{
	BEGIN;
	SET LOCAL ROLE app;
	SELECT verified, email FROM woesid_authenticate('wpk_tap_standby',
		payload('ann\@example.test', '$k1'));
	SELECT id, customer_email FROM conversation ORDER BY id;
	SELECT transaction_read_only FROM (SELECT current_setting('transaction_read_only')) AS s(transaction_read_only);
	COMMIT;
	SET ROLE app;
	SELECT count(*) FROM conversation;
	SELECT (woesid_current()).failure;
}),
	"t|ann\@example.test\n1|ann\@example.test\n3|ann\@example.test\non\n0\nmissing",
	'authenticate + RLS read on the standby: own rows only, in a read-only transaction; cleared at commit');

is( $standby->safe_psql(
		'postgres', qq{
	SET ROLE app;
	SELECT verified, failure FROM woesid_authenticate('wpk_tap_standby',
		payload('ann\@example.test', '$k2'));
	SELECT count(*) FROM conversation;
}),
	"f|bad_signature\n0",
	'a payload under an unknown secret is rejected on the standby and shows no rows');

my ($ret, $out, $err) = $standby->psql('postgres',
	"SELECT woesid_add_secret('wpk_tap_standby', '$k2', 'k2')");
isnt($ret, 0, 'registry management fails on the standby');
like($err, qr/read-only transaction/, '... with a read-only error');

# A standby session that has the widget cached.
my $session = $standby->background_psql('postgres');
$session->query_safe('SET ROLE app');
is($session->query_safe(identify($k1)), 't|k1|', 'standby session: k1 verifies (widget cached)');
is($session->query_safe(identify($k2)), 'f||bad_signature', 'standby session: k2 is not a secret yet');

$primary->safe_psql('postgres', "SELECT woesid_add_secret('wpk_tap_standby', '$k2', 'k2')");
$primary->wait_for_catchup($standby);
is($session->query_safe(identify($k2)), 't|k2|',
	'a secret added on the primary verifies in the cached standby session after replay');
is($session->query_safe(identify($k1)), 't|k1|', '... and the old one still does');

$primary->safe_psql('postgres', "SELECT woesid_retire_secret('wpk_tap_standby', 'k1')");
$primary->wait_for_catchup($standby);
is($session->query_safe(identify($k1)), 'f||bad_signature',
	'a secret retired on the primary no longer verifies in the cached standby session after replay');
is($session->query_safe(identify($k2)), 't|k2|', '... while the other active secret does');
is( $session->query_safe(qq{
	BEGIN;
	SELECT verified FROM woesid_authenticate('wpk_tap_standby', payload('bob\@example.test', '$k2'));
	SELECT string_agg(id::text, ',' ORDER BY id) FROM conversation;
	COMMIT;
}),
	"t\n2",
	'authenticate with the new secret and read through RLS in the cached standby session');

$primary->safe_psql('postgres', "SELECT woesid_retire_secret('wpk_tap_standby', 'k2')");
$primary->wait_for_catchup($standby);
is($session->query_safe(identify($k2)), 'f||missing_secret',
	'with every secret retired on the primary the standby session reports missing_secret');

$session->quit;
$standby->stop;
$primary->stop;
done_testing();
