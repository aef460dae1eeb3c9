-- test/memory/verify.sql: one statement of the memory test: every sample,
-- :reps times, through the call its fn names, interleaved (consecutive
-- calls never repeat the same inputs, so woesid's last-call cache does not
-- turn verifications into recalls).  Prints verifications, wrong
-- outcomes and the first wrong one.  psql variables: reps, samples (the
-- corpus size) and batch (a label unique to the statement, so made-up public
-- keys are never reused).
SELECT count(*) AS n,
       count(*) FILTER (WHERE got IS DISTINCT FROM want) AS wrong,
       coalesce(min(kind || ': got ' || coalesce(got, 'NULL') || ', want ' || want)
                    FILTER (WHERE got IS DISTINCT FROM want), '-') AS first_wrong
FROM (SELECT s.kind, s.want,
             CASE WHEN s.fn = 'email_hash' THEN hash
                  WHEN (v.c).verified THEN 'ok ' || (v.c).email
                  ELSE (v.c).failure END AS got
      FROM generate_series(0, :reps * :samples - 1) AS g
      JOIN sample AS s ON s.id = g % :samples
      CROSS JOIN
      LATERAL (SELECT CASE s.fn
                   WHEN 'jwt' THEN woesid_verify_jwt(s.arg, s.key, 'wpk_mem_jwt')
                   WHEN 'jwt_bytea' THEN woesid_verify_jwt(s.arg, decode(s.key, 'hex'), 'wpk_mem_jwt')
                   WHEN 'variables' THEN woesid_verify_variables(s.arg, s.key)
                   WHEN 'hmac' THEN woesid_hmac_email(s.arg, decode(s.key, 'hex'))
                   WHEN 'identify' THEN woesid_identify(s.widget, s.payload)
                   WHEN 'identify_dyn' THEN
                       woesid_identify(s.widget || :'batch' || '_' || g, s.payload)
                   END AS c,
                   CASE WHEN s.fn = 'email_hash' THEN woesid_email_hash(s.arg, decode(s.key, 'hex')) END AS hash
               OFFSET 0) AS v) AS t \gset
