/*
 * citus.c
 *		woesid on a Citus cluster: where a node reads the registry, and the
 *		transaction's identity forwarded from the coordinator to the workers.
 *
 * woesid_citus_setup() makes the registry and the cluster key reference
 * tables, so every node holds a local placement of them; every node reads
 * its own placement, never through Citus's planner, so lookups also work
 * inside the shard queries Citus sends to a worker.
 *
 * woesid_authenticate on the coordinator forwards the identity it set with
 * SET LOCAL woesid.forwarded_identity, which Citus replays on the worker
 * connections of the distributed transaction
 * (citus.propagate_set_commands = 'local').  The value is
 * "v1.<payload>.<mac>": payload is base64url of a JSON object holding the
 * claims, the tenant, the expiry and their binding (the database and
 * Citus's distributed transaction id), mac is HMAC-SHA256 of the payload
 * under the cluster key.  A worker believes it only when the MAC verifies
 * under its own copy of the key and the binding names its own current
 * distributed transaction, so a value captured from one transaction proves
 * nothing in another; a client can set the setting but cannot make a MAC.
 * Nothing here trusts the setting's text before its MAC, and no message
 * shows it.
 */
#include "woesid_fmgr.h"

#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "commands/dbcommands.h"
#include "commands/extension.h"
#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "storage/proc.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/json.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"

#include "base64url.h"
#include "citus.h"
#include "registry.h"

char	   *woesid_forwarded_identity = NULL;

/* The forwarded identity a worker accepted, for this transaction only. */
static LocalTransactionId accepted_lxid = InvalidLocalTransactionId;
static char *accepted_value;
static woesid_identity accepted;
static bool accepted_ok;

/*
 * Citus needs its library preloaded, so a server without Citus's settings
 * has no Citus: that costs a hash lookup, and only then is the catalog
 * asked whether this database has the extension.
 */
bool
woesid_citus_present(void)
{
	return GetConfigOption("citus.propagate_set_commands", true, false) != NULL &&
		OidIsValid(get_extension_oid("citus", true));
}

/*
 * The relation to read for registry table rel on this node: the local
 * placement of its shard when it is a Citus reference table, else rel.
 * Runs inside an SPI connection.
 */
Oid
woesid_citus_placement(Oid rel)
{
	Oid			argtypes[1] = {OIDOID};
	Datum		args[1] = {ObjectIdGetDatum(rel)};
	char	   *shard_name;
	Oid			placement;
	bool		isnull;
	int64		shardid;

	if (!woesid_citus_present())
		return rel;
	if (SPI_execute_with_args("SELECT s.shardid FROM pg_catalog.pg_dist_partition p "
							  "JOIN pg_catalog.pg_dist_shard s "
							  "ON s.logicalrelid OPERATOR(pg_catalog.=) p.logicalrelid "
							  "WHERE p.logicalrelid OPERATOR(pg_catalog.=) $1 "
							  "AND p.partmethod OPERATOR(pg_catalog.=) 'n'",
							  1, argtypes, args, NULL, true, 1) != SPI_OK_SELECT)
		elog(ERROR, "could not read the Citus metadata of the widget registry");
	if (SPI_processed != 1)
		return rel;
	shardid = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc,
										  1, &isnull));
	shard_name = psprintf("%s_" INT64_FORMAT, get_rel_name(rel), shardid);
	placement = get_relname_relid(shard_name, get_rel_namespace(rel));
	return OidIsValid(placement) ? placement : rel;
}

/* The schema woesid is installed in. */
static Oid
woesid_schema(void)
{
	Oid			nsp;
	bool		isnull;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute("SELECT extnamespace FROM pg_catalog.pg_extension "
					"WHERE extname OPERATOR(pg_catalog.=) 'woesid'",
					true, 1) != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "could not find the woesid extension");
	nsp = DatumGetObjectId(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc,
										 1, &isnull));
	SPI_finish();
	return nsp;
}

