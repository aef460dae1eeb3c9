# test/tap/t/003_parallel.pl: RLS on woesid_current_email() under a forced
# parallel plan.  100,000 conversation rows of five visitors; with the
# policy written "(SELECT woesid_current_email())" the identity is one
# initplan evaluated by the leader and passed to the workers: EXPLAIN shows
# Gather over a Parallel Seq Scan, workers are really launched, and every
# visitor gets exactly its own rows (none without an identity).  A policy
# calling woesid_current_email() directly (PARALLEL RESTRICTED, so never
# run in a worker, where backend memory holds no identity) also returns the
# right rows.  And woesid_identify (PARALLEL SAFE) gives the right verdicts
# when parallel workers run it.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $secret = '3a9c1e5b7d2f4a6c8e0b1d3f5a7c9e1b2d4f6a8c0e2b4d6f8a1c3e5b7d9f1a3c';

my $node = PostgreSQL::Test::Cluster->new('parallel');
$node->init(extra => [ '--encoding=UTF8', '--locale=C.UTF-8' ]);
$node->append_conf('postgresql.conf', qq{
max_worker_processes = 8
max_parallel_workers = 8
});
$node->start;
$node->safe_psql('postgres', qq{
	CREATE EXTENSION woesid;
	CREATE ROLE app;
	SELECT woesid_register_widget('wpk_tap_parallel', 'hmac_email', '$secret');
	CREATE TABLE conversation (id int PRIMARY KEY, customer_email text NOT NULL, body text NOT NULL);
	INSERT INTO conversation
		SELECT i, 'v' || (i % 5) || '\@example.test', 'message ' || i
		FROM generate_series(1, 100000) AS i;
	CREATE TABLE conversation_direct AS SELECT * FROM conversation;
	ALTER TABLE conversation ENABLE ROW LEVEL SECURITY;
	ALTER TABLE conversation_direct ENABLE ROW LEVEL SECURITY;
	CREATE POLICY own_conversations ON conversation
		USING (customer_email = (SELECT woesid_current_email()));
	CREATE POLICY own_conversations ON conversation_direct
		USING (customer_email = woesid_current_email());
	GRANT SELECT ON conversation, conversation_direct TO app;
	ANALYZE conversation, conversation_direct;
	-- identify events: every 10th payload claims another email (forged)
	CREATE TABLE identify_event AS
		SELECT i AS id, 'wpk_tap_parallel'::text AS public_key,
		       jsonb_build_object(
		           'email', CASE WHEN i % 10 = 0 THEN 'mallory\@example.test'
		                         ELSE 'v' || (i % 5) || '\@example.test' END,
		           'email_hash', woesid_email_hash('v' || (i % 5) || '\@example.test',
		                                           decode('$secret', 'hex'))) AS payload
		FROM generate_series(1, 30000) AS i;
	GRANT SELECT ON identify_event TO app;
	ANALYZE identify_event;
});

my $force_parallel = q{
	SET parallel_setup_cost = 0;
	SET parallel_tuple_cost = 0;
	SET min_parallel_table_scan_size = 0;
	SET max_parallel_workers_per_gather = 2;
};

# Runs $query as role app in a transaction authenticated as $email (or
# with no identity if $email is undef); returns the query's output.
sub as_visitor
{
	my ($email, $query) = @_;
	my $auth = defined $email
	  ? "SELECT 'auth:' || verified FROM woesid_authenticate('wpk_tap_parallel', "
	  . "jsonb_build_object('email', '$email', 'email_hash', "
	  . "woesid_email_hash('$email', decode('$secret', 'hex'))));"
	  : "SELECT 'auth:none';";
	my $out = $node->safe_psql('postgres',
		"$force_parallel\nBEGIN;\nSET LOCAL ROLE app;\n$auth\n$query;\nCOMMIT;");
	my ($first, @rest) = split /\n/, $out, -1;
	is($first, defined $email ? 'auth:true' : 'auth:none',
		'authenticated as ' . ($email // 'nobody'));
	return join("\n", @rest);
}

my $plan = as_visitor('v3@example.test',
	'EXPLAIN (COSTS OFF) SELECT count(*), sum(id) FROM conversation');
like($plan, qr/Gather/, 'the plan has a Gather node');
like($plan, qr/Parallel Seq Scan on conversation/, 'the plan has a Parallel Seq Scan');
like($plan, qr/InitPlan/, 'the policy\'s identity is an initplan');
# PostgreSQL 15 lists the parameters the Gather passes down; 18 shows the
# initplan attached above the Gather, where only the leader runs it.
like($plan, qr/Params Evaluated: \$\d|InitPlan 1\n(?:.*\n)*\s*->  Gather/,
	'... evaluated once by the leader and passed to the workers');
note $plan;

my $analyze = as_visitor('v3@example.test',
	'EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT count(*), sum(id) FROM conversation');
like($analyze, qr/Workers Launched: [1-9]/, 'parallel workers were launched');
note $analyze;

for my $v (0, 3)
{
	my $email = "v$v\@example.test";
	my $truth = $node->safe_psql('postgres',
		"SELECT count(*), sum(id), '$email' FROM conversation WHERE customer_email = '$email'");
	is( as_visitor($email,
			'SELECT count(*), sum(id), min(customer_email) FROM conversation '
			  . 'GROUP BY customer_email'),
		$truth,
		"parallel scan as $email: exactly its own 20000 rows");
	is( as_visitor($email,
			'SELECT count(*), sum(id), min(customer_email) FROM conversation_direct '
			  . 'GROUP BY customer_email'),
		$truth,
		"direct-call policy as $email: exactly its own rows");
}

is(as_visitor(undef, 'SELECT count(*) FROM conversation'),
	'0', 'parallel scan without an identity: no rows');
is(as_visitor(undef, 'SELECT count(*) FROM conversation_direct'),
	'0', 'direct-call policy without an identity: no rows');

# woesid_identify is PARALLEL SAFE: workers look the widget up in the
# registry themselves (through SPI, as its owner) and verify.
my $identify_query = 'SELECT count(*) FILTER (WHERE (woesid_identify(public_key, payload)).verified), '
  . 'count(*) FROM identify_event';
my $identify_plan = as_visitor(undef, "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) $identify_query");
like($identify_plan, qr/Parallel Seq Scan on identify_event/, 'woesid_identify runs under a Parallel Seq Scan');
like($identify_plan, qr/Workers Launched: [1-9]/, '... with workers launched');
note $identify_plan;
is(as_visitor(undef, $identify_query), '27000|30000',
	'woesid_identify in parallel workers: every genuine payload verified, every forged one rejected');

$node->stop;
done_testing();
