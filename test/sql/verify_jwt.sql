-- woesid_verify_jwt: a valid token, every reason code, the reason order and
-- fail-closed results.  Tokens are deterministic; time comes from "at".
\set ECHO none
\getenv abs_srcdir PG_ABS_SRCDIR
\i :abs_srcdir/fixtures.sql
\set ECHO all
\x on
SELECT * FROM woesid_verify_jwt(tok(claims()), test_secret(), 'wpk_test', test_at());
-- bytea secret form: the same bytes verify the same way
SELECT verified, email FROM woesid_verify_jwt(tok(claims()), convert_to(test_secret(), 'UTF8'), 'wpk_test', test_at());
\x off

-- A failed verification: every trusted field NULL, exactly one reason.
SELECT * FROM woesid_verify_jwt(tok(claims()), test_secret() || 'x', 'wpk_test', test_at());

-- missing_secret and missing
SELECT (woesid_verify_jwt(tok(claims()), NULL::text, 'wpk_test', test_at())).failure;
SELECT (woesid_verify_jwt(tok(claims()), '', 'wpk_test', test_at())).failure;
SELECT (woesid_verify_jwt(tok(claims()), ''::bytea, 'wpk_test', test_at())).failure;
SELECT (woesid_verify_jwt(NULL, test_secret(), 'wpk_test', test_at())).failure;
SELECT (woesid_verify_jwt('', test_secret(), 'wpk_test', test_at())).failure;
SELECT (woesid_verify_jwt(NULL, NULL::text, NULL, NULL)).failure;
-- unsupported_algorithm, unsupported_header, bad_signature
SELECT why(jws('{"alg":"HS384"}', claims()));
SELECT why(jws('{"alg":"HS256","cty":"JWT"}', claims()));
SELECT why(tok(claims()) || 'A');
-- missing_claim and invalid_claim
SELECT why(tok(claims('{"exp":null}'::jsonb) ));
SELECT why(tok((claims()::jsonb - 'exp')::text));
SELECT why(tok((claims()::jsonb - 'iat')::text));
SELECT why(tok(claims('{"exp":"1700000600"}')));
SELECT why(tok(claims('{"iat":-1}')));
SELECT why(tok(claims('{"exp":253402300800}')));
SELECT why(tok(claims('{"nbf":true}')));
SELECT why(tok(claims('{"exp":253402300799, "iat":253402300000}')));
-- fractions are allowed
SELECT why(tok(claims('{"iat":1700000000.5, "exp":1700000600.25}')));

-- expired: now >= exp + skew (30 s by default)
SELECT (woesid_verify_jwt(tok(claims()), test_secret(), 'wpk_test', to_timestamp(1700000629.999))).failure AS just_before,
       (woesid_verify_jwt(tok(claims()), test_secret(), 'wpk_test', to_timestamp(1700000630))).failure AS at_exp_plus_skew;
-- not_yet_valid: iat or nbf > now + skew
SELECT (woesid_verify_jwt(tok(claims()), test_secret(), 'wpk_test', to_timestamp(1699999970))).failure AS iat_at_skew,
       (woesid_verify_jwt(tok(claims()), test_secret(), 'wpk_test', to_timestamp(1699999969.5))).failure AS iat_beyond_skew;
SELECT why(tok(claims('{"nbf":1700000130}'))) AS nbf_at_skew,
       why(tok(claims('{"nbf":1700000131}'))) AS nbf_beyond_skew;
-- lifetime_exceeded: exp - iat > 15 min
SELECT why(tok(claims('{"exp":1700000900}'))) AS fifteen_minutes,
       why(tok(claims('{"exp":1700000901}'))) AS longer;
-- NULL at: an unknown time never shows a token valid
SELECT (woesid_verify_jwt(tok(claims()), test_secret(), 'wpk_test', NULL)).failure;
SELECT (woesid_verify_jwt(tok(claims()), test_secret(), 'wpk_test', 'infinity')).failure,
       (woesid_verify_jwt(tok(claims()), test_secret(), 'wpk_test', '-infinity')).failure;

