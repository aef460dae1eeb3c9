# test/tap/t/004_logical_replication.pl: the registry kept in step by
# logical replication.  A publisher and a subscriber, woesid on both; the
# publisher publishes woesid_widget and woesid_widget_secret, the
# subscriber subscribes (its apply worker runs with
# session_replication_role = replica, so only ENABLE ALWAYS triggers fire
# there).  A long-lived subscriber session of an unprivileged role has the
# widget cached, with woesid.registry_cache_ttl at an hour so that only an
# invalidation can make it re-read the registry; after each change on the
# publisher (a secret added, retired, deleted; the tenant and mode changed;
# TRUNCATE; the widget unregistered) has been applied, that session's next
# statement sees it.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $k1 = '6a1f0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b2a19';
my $k2 = 'e7c1d5a9b3f70e2d4c6b8a0f1e3d5c7b9a1f0e2d4c6b8a0f1e3d5c7b9a1f0e2d';

my $publisher = PostgreSQL::Test::Cluster->new('publisher');
$publisher->init(allows_streaming => 'logical',
	extra => [ '--encoding=UTF8', '--locale=C.UTF-8' ]);
$publisher->start;

my $subscriber = PostgreSQL::Test::Cluster->new('subscriber');
$subscriber->init(extra => [ '--encoding=UTF8', '--locale=C.UTF-8' ]);
$subscriber->start;

for my $node ($publisher, $subscriber)
{
	$node->safe_psql('postgres', q{
		CREATE EXTENSION woesid;
		CREATE ROLE app;
		-- What the browser sends: email, and its hash under the hex secret.
		CREATE FUNCTION payload(email text, secret text) RETURNS jsonb
		LANGUAGE sql IMMUTABLE
		RETURN jsonb_build_object('email', email,
			'email_hash', woesid_email_hash(email, decode(secret, 'hex')));
	});
}

$publisher->safe_psql('postgres', qq{
	SELECT woesid_register_widget('wpk_tap_logical', 'hmac_email', tenant => 'acme');
	SELECT woesid_add_secret('wpk_tap_logical', '$k1', 'k1');
	CREATE PUBLICATION woesid_registry FOR TABLE woesid_widget, woesid_widget_secret;
});
my $connstr = $publisher->connstr . ' dbname=postgres';
$subscriber->safe_psql('postgres',
	"CREATE SUBSCRIPTION woesid_registry CONNECTION '$connstr' PUBLICATION woesid_registry");
$subscriber->wait_for_subscription_sync($publisher, 'woesid_registry');

is( $subscriber->safe_psql('postgres',
		"SELECT tgname, tgenabled FROM pg_trigger WHERE tgrelid IN "
		  . "('woesid_widget'::regclass, 'woesid_widget_secret'::regclass) AND NOT tgisinternal ORDER BY 1"),
	"woesid_widget_changed|A\nwoesid_widget_secret_changed|A\n"
	  . "woesid_widget_secret_truncated|A\nwoesid_widget_truncated|A",
	"the subscriber's registry triggers are ENABLE ALWAYS");

sub identify
{
	my ($secret) = @_;
	return "SELECT verified, key_id, failure FROM woesid_identify('wpk_tap_logical', "
	  . "payload('ann\@example.test', '$secret'))";
}

sub who
{
	my ($secret) = @_;
	return "SELECT a.verified, a.failure, woesid_current_tenant() FROM "
	  . "woesid_authenticate('wpk_tap_logical', payload('ann\@example.test', '$secret')) AS a";
}

# Runs SQL on the publisher and waits until the subscriber has applied it.
sub on_publisher
{
	my ($sql) = @_;
	$publisher->safe_psql('postgres', $sql);
	$publisher->wait_for_catchup('woesid_registry');
}

# The long-lived subscriber session: the superuser sets a long TTL, then
# becomes the unprivileged role.
my $session = $subscriber->background_psql('postgres');
$session->query_safe("SET woesid.registry_cache_ttl = '1h'");
$session->query_safe('SET ROLE app');
is($session->query_safe(identify($k1)), 't|k1|',
	'subscriber session: the replicated secret verifies (widget now cached)');
is($session->query_safe(who($k1)), 't||acme', '... with the replicated tenant');
is($session->query_safe(identify($k2)), 'f||bad_signature', '... and k2 is not a secret yet');

on_publisher("SELECT woesid_add_secret('wpk_tap_logical', '$k2', 'k2')");
is($session->query_safe(identify($k2)), 't|k2|',
	'a secret added on the publisher verifies in the cached subscriber session once applied');

on_publisher("SELECT woesid_retire_secret('wpk_tap_logical', 'k1')");
is($session->query_safe(identify($k1)), 'f||bad_signature',
	'a secret retired on the publisher no longer verifies in the cached subscriber session once applied');
is($session->query_safe(identify($k2)), 't|k2|', '... while the other one does');

on_publisher("DELETE FROM woesid_widget_secret WHERE public_key = 'wpk_tap_logical' AND key_id = 'k2'");
is($session->query_safe(identify($k2)), 'f||missing_secret',
	"a secret deleted by the publisher owner's DML no longer verifies once applied");

on_publisher("SELECT woesid_add_secret('wpk_tap_logical', '$k2', 'k2b')");
is($session->query_safe(identify($k2)), 't|k2b|', 'a secret added again verifies once applied');

on_publisher("SELECT woesid_set_widget('wpk_tap_logical', tenant => 'globex')");
is($session->query_safe(who($k2)), 't||globex', 'a tenant changed on the publisher is the identity\'s once applied');

on_publisher("SELECT woesid_set_widget('wpk_tap_logical', 'jwt')");
is($session->query_safe(identify($k2)), 'f||wrong_mode', 'a mode changed on the publisher applies once applied');
on_publisher("SELECT woesid_set_widget('wpk_tap_logical', 'hmac_email')");
is($session->query_safe(identify($k2)), 't|k2b|', '... and back');

on_publisher('TRUNCATE woesid_widget_secret');
is($session->query_safe(identify($k2)), 'f||missing_secret',
	'TRUNCATE of the secrets on the publisher applies to the cached subscriber session');

on_publisher("SELECT woesid_unregister_widget('wpk_tap_logical')");
is($session->query_safe(identify($k2)), 'f||unknown_widget',
	'a widget unregistered on the publisher is unknown in the cached subscriber session once applied');

$session->quit;
$subscriber->safe_psql('postgres', 'DROP SUBSCRIPTION woesid_registry');
$subscriber->stop;
$publisher->stop;
done_testing();
