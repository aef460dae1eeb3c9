-- Hostile tokens: every one must give verified = false and a reason code,
-- never an ERROR.  Each is correctly signed unless said otherwise, so the
-- rejection comes from the rule under test.
\set ECHO none
\getenv abs_srcdir PG_ABS_SRCDIR
\i :abs_srcdir/fixtures.sql
\set ECHO all

-- alg "none" and its variants
SELECT why(jws('{"alg":"none"}', claims())) AS none,
       why(jws('{"alg":"None"}', claims())) AS none_capital,
       why(jws('{"alg":"hs256"}', claims())) AS lower,
       why(jws('{"alg":"HS256 "}', claims())) AS trailing_space,
       why(jws('{"alg":"RS256"}', claims())) AS rs256,
       why(jws('{"alg":["HS256"]}', claims())) AS array,
       why(jws('{"alg":null}', claims())) AS null_alg,
       why(jws('{}', claims())) AS no_alg;
-- an unsigned "none" token with an empty signature segment
SELECT why(b64url('{"alg":"none"}') || '.' || b64url(convert_to(claims(), 'UTF8')) || '.');
-- the escaped spelling is the same JSON string
SELECT why(jws('{"alg":"HS\u0032\u0035\u0036"}', claims()));

-- unsupported headers
SELECT why(jws('{"alg":"HS256","crit":["exp"]}', claims())) AS crit,
       why(jws('{"alg":"HS256","b64":false}', claims())) AS b64,
       why(jws('{"alg":"HS256","enc":"A128GCM"}', claims())) AS enc,
       why(jws('{"alg":"HS256","typ":1}', claims())) AS typ_number;

-- structure: segments, padding, alphabet, canonical trailing bits
SELECT why(split_part(tok(claims()), '.', 1) || '.' || split_part(tok(claims()), '.', 2)) AS two_segments,
       why(tok(claims()) || '.') AS four_segments,
       why('..') AS empty_segments,
       why('.' || split_part(tok(claims()), '.', 2) || '.' || split_part(tok(claims()), '.', 3)) AS empty_header;
SELECT why(tok(claims()) || '=') AS padded_signature,
       why(replace(tok(claims()), 'J9.', 'J9==.')) AS padded_header,
       why(' ' || tok(claims())) AS leading_space,
       why(tok(claims()) || E'\n') AS trailing_newline;
-- a header in the standard alphabet ('+' and '/'), correctly signed
SELECT h ~ '[+/]' AS has_standard_chars,
       why(h || '.' || p || '.' || b64url(hmac(h || '.' || p, test_secret(), 'sha256'))) AS standard_alphabet
FROM (SELECT translate(b64url('{"alg":"HS256","x":"~~~~~~???"}'), '-_', '+/') AS h,
             b64url(convert_to(claims(), 'UTF8')) AS p) AS t;
-- '{"alg":"HS256" }' is 16 bytes: its last character carries 4 zero bits;
-- 'R' instead of 'Q' decodes to the same bytes with a non-zero trailing bit
SELECT right(h, 1) AS last_char,
       why(h || '.' || p || '.' || b64url(hmac(h || '.' || p, test_secret(), 'sha256'))) AS canonical,
       why(left(h, -1) || 'R.' || p || '.' || b64url(hmac(left(h, -1) || 'R.' || p, test_secret(), 'sha256'))) AS noncanonical
FROM (SELECT b64url('{"alg":"HS256" }') AS h, b64url(convert_to(claims(), 'UTF8')) AS p) AS t;
-- a signature segment that decodes to other than 32 bytes
SELECT why(split_part(tok(claims()), '.', 1) || '.' || split_part(tok(claims()), '.', 2) || '.' || b64url('\x00'::bytea)) AS short_sig,
       why(tok(claims()) || 'AAAA') AS long_sig,
       why(tok(claims()) || 'AA') AS length_1_mod_4;
-- a payload segment that is not base64url: bad_signature unless signed
SELECT why(split_part(tok(claims()), '.', 1) || '.!!!!.' || split_part(tok(claims()), '.', 3)) AS unsigned_bad_payload;
SELECT why(s || '.' || b64url(hmac(s, test_secret(), 'sha256'))) AS signed_bad_payload
FROM (SELECT b64url('{"alg":"HS256"}') || '.e30=' AS s) AS t;
SELECT why(s || '.' || b64url(hmac(s, test_secret(), 'sha256'))) AS signed_array_payload
FROM (SELECT b64url('{"alg":"HS256"}') || '.' || b64url('[1]') AS s) AS t;

-- strict JSON in the header and the payload
SELECT why(jws('[{"alg":"HS256"}]', claims())) AS header_array,
       why(jws('{"alg":"HS256","alg":"HS256"}', claims())) AS duplicate_alg,
       why(jws('{"alg":"HS256","\u0061lg":"none"}', claims())) AS escaped_duplicate,
       why(jws('{"alg":"HS256"} ', claims())) AS trailing_space_ok,
       why(jws('{"alg":"HS256"}x', claims())) AS trailing_data,
       why(jws(E'\uFEFF{"alg":"HS256"}', claims())) AS bom,
       why(jws('{''alg'':''HS256''}', claims())) AS single_quotes;
