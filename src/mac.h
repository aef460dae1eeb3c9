/*
 * mac.h
 *		HMAC-SHA256 with a key schedule paid once per secret.
 *
 * The only part of woesid that talks to OpenSSL.  A woesid_mac_key holds the
 * digest states after the key's ipad and opad blocks; MACing a message copies
 * them instead of re-deriving them.  Keys are created and freed by their
 * owner (the fmgr layer ties them to a memory context so an ERROR can never
 * leak one).  Secrets are never copied anywhere but into OpenSSL's states,
 * and the key buffers derived from them are cleansed.
 */
#ifndef WOESID_MAC_H
#define WOESID_MAC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WOESID_MAC_LEN 32

typedef struct woesid_mac_key woesid_mac_key;

/* NULL when OpenSSL cannot allocate or initialise the states. */
woesid_mac_key *woesid_mac_key_new(const uint8_t *secret, size_t len);
void		woesid_mac_key_free(woesid_mac_key *key);

/* The length of the secret the key was made from (its bytes are not kept). */
size_t		woesid_mac_key_secret_len(const woesid_mac_key *key);

/* HMAC-SHA256(key, msg) into out; false only if OpenSSL fails. */
bool		woesid_mac(woesid_mac_key *key, const uint8_t *msg, size_t len,
					   uint8_t out[WOESID_MAC_LEN]);

/* Constant-time equality of two MACs. */
bool		woesid_mac_equal(const uint8_t a[WOESID_MAC_LEN],
							 const uint8_t b[WOESID_MAC_LEN]);

/* Wipes a buffer that held a secret or a MAC (never optimised away). */
void		woesid_cleanse(void *buf, size_t len);

/*
 * After a failure above: the reason OpenSSL gives for its last error on this
 * thread (a fixed string such as "malloc failure", naming what failed and
 * never the data it was given), or NULL when it gives none.  Empties the
 * thread's error queue.
 */
const char *woesid_mac_error_reason(void);

#endif							/* WOESID_MAC_H */
