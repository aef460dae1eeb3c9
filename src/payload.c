/*
 * payload.c
 *		What a widget mode takes: the identify payload the browser sent, read
 *		by the strict JSON reader, the member that carries the mode's
 *		signature, and a key long enough to trust.
 *
 * Every registry path (text and jsonb payloads, the trigger) and
 * woesid_hmac_email read payloads through woesid_payload_parse, so one
 * reader decides what is well-formed.  The size limit is applied before a
 * byte is read.  Never raises, allocates only from the caller's arena, and
 * tells a payload meant for another mode (wrong_mode) from one that sent
 * nothing (missing) without reading any value but the members' types.
 */
#include <string.h>

#include "core.h"

const char *const woesid_mode_name[WOESID_MODE_COUNT] = {
	[WOESID_MODE_OFF] = "off",
	[WOESID_MODE_JWT] = "jwt",
	[WOESID_MODE_HMAC_EMAIL] = "hmac_email",
	[WOESID_MODE_VARIABLES] = "variables",
};

/* The member holding each signed mode's signature, in woesid_mode order. */
static const wj_name signature_members[WOESID_MODE_COUNT] = {
	[WOESID_MODE_OFF] = {NULL, 0},
	[WOESID_MODE_JWT] = WJ_NAME("jwt"),
	[WOESID_MODE_HMAC_EMAIL] = WJ_NAME("email_hash"),
	[WOESID_MODE_VARIABLES] = WJ_NAME("signedVariables"),
};

const woesid_covered woesid_mode_covered[WOESID_MODE_COUNT] = {
	[WOESID_MODE_OFF] = {NULL, 0},
	[WOESID_MODE_JWT] = {&signature_members[WOESID_MODE_JWT], 1},
	[WOESID_MODE_HMAC_EMAIL] = {woesid_hmac_signed_members, WOESID_HMAC_SIGNED_MEMBERS},
	[WOESID_MODE_VARIABLES] = {&signature_members[WOESID_MODE_VARIABLES], 1},
};

bool
woesid_mode_from_name(const char *name, size_t len, woesid_mode *out)
{
	for (int m = 0; m < WOESID_MODE_COUNT; m++)
		if (strlen(woesid_mode_name[m]) == len &&
			memcmp(woesid_mode_name[m], name, len) == 0)
		{
			*out = (woesid_mode) m;
			return true;
		}
	return false;
}

woesid_reason
woesid_key_reason(const woesid_mac_key *key)
{
	if (key == NULL || woesid_mac_key_secret_len(key) == 0)
		return WOESID_MISSING_SECRET;
	if (woesid_mac_key_secret_len(key) < WOESID_MIN_SECRET_BYTES)
		return WOESID_WEAK_SECRET;
	return WOESID_OK;
}

size_t
woesid_payload_arena_bound(size_t len)
{
	return wj_arena_bound(len);
}

woesid_reason
woesid_payload_parse(const char *text, size_t len, size_t max_bytes,
					 woesid_arena *arena, wj_doc *doc)
{
	if (len == 0)
		return WOESID_MISSING;
	if (len > max_bytes || text == NULL ||
		!wj_parse(text, len, arena, doc) || doc->nodes[0].type != WJ_OBJECT)
		return WOESID_MALFORMED;
	return WOESID_OK;
}

/* The string a token-carrying mode needs, or NULL. */
static const wj_node *
token_member(const wj_doc *doc, uint32_t index)
{
	const wj_node *node = &doc->nodes[index];

	return index != 0 && node->type == WJ_STRING && node->len > 0 ? node : NULL;
}

void
woesid_payload_open(const char *text, size_t len, size_t max_bytes,
					woesid_mode mode, woesid_arena *arena, woesid_payload *out)
{
	uint32_t	member[WOESID_MODE_COUNT];
	bool		other = false;

	memset(out, 0, sizeof(*out));
	out->reason = woesid_payload_parse(text, len, max_bytes, arena, &out->doc);
	if (out->reason != WOESID_OK)
		return;
	out->parsed = true;
	if (mode == WOESID_MODE_OFF)
		return;

	/* one pass finds every signed mode's member (off has none: skipped) */
	wj_members(&out->doc, 0, signature_members + 1, WOESID_MODE_COUNT - 1, member + 1);
	for (int m = 1; m < WOESID_MODE_COUNT; m++)
		if (m != (int) mode && member[m] != 0)
			other = true;

	if (member[mode] == 0)
		out->reason = other ? WOESID_WRONG_MODE : WOESID_MISSING;
	else if (mode != WOESID_MODE_HMAC_EMAIL &&
			 (out->token = token_member(&out->doc, member[mode])) == NULL)
		out->reason = WOESID_MISSING;
}
