-- claims and metadata are jsonb written straight from the parse: compare
-- them with PostgreSQL's own jsonb input of the same text, through
-- equality, containment, key lookups (binary search over the sorted keys)
-- and element access past the offset stride of 32 entries.
\set ECHO none
\getenv abs_srcdir PG_ABS_SRCDIR
\i :abs_srcdir/fixtures.sql
\set ECHO all
CREATE TABLE payload (id int, p text);
INSERT INTO payload VALUES
  (1, '{"iat":1700000000,"exp":1700000600}'),
  (2, '{"iat":1700000000,"exp":1700000600,"s":"x","t":true,"f":false,"n":null,"e":{},"a":[]}'),
  (3, '{"iat":1700000000,"exp":1700000600,"nested":{"b":[1,"x",{"deep":[[],[{}]]}],"a":{"z":1,"y":2}}}'),
  (4, '{"iat":1700000000,"exp":1700000600,"nums":[0,-0,1.5,-2.25e3,1E+2,12345678901234567890,0.000001,1e-7,9007199254740993,-123456789012345678]}'),
  (5, '{"iat":1700000000,"exp":1700000600,"ключ":"значение","é":"\u00e9","emoji":"\ud83d\ude00","esc":"a\"b\\c\n"}'),
  (6, (SELECT '{"iat":1700000000,"exp":1700000600,' ||
              string_agg(format('"k%s":%s', i, i), ',') || '}' FROM generate_series(1, 70) i)),
  (7, (SELECT '{"iat":1700000000,"exp":1700000600,"arr":[' ||
              string_agg(format('"v%s"', i), ',') || ']}' FROM generate_series(1, 100) i)),
  (8, (SELECT '{"iat":1700000000,"exp":1700000600,"objs":[' ||
              string_agg(format('{"i":%s,"pad":"%s"}', i, repeat('p', i % 7)), ',') || ']}'
       FROM generate_series(1, 40) i)),
  (9, '{"iat":1700000000,"exp":1700000600,"bb":1,"a":2,"ccc":3,"b":4,"aa":5}'),
  (10, '{"iat":1700000000,"exp":1700000600,"ints":[1,9999,10000,10001,99990000,100000000,-10000,-1,-0,0,1000000000000,123456789012345678,-999999999999999999,100000000000000000,1000000000000000000]}');

SELECT id,
       c.claims = j AS equal,
       c.claims @> j AND j @> c.claims AS contained,
       c.claims::text = j::text AS same_text,
       (SELECT bool_and(c.claims ? k AND c.claims -> k = j -> k)
        FROM jsonb_object_keys(j) AS k) AS lookups
FROM payload,
     LATERAL (SELECT p::jsonb AS j) AS parsed,
     LATERAL woesid_verify_variables(tok(p), test_secret(), test_at()) AS c
ORDER BY id;

-- past the stride: the 33rd, 64th and last entries
SELECT c.claims -> 'k33' AS k33, c.claims -> 'k64' AS k64, c.claims -> 'k70' AS k70
FROM payload, LATERAL woesid_verify_variables(tok(p), test_secret(), test_at()) c WHERE id = 6;
SELECT c.claims -> 'arr' -> 32 AS e32, c.claims -> 'arr' -> 64 AS e64, c.claims -> 'arr' -> 99 AS e99,
       jsonb_array_length(c.claims -> 'arr') AS len
FROM payload, LATERAL woesid_verify_variables(tok(p), test_secret(), test_at()) c WHERE id = 7;
SELECT c.claims #> '{objs,39}' AS last_obj, c.claims -> 'nums' AS nums
FROM payload, LATERAL woesid_verify_variables(tok(p), test_secret(), test_at()) c WHERE id IN (4, 8)
ORDER BY id;