-- audience_mismatch: byte for byte, a string or an array of strings only
SELECT (woesid_verify_jwt(tok(claims()), test_secret(), 'WPK_TEST', test_at())).failure;
SELECT (woesid_verify_jwt(tok(claims()), test_secret(), 'wpk_test ', test_at())).failure;
SELECT (woesid_verify_jwt(tok(claims()), test_secret(), NULL, test_at())).failure;
SELECT why(tok((claims()::jsonb - 'aud')::text));
SELECT why(tok(claims('{"aud":["other","wpk_test"]}'))) AS array_with_it,
       why(tok(claims('{"aud":["other"]}'))) AS array_without,
       why(tok(claims('{"aud":["wpk_test",1]}'))) AS array_with_number,
       why(tok(claims('{"aud":[]}'))) AS empty_array,
       why(tok(claims('{"aud":{"wpk_test":true}}'))) AS object;

-- missing_email
SELECT why(tok((claims()::jsonb - 'email')::text));
SELECT why(tok(claims('{"email":" \t\n "}')));
SELECT why(tok(claims('{"email":42}')));

-- Reason order: the first that applies wins.
SELECT why(jws('{"alg":"none"}', '{"exp":1}')) AS alg_before_claims;
SELECT why(tok(claims('{"exp":1}')) || 'A') AS signature_before_expiry;
SELECT why(jws('{"alg":"HS256","crit":["exp"]}', claims(), 'wrong')) AS header_before_signature;
SELECT why(jws('{"typ":"JWT"}', claims(), 'wrong')) AS alg_before_signature;
SELECT why(tok(claims('{"exp":"soon","iat":null}') )) AS invalid_claim;
SELECT why(tok((claims('{"exp":"soon"}')::jsonb - 'iat')::text)) AS missing_before_invalid;
SELECT why(tok(claims('{"exp":1700000000, "iat":1699000000}'))) AS expired_before_lifetime;
SELECT why(tok(claims('{"iat":1700000200, "exp":1700009999}'))) AS not_yet_valid_before_lifetime;
SELECT why(tok(claims('{"exp":1700009999, "aud":"other"}'))) AS lifetime_before_audience;
SELECT why(tok(claims('{"aud":"other", "email":""}'))) AS audience_before_email;
SELECT (woesid_verify_jwt('x', NULL::text, NULL, NULL)).failure AS secret_first;

-- Identity fields: ids from strings or integers only; kid is reported.
SELECT email, contact_external_id, account_external_id
FROM woesid_verify_jwt(tok(claims('{"contact_external_id":9007199254740993, "account_external_id":-5}')),
                       test_secret(), 'wpk_test', test_at());
SELECT contact_external_id IS NULL AS fraction_id, account_external_id IS NULL AS bool_id
FROM woesid_verify_jwt(tok(claims('{"contact_external_id":1.5, "account_external_id":true}')),
                       test_secret(), 'wpk_test', test_at());
SELECT key_id FROM woesid_verify_jwt(jws('{"alg":"HS256","kid":"2024-rot"}', claims()),
                                     test_secret(), 'wpk_test', test_at());
SELECT verified, key_id FROM woesid_verify_jwt(jws('{"alg":"HS256","kid":7}', claims()),
                                               test_secret(), 'wpk_test', test_at());
-- typ is compared case-insensitively; jwk/jku/x5u/x5c are ignored
SELECT why(jws('{"alg":"HS256","typ":"jwt"}', claims())) AS lower_typ,
       why(jws('{"alg":"HS256","typ":"JOSE"}', claims())) AS other_typ,
       why(jws('{"alg":"HS256","jku":"https://evil.example/k","x5u":"https://evil.example/c","jwk":{},"x5c":[]}', claims())) AS url_headers;
-- claims keeps every verified claim, including unknown ones, as jsonb
SELECT claims->'plan' AS plan, claims->'nested' AS nested
FROM woesid_verify_jwt(tok(claims('{"plan":"pro","nested":{"a":[1,2.50,null,false]}}')),
                       test_secret(), 'wpk_test', test_at());

-- Checked at the statement's time by the three-argument form.
SELECT (woesid_verify_jwt(tok(claims()), test_secret(), 'wpk_test')).failure;