/* Citus's distributed transaction id of this transaction as text, or NULL. */
static char *
distributed_transaction_id(void)
{
	MemoryContext caller = CurrentMemoryContext;
	char	   *id = NULL;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute("SELECT initiator_node_identifier::pg_catalog.text OPERATOR(pg_catalog.||) ':' "
					"OPERATOR(pg_catalog.||) transaction_number::pg_catalog.text "
					"OPERATOR(pg_catalog.||) ':' OPERATOR(pg_catalog.||) "
					"(extract(epoch FROM transaction_stamp) * 1000000)::pg_catalog.int8::pg_catalog.text "
					"FROM pg_catalog.get_current_transaction_id() "
					"WHERE transaction_number OPERATOR(pg_catalog.<>) 0",
					true, 1) != SPI_OK_SELECT)
		elog(ERROR, "could not read the distributed transaction id");
	if (SPI_processed == 1)
		id = MemoryContextStrdup(caller,
								 SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1));
	SPI_finish();
	return id;
}

/*
 * Makes this transaction a Citus distributed transaction now, so it has the
 * id the forwarded identity is bound to before any shard query runs.
 */
static void
start_distributed_transaction(void)
{
	void		(*use_coordinated_transaction) (void);

	use_coordinated_transaction = (void (*) (void))
		load_external_function("$libdir/citus", "UseCoordinatedTransaction", true, NULL);
	use_coordinated_transaction();
}

/* HMAC-SHA256 of bytes[0..len) under the cluster key. */
static void
cluster_mac(woesid_mac_key *key, const char *bytes, size_t len,
			uint8_t mac[WOESID_MAC_LEN])
{
	if (!woesid_mac(key, (const uint8_t *) bytes, len, mac))
		woesid_raise_mac_fault();
}

static void
set_local(const char *name, const char *value)
{
	char	   *command = psprintf("SET LOCAL %s = %s", name, quote_literal_cstr(value));

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute(command, false, 0) != SPI_OK_UTILITY)
		elog(ERROR, "could not forward the identity to the Citus workers");
	SPI_finish();
}

void
woesid_citus_forward(HeapTupleHeader claims, const char *tenant,
					 TimestampTz expires_at, Oid registry_fn)
{
	woesid_mac_key *key;
	StringInfoData json;
	char	   *txn,
			   *payload;
	uint8_t		mac[WOESID_MAC_LEN];
	char		mac_text[(WOESID_MAC_LEN * 4 + 2) / 3 + 1];
	size_t		n;
	Oid			claims_type;
	Oid			output_fn;
	bool		varlena;

	if (!woesid_citus_present() ||
		(key = woesid_registry_cluster_key(get_func_namespace(registry_fn))) == NULL)
		return;
	set_local("citus.propagate_set_commands", "local");
	if (claims == NULL)
	{
		set_local("woesid.forwarded_identity", "");
		return;
	}

	start_distributed_transaction();
	txn = distributed_transaction_id();
	if (txn == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INTERNAL_ERROR),
				 errmsg("could not start a Citus distributed transaction for the identity")));

	claims_type = HeapTupleHeaderGetTypeId(claims);
	getTypeOutputInfo(claims_type, &output_fn, &varlena);
	initStringInfo(&json);
	appendStringInfoString(&json, "{\"db\":");
	escape_json(&json, get_database_name(MyDatabaseId));
	appendStringInfoString(&json, ",\"txn\":");
	escape_json(&json, txn);
	appendStringInfoString(&json, ",\"exp\":");
	appendStringInfo(&json, "\"" INT64_FORMAT "\"", (int64) expires_at);
	if (tenant != NULL)
	{
		appendStringInfoString(&json, ",\"tenant\":");
		escape_json(&json, tenant);
	}
	appendStringInfoString(&json, ",\"claims\":");
	escape_json(&json, OidOutputFunctionCall(output_fn, PointerGetDatum(claims)));
	appendStringInfoChar(&json, '}');

	payload = palloc((json.len * 4 + 2) / 3 + 1);
	n = woesid_b64url_encode((const uint8_t *) json.data, json.len, payload);
	payload[n] = '\0';
	cluster_mac(key, payload, n, mac);
	n = woesid_b64url_encode(mac, sizeof(mac), mac_text);
	mac_text[n] = '\0';
	woesid_cleanse(mac, sizeof(mac));
	set_local("woesid.forwarded_identity", psprintf("v1.%s.%s", payload, mac_text));
}