SELECT why(tok('{"email":"a@b.c","email":"a@b.c","iat":1700000000,"exp":1700000600,"aud":"wpk_test"}')) AS duplicate_claim,
       why(tok(claims() || ' ')) AS trailing_space_ok,
       why(tok(claims() || ',')) AS trailing_comma,
       why(tok(replace(claims(), '"Ann"', '"\u0000"'))) AS escaped_nul,
       why(tok(replace(claims(), '"Ann"', '"A\u0000B"'))) AS escaped_nul_inside;
SELECT why(tok(replace(claims(), '"Ann"', '"\ud800"'))) AS lone_high_surrogate,
       why(tok(replace(claims(), '"Ann"', '"\udc00\ud800"'))) AS reversed_pair,
       why(tok(replace(claims(), '"Ann"', '"\ud83d\ude00"'))) AS valid_pair;
SELECT why(tok(replace(claims(), '1700000000', '01700000000'))) AS leading_zero,
       why(tok(replace(claims(), '1700000000', '+1700000000'))) AS plus_sign,
       why(tok(replace(claims(), '1700000000', '1700000000.'))) AS bare_point,
       why(tok(replace(claims(), '1700000000', '17e8'))) AS exponent_ok,
       why(tok(replace(claims(), '1700000000', 'NaN'))) AS nan,
       why(tok(replace(claims(), '1700000000', '1e400'))) AS not_finite,
       why(tok(replace(claims(), '"Ann"', '1e131072'))) AS exponent_beyond_numeric,
       why(tok(replace(claims(), '"Ann"', 'True'))) AS bad_literal;
-- nesting: 32 levels are allowed, 33 are not (the payload object is level 1)
SELECT why(tok(replace(claims(), '"Ann"', repeat('[', 31) || repeat(']', 31)))) AS depth_32,
       why(tok(replace(claims(), '"Ann"', repeat('[', 32) || repeat(']', 32)))) AS depth_33,
       why(tok(replace(claims(), '"Ann"', repeat('{"a":', 32) || '1' || repeat('}', 32)))) AS object_depth_33,
       why(tok(replace(claims(), '"Ann"', repeat('[', 5000) || repeat(']', 5000)))) AS depth_5001;

-- invalid UTF-8 inside a signed payload or header
SELECT why(jws_raw(convert_to('{"alg":"HS256"}', 'UTF8'),
                   decode(replace(encode(convert_to(claims(), 'UTF8'), 'hex'), encode('"Ann"', 'hex'), '22c0af22'), 'hex'),
                   convert_to(test_secret(), 'UTF8'))) AS overlong,
       why(jws_raw(convert_to('{"alg":"HS256"}', 'UTF8'),
                   decode(replace(encode(convert_to(claims(), 'UTF8'), 'hex'), encode('"Ann"', 'hex'), '22eda08022'), 'hex'),
                   convert_to(test_secret(), 'UTF8'))) AS encoded_surrogate,
       why(jws_raw(convert_to('{"alg":"HS256"}', 'UTF8'),
                   decode(replace(encode(convert_to(claims(), 'UTF8'), 'hex'), encode('"Ann"', 'hex'), '22f490808022'), 'hex'),
                   convert_to(test_secret(), 'UTF8'))) AS beyond_10ffff,
       why(jws_raw(convert_to('{"alg":"HS256"}', 'UTF8'),
                   decode(replace(encode(convert_to(claims(), 'UTF8'), 'hex'), encode('"Ann"', 'hex'), '22ff22'), 'hex'),
                   convert_to(test_secret(), 'UTF8'))) AS byte_ff,
       why(jws_raw(convert_to('{"alg":"HS256"}', 'UTF8'),
                   decode(replace(encode(convert_to(claims(), 'UTF8'), 'hex'), encode('"Ann"', 'hex'), '22410a22'), 'hex'),
                   convert_to(test_secret(), 'UTF8'))) AS raw_newline;
SELECT why(jws_raw('\xfe7b22616c67223a224853323536227d'::bytea, convert_to(claims(), 'UTF8'),
                   convert_to(test_secret(), 'UTF8'))) AS header_invalid_utf8;

-- size: more than woesid.max_token_bytes (8 kB) is malformed before any
-- decoding, even when correctly signed
SELECT length(tok(claims(jsonb_build_object('pad', repeat('x', 5900))))) AS near_limit_length,
       why(tok(claims(jsonb_build_object('pad', repeat('x', 5900))))) AS near_limit;
SELECT why(tok(claims(jsonb_build_object('pad', repeat('x', 6200))))) AS over_limit;
SELECT why(repeat('A', 100000000)) AS hundred_megabytes;
SELECT why(repeat('.', 5)) AS dots;
-- garbage of every kind never raises
SELECT count(*) FILTER (WHERE why(g) IS NULL) AS null_reasons,
       count(DISTINCT why(g)) AS distinct_reasons
FROM (SELECT substr(tok(claims()), 1, n) AS g FROM generate_series(0, 400) AS n) AS prefixes;
SELECT why(overlay(tok(claims()) PLACING chr(c) FROM 30 FOR 1)) AS reason, count(*)
FROM generate_series(1, 255) AS c
GROUP BY 1 ORDER BY 1;
