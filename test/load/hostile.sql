-- test/load/hostile.sql (pgbench): one hostile sample (garbage, alg none,
-- oversized, forged; JWTs and hmac_email payloads) through woesid_verify_jwt,
-- woesid_hmac_email or woesid_identify must fail with its reason code.
-- A wrong outcome raises "load check failed", which pgbench counts.
\set s random(:hostile_min, :hostile_max)
SELECT load_check(coalesce(CASE WHEN (c).verified THEN 'ok ' || (c).email ELSE (c).failure END, 'NULL') = want,
                  format('sample %s gave %s, not %s', id,
                         coalesce(CASE WHEN (c).verified THEN 'ok ' || (c).email ELSE (c).failure END, 'NULL'), want))
FROM (SELECT id, want,
             CASE fn WHEN 'jwt' THEN woesid_verify_jwt(token, secret, 'wpk_load_jwt')
                     WHEN 'hmac' THEN woesid_hmac_email(token, decode(secret, 'hex'))
                     WHEN 'identify' THEN woesid_identify(widget, payload) END AS c
      FROM sample WHERE id = :s OFFSET 0) AS t;