/* The string member name of the parsed object doc, as a C string, or NULL. */
static char *
member_cstring(const wj_doc *doc, const char *name)
{
	wj_name		want = {name, (uint32_t) strlen(name)};
	uint32_t	at;

	wj_members(doc, 0, &want, 1, &at);
	if (at == 0 || doc->nodes[at].type != WJ_STRING)
		return NULL;
	return pnstrdup(doc->nodes[at].str, doc->nodes[at].len);
}

/*
 * Checks value against the cluster key and this transaction; fills out
 * (in TopTransactionContext) and returns true only if it is genuine and
 * bound to this database and distributed transaction.
 */
static bool
check_forwarded(const char *value, woesid_identity *out)
{
	const char *payload = value + 3;
	const char *dot = strchr(payload, '.');
	size_t		payload_len;
	woesid_mac_key *key;
	uint8_t		sent[WOESID_MAC_LEN + 2],
				computed[WOESID_MAC_LEN];
	size_t		sent_len;
	uint8_t    *json;
	size_t		json_len;
	wj_doc		doc;
	woesid_arena arena;
	char	   *db,
			   *txn,
			   *exp,
			   *claims,
			   *mine;
	Oid			nsp,
				claims_type,
				input_fn,
				ioparam;
	bool		genuine;
	MemoryContext old;

	if (!woesid_citus_present() || strncmp(value, "v1.", 3) != 0 || dot == NULL ||
		strlen(dot + 1) > woesid_b64url_decoded_bound(WOESID_MAC_LEN) * 2)
		return false;
	payload_len = dot - payload;
	nsp = woesid_schema();
	key = woesid_registry_cluster_key(nsp);
	if (key == NULL)
		return false;
	cluster_mac(key, payload, payload_len, computed);
	genuine = woesid_b64url_decode(dot + 1, strlen(dot + 1), sent, &sent_len) &&
		sent_len == WOESID_MAC_LEN && woesid_mac_equal(sent, computed);
	woesid_cleanse(computed, sizeof(computed));
	if (!genuine)
		return false;

	/* The coordinator wrote it.  Now, is it for here and now? */
	json = palloc(woesid_b64url_decoded_bound(payload_len));
	woesid_arena_init(&arena, palloc(wj_arena_bound(payload_len)), wj_arena_bound(payload_len));
	if (!woesid_b64url_decode(payload, payload_len, json, &json_len) ||
		!wj_parse((const char *) json, json_len, &arena, &doc) ||
		doc.nodes[0].type != WJ_OBJECT)
		return false;
	db = member_cstring(&doc, "db");
	txn = member_cstring(&doc, "txn");
	exp = member_cstring(&doc, "exp");
	claims = member_cstring(&doc, "claims");
	mine = distributed_transaction_id();
	if (db == NULL || txn == NULL || exp == NULL || claims == NULL || mine == NULL ||
		strcmp(db, get_database_name(MyDatabaseId)) != 0 || strcmp(txn, mine) != 0)
		return false;

	claims_type = GetSysCacheOid2(TYPENAMENSP, Anum_pg_type_oid,
								  CStringGetDatum("woesid_claims"), ObjectIdGetDatum(nsp));
	getTypeInputInfo(claims_type, &input_fn, &ioparam);
	old = MemoryContextSwitchTo(TopTransactionContext);
	out->claims = DatumGetHeapTupleHeader(OidInputFunctionCall(input_fn, claims,
															   ioparam, -1));
	out->tenant = member_cstring(&doc, "tenant");
	out->expires_at = (TimestampTz) strtoi64(exp, NULL, 10);
	MemoryContextSwitchTo(old);
	return true;
}

#if PG_VERSION_NUM >= 170000
#define MY_LXID (MyProc->vxid.lxid)
#else
#define MY_LXID (MyProc->lxid)
#endif

const woesid_identity *
woesid_citus_forwarded(void)
{
	const char *value = woesid_forwarded_identity;

	if (value == NULL || value[0] == '\0')
		return NULL;
	if (accepted_lxid != MY_LXID || accepted_value == NULL ||
		strcmp(accepted_value, value) != 0)
	{
		accepted_lxid = MY_LXID;
		accepted_value = MemoryContextStrdup(TopTransactionContext, value);
		accepted_ok = check_forwarded(value, &accepted);
	}
	return accepted_ok ? &accepted : NULL;
}
