/*
 * identity.h
 *		The transaction's identity: the woesid_claims of the last successful
 *		woesid_authenticate, with its widget's tenant, in backend memory.
 */
#ifndef WOESID_IDENTITY_H
#define WOESID_IDENTITY_H

#include "woesid_fmgr.h"

#include "access/htup.h"

typedef struct woesid_identity
{
	HeapTupleHeader claims;		/* verified woesid_claims */
	char	   *tenant;			/* the widget's tenant, or NULL */
	TimestampTz expires_at;		/* DT_NOEND when the identity has no expiry */
} woesid_identity;

/*
 * Sets the transaction's identity (claims verified, tenant NULL or a string,
 * expires_at the claims' expires_at or DT_NOEND), or clears it (claims NULL).
 */
void		woesid_identity_set(HeapTupleHeader claims, const char *tenant,
								TimestampTz expires_at);

/*
 * The identity in force at this statement, or NULL.  Every accessor reads it
 * through here: once the statement's start time reaches expires_at plus
 * woesid.clock_skew there is none, and *reason says WOESID_EXPIRED (else
 * WOESID_MISSING when there is none).
 */
const woesid_identity *woesid_identity_get(woesid_reason *reason);

void		woesid_identity_init(void);

#endif							/* WOESID_IDENTITY_H */
