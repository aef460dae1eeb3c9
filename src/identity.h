/*
 * identity.h
 *		The transaction's identity: the woesid_claims of the last successful
 *		woesid_authenticate, in backend memory.
 */
#ifndef WOESID_IDENTITY_H
#define WOESID_IDENTITY_H

#include "woesid_fmgr.h"

#include "access/htup.h"

/* Sets (verified claims) or clears (NULL) the transaction's identity. */
void		woesid_identity_set(HeapTupleHeader claims);

/* The current identity, or NULL when there is none. */
HeapTupleHeader woesid_identity_get(void);

void		woesid_identity_init(void);

#endif							/* WOESID_IDENTITY_H */