-- stored uncompressed, each in its own table (a shared row could push one
-- of them out of line), beside PostgreSQL's own jsonb of the same text:
-- the same size on disk, and equal when read back
CREATE TABLE stored_claims (id int, x jsonb);
CREATE TABLE stored_input (id int, x jsonb);
ALTER TABLE stored_claims ALTER COLUMN x SET STORAGE EXTERNAL;
ALTER TABLE stored_input ALTER COLUMN x SET STORAGE EXTERNAL;
INSERT INTO stored_claims
SELECT id, c.claims FROM payload, LATERAL woesid_verify_variables(tok(p), test_secret(), test_at()) c;
INSERT INTO stored_input SELECT id, p::jsonb FROM payload;
SELECT id, pg_column_size(c.x) = pg_column_size(i.x) AS same_size, c.x = i.x AS equal
FROM stored_claims c JOIN stored_input i USING (id) ORDER BY id;
-- and byte for byte: jsonb equality compares numbers by value, so a numeric
-- written in another (valid) form would pass the test above
CREATE EXTENSION pageinspect;
SELECT c.lp, c.t_data = i.t_data AS same_bytes
FROM heap_page_items(get_raw_page('stored_claims', 0)) c
JOIN heap_page_items(get_raw_page('stored_input', 0)) i USING (lp)
ORDER BY c.lp;
DROP EXTENSION pageinspect;

-- metadata (every member but the signed ones) is the same kind of jsonb
SELECT metadata = (p::jsonb - 'iat' - 'exp') AS metadata_equal
FROM payload,
     LATERAL woesid_hmac_email(
        (p::jsonb - 'iat' - 'exp' || jsonb_build_object('email', 'a@b.c',
            'email_hash', woesid_email_hash('a@b.c', decode(test_secret(), 'hex'))))::text,
        decode(test_secret(), 'hex')) AS h
ORDER BY id;
SELECT claims = '{"email":"a@b.c"}'::jsonb AS email_claims, claims ? 'email' AS lookup
FROM woesid_hmac_email(jsonb_build_object('email', 'A@B.C',
        'email_hash', woesid_email_hash('a@b.c', decode(test_secret(), 'hex')))::text,
     decode(test_secret(), 'hex'));
DROP TABLE stored_claims, stored_input, payload;

-- numbers at the edges of numeric's range: woesid takes exactly what
-- PostgreSQL's own jsonb input takes (anything else is malformed, never an
-- ERROR) and keeps the same value; a time claim beyond a double is
-- invalid_claim however large.  Long digit strings need a larger limit.
SET woesid.max_token_bytes = '1MB';
CREATE FUNCTION jsonb_takes(n text) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
  PERFORM n::jsonb;
  RETURN true;
EXCEPTION WHEN numeric_value_out_of_range OR invalid_text_representation THEN
  RETURN false;
END $$;
CREATE TABLE edge (name text, n text);
INSERT INTO edge VALUES
  ('10^131071', '1e131071'), ('10^131072', '1e131072'), ('-9.9e131071', '-9.9e131071'),
  ('10^-16383', '1e-16383'), ('10^-16384', '1e-16384'),
  ('0 scale 16383', '0.0e-16382'), ('0 scale 16384', '0.0e-16383'),
  ('leading digit in fraction, 10^131071', '0.0001e131075'),
  ('leading digit in fraction, 10^131072', '0.0001e131076'),
  ('0e1073741822', '0e1073741822'), ('0e2000000000', '0e2000000000'),
  ('1e1001', '1e1001'), ('-1e-1001', '-1e-1001'),
  ('131072 nines', repeat('9', 131072)), ('131073 nines', repeat('9', 131073)),
  ('16383 fraction digits', '0.' || repeat('7', 16383)),
  ('16384 fraction digits', '0.' || repeat('7', 16384)),
  ('1000 zeros, 1, e131071', '0.' || repeat('0', 999) || '1e132071'),
  ('1000 zeros, 1, e131072', '0.' || repeat('0', 999) || '1e132072');
SELECT name, jsonb_takes(n) AS jsonb, h.failure,
       CASE WHEN jsonb_takes(n) THEN h.metadata = format('{"x":%s}', n)::jsonb END AS same_value
FROM edge,
     LATERAL woesid_hmac_email(format('{"email":"a@b.c","email_hash":"%s","x":%s}',
                                      repeat('0', 64), n), decode(test_secret(), 'hex')) AS h
ORDER BY name;
SELECT name, v.failure
FROM edge,
     LATERAL woesid_verify_variables(tok(format('{"iat":1700000000,"exp":%s}', n)),
                                     test_secret(), test_at()) AS v
WHERE jsonb_takes(n)
ORDER BY name;
RESET woesid.max_token_bytes;
DROP TABLE edge;
DROP FUNCTION jsonb_takes(text);
