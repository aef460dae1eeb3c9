/*
 * stat.h
 *		woesid_stat: how many verifications each widget received, by mode,
 *		outcome and key id (stat.c).
 *
 * A verification path calls woesid_stat_count once per verification it
 * performs (a result recalled from a call site's cache is not one), with
 * what the server knows, never what the visitor sent: the registry's public
 * key (NULL for an unknown widget), the trigger's key, or
 * woesid_verify_jwt's audience; a key id from the registry, or a token's
 * kid only once its signature verified.
 */
#ifndef WOESID_STAT_H
#define WOESID_STAT_H

#include "woesid_fmgr.h"

/* The mode argument when the verification knew no mode (unknown widget). */
#define WOESID_STAT_NO_MODE (-1)

/*
 * Whether a direct verifier's result passed the signature check, so that
 * the token's kid was signed by the widget's backend and may be counted.
 */
static inline bool
woesid_stat_signed(woesid_reason reason)
{
	return reason == WOESID_OK || reason > WOESID_BAD_SIGNATURE;
}

/*
 * Counts one verification in this backend; published to shared memory at
 * the end of the transaction (commit or abort).  public_key and key_id may
 * be NULL; longer than 127 bytes they are cut at a character boundary.
 * Takes no lock.
 */
void		woesid_stat_count(const char *public_key, size_t public_key_len,
							  int mode, woesid_reason reason,
							  const char *key_id, size_t key_id_len);

/* woesid.stat_max, hooks and the transaction callback (from _PG_init). */
void		woesid_stat_init(void);

#endif							/* WOESID_STAT_H */
