/*
 * mac.c
 *		HMAC-SHA256 over OpenSSL 3 EVP digests, with precomputed key states.
 *
 * RFC 2104 done by hand so the key schedule (hashing the key's ipad and opad
 * blocks) is paid once per secret: each MAC copies the two saved states.
 * Uses no deprecated OpenSSL API.  Must never keep a secret outside the key
 * object, and must cleanse every buffer derived from one.
 */
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include "mac.h"

#define SHA256_BLOCK 64

struct woesid_mac_key
{
	EVP_MD_CTX *inner;			/* SHA-256 state after key ^ ipad */
	EVP_MD_CTX *outer;			/* SHA-256 state after key ^ opad */
	EVP_MD_CTX *work;			/* scratch state each MAC copies into */
	size_t		secret_len;		/* bytes of the secret it was made from */
};

/*
 * The SHA-256 implementation, fetched once per process: an explicit fetch
 * avoids the per-call implicit fetch EVP_sha256() would cost.
 */
static EVP_MD *
sha256(void)
{
	static EVP_MD *md;

	if (md == NULL)
		md = EVP_MD_fetch(NULL, "SHA256", NULL);
	return md;
}

static bool
absorb_pad(EVP_MD_CTX *ctx, const uint8_t block[SHA256_BLOCK], uint8_t pad)
{
	uint8_t		padded[SHA256_BLOCK];
	bool		ok;

	for (int i = 0; i < SHA256_BLOCK; i++)
		padded[i] = block[i] ^ pad;
	ok = EVP_DigestInit_ex2(ctx, sha256(), NULL) == 1 &&
		EVP_DigestUpdate(ctx, padded, SHA256_BLOCK) == 1;
	OPENSSL_cleanse(padded, sizeof(padded));
	return ok;
}

woesid_mac_key *
woesid_mac_key_new(const uint8_t *secret, size_t len)
{
	woesid_mac_key *key;
	uint8_t		block[SHA256_BLOCK] = {0};
	unsigned int hashed_len;
	bool		ok;

	if (sha256() == NULL)
		return NULL;
	key = OPENSSL_zalloc(sizeof(woesid_mac_key));
	if (key == NULL)
		return NULL;
	key->inner = EVP_MD_CTX_new();
	key->outer = EVP_MD_CTX_new();
	key->work = EVP_MD_CTX_new();
	ok = key->inner != NULL && key->outer != NULL && key->work != NULL;
	key->secret_len = len;

	/* RFC 2104: a key longer than the block is replaced by its hash. */
	if (ok && len > SHA256_BLOCK)
		ok = EVP_Digest(secret, len, block, &hashed_len, sha256(), NULL) == 1;
	else if (ok)
		memcpy(block, secret, len);

	ok = ok && absorb_pad(key->inner, block, 0x36) &&
		absorb_pad(key->outer, block, 0x5c);
	OPENSSL_cleanse(block, sizeof(block));
	if (!ok)
	{
		woesid_mac_key_free(key);
		return NULL;
	}
	return key;
}

size_t
woesid_mac_key_secret_len(const woesid_mac_key *key)
{
	return key->secret_len;
}

void
woesid_mac_key_free(woesid_mac_key *key)
{
	if (key == NULL)
		return;
	/* EVP_MD_CTX_free cleanses the digest states before freeing them. */
	EVP_MD_CTX_free(key->inner);
	EVP_MD_CTX_free(key->outer);
	EVP_MD_CTX_free(key->work);
	OPENSSL_free(key);
}

bool
woesid_mac(woesid_mac_key *key, const uint8_t *msg, size_t len,
		   uint8_t out[WOESID_MAC_LEN])
{
	unsigned int out_len;
	bool		ok;

	ok = EVP_MD_CTX_copy_ex(key->work, key->inner) == 1 &&
		EVP_DigestUpdate(key->work, msg, len) == 1 &&
		EVP_DigestFinal_ex(key->work, out, &out_len) == 1 &&
		EVP_MD_CTX_copy_ex(key->work, key->outer) == 1 &&
		EVP_DigestUpdate(key->work, out, WOESID_MAC_LEN) == 1 &&
		EVP_DigestFinal_ex(key->work, out, &out_len) == 1;

	/*
	 * key->work is not reset here: that would cleanse and free the digest
	 * state and drop the digest's reference, only for the next copy to take
	 * them again (~10% of a MAC).  What the finalised state holds is this
	 * MAC, which the saved inner and outer states can recompute anyway, and
	 * woesid_mac_key_free cleanses it with them.
	 */
	return ok;
}

/*
 * Two 16-byte halves because OpenSSL's x86-64 CRYPTO_memcmp compares exactly
 * 16 bytes with two word loads and any other length a byte at a time.  Both
 * halves are always compared (| rather than ||), so the time still does not
 * depend on where the MACs differ.
 */
bool
woesid_mac_equal(const uint8_t a[WOESID_MAC_LEN], const uint8_t b[WOESID_MAC_LEN])
{
	int			half = WOESID_MAC_LEN / 2;

	return (CRYPTO_memcmp(a, b, half) | CRYPTO_memcmp(a + half, b + half, half)) == 0;
}

void
woesid_cleanse(void *buf, size_t len)
{
	OPENSSL_cleanse(buf, len);
}

/*
 * The last error is the one closest to the failure; an older one may be
 * anything this thread left behind.  ERR_reason_error_string gives a string
 * of OpenSSL's own that outlives the queue.
 */
const char *
woesid_mac_error_reason(void)
{
	unsigned long err = ERR_peek_last_error();

	ERR_clear_error();
	return err != 0 ? ERR_reason_error_string(err) : NULL;
}
