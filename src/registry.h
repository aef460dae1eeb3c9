/*
 * registry.h
 *		Per-backend cache of the widget registry (woesid_widget and
 *		woesid_widget_secret) with ready MAC keys.
 *
 * Verification code asks for a widget by public key and gets its mode,
 * tenant and secrets as MAC keys; it never sees where they came from.
 */
#ifndef WOESID_REGISTRY_H
#define WOESID_REGISTRY_H

#include "woesid_fmgr.h"

#define WOESID_PUBLIC_KEY_MAX 127

typedef struct woesid_widget_key
{
	char	   *key_id;
	TimestampTz not_after;		/* DT_NOEND while not retired */
	woesid_mac_key *jwt_key;	/* the secret string's bytes */
	woesid_mac_key *hmac_key;	/* the secret hex-decoded; NULL when it is not
								 * 32 or more whole hex bytes */
} woesid_widget_key;

typedef struct woesid_widget
{
	char		public_key[WOESID_PUBLIC_KEY_MAX + 1];	/* hash key */
	bool		exists;			/* false: cached "no such widget" */
	woesid_mode mode;
	char	   *tenant;			/* NULL when the widget has none */
	TimestampTz loaded_at;		/* statement start of the read */
	int			nkeys;
	woesid_widget_key *keys;
} woesid_widget;

/*
 * The widget registered under public_key, or NULL.  registry_fn is the OID
 * of a woesid function, used to find the extension's schema.  Must run with
 * the privileges of the registry's owner (callers are SECURITY DEFINER).
 */
const woesid_widget *woesid_registry_lookup(const char *public_key, size_t len,
											Oid registry_fn);

/* Whether key is active (not retired) at time at. */
static inline bool
woesid_key_active(const woesid_widget_key *key, TimestampTz at)
{
	return at < key->not_after;
}

/*
 * The Citus cluster key of the registry in schema nsp (citus.c), or NULL
 * when woesid_citus_setup() has not made one.  Same caching and
 * invalidation as widgets.
 */
woesid_mac_key *woesid_registry_cluster_key(Oid nsp);

void		woesid_registry_init(void);

#endif							/* WOESID_REGISTRY_H */
