/*
 * citus.h
 *		woesid on a Citus cluster (citus.c): the registry's local placements
 *		and the identity the coordinator forwards to the workers.
 */
#ifndef WOESID_CITUS_H
#define WOESID_CITUS_H

#include "woesid_fmgr.h"

#include "identity.h"

/* The woesid.forwarded_identity setting (fmgr_settings.c defines it). */
extern char *woesid_forwarded_identity;

/* Whether the Citus extension is installed in this database. */
bool		woesid_citus_present(void);

/*
 * The relation holding registry table rel's rows on this node: its local
 * Citus placement when it is a reference table, else rel.  Inside SPI.
 */
Oid			woesid_citus_placement(Oid rel);

/*
 * On the coordinator, after woesid_authenticate: forwards the identity
 * (claims NULL: no identity) to the workers of this distributed
 * transaction.  Does nothing without Citus or a cluster key.
 */
void		woesid_citus_forward(HeapTupleHeader claims, const char *tenant,
								 TimestampTz expires_at, Oid registry_fn);

/* On a worker: the identity forwarded to this transaction, or NULL. */
const woesid_identity *woesid_citus_forwarded(void);

#endif							/* WOESID_CITUS_H */
