/*
 * swar.h
 *		Eight bytes at a time in a 64-bit word, for the core's hot scans.
 *
 * Shared by the JSON string scanner and the ASCII email fast path.  Loads
 * only the eight bytes the caller says are there; no PostgreSQL header.
 */
#ifndef WOESID_SWAR_H
#define WOESID_SWAR_H

#include <stdint.h>

#define SWAR_ONES	UINT64_C(0x0101010101010101)
#define SWAR_HIGHS	UINT64_C(0x8080808080808080)

/*
 * The 8 bytes at p as a number, the first byte lowest whatever the machine's
 * byte order (compilers turn this into one load on little-endian machines).
 */
static inline uint64_t
swar_load_le64(const void *p)
{
	const unsigned char *u = (const unsigned char *) p;

	return (uint64_t) u[0] | (uint64_t) u[1] << 8 | (uint64_t) u[2] << 16 |
		(uint64_t) u[3] << 24 | (uint64_t) u[4] << 32 | (uint64_t) u[5] << 40 |
		(uint64_t) u[6] << 48 | (uint64_t) u[7] << 56;
}

/* Stores w at p, its lowest byte first (the inverse of swar_load_le64). */
static inline void
swar_store_le64(void *p, uint64_t w)
{
	unsigned char *u = (unsigned char *) p;

	/* written out so that compilers merge it into one store */
	u[0] = (unsigned char) w;
	u[1] = (unsigned char) (w >> 8);
	u[2] = (unsigned char) (w >> 16);
	u[3] = (unsigned char) (w >> 24);
	u[4] = (unsigned char) (w >> 32);
	u[5] = (unsigned char) (w >> 40);
	u[6] = (unsigned char) (w >> 48);
	u[7] = (unsigned char) (w >> 56);
}

#endif							/* WOESID_SWAR_H */
