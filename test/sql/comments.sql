-- Catalog documentation: every object of the extension has a comment, and
-- so has every column of its tables, its view and its result type, so
-- \dT+, \df+, \d+ and \dy+ explain them.
CREATE FUNCTION undocumented() RETURNS SETOF text
LANGUAGE sql STABLE
AS $$
    WITH member AS (
        SELECT d.classid, d.objid
        FROM pg_depend AS d JOIN pg_extension AS e ON e.oid = d.refobjid
        WHERE d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e'
          AND e.extname = 'woesid'),
    rel AS (
        SELECT m.objid AS relid FROM member AS m WHERE m.classid = 'pg_class'::regclass
        UNION
        SELECT t.typrelid FROM member AS m JOIN pg_type AS t ON t.oid = m.objid
        WHERE m.classid = 'pg_type'::regclass AND t.typtype = 'c')
    SELECT pg_describe_object(m.classid, m.objid, 0)
    FROM member AS m
    WHERE obj_description(m.objid, m.classid::regclass::text) IS NULL
      -- array types, and the row types of tables and views (which newer
      -- servers list as members too), come with their objects
      AND NOT EXISTS (SELECT FROM pg_type AS t LEFT JOIN pg_class AS c ON c.oid = t.typrelid
                      WHERE m.classid = 'pg_type'::regclass AND t.oid = m.objid
                        AND (t.typcategory = 'A' OR c.relkind IN ('r', 'v')))
    UNION ALL
    SELECT format('column %s.%s', a.attrelid::regclass, a.attname)
    FROM rel JOIN pg_attribute AS a ON a.attrelid = rel.relid
    WHERE a.attnum > 0 AND NOT a.attisdropped AND col_description(a.attrelid, a.attnum) IS NULL
$$;

-- none without a comment
SELECT * FROM undocumented() AS without_comment ORDER BY 1;

-- (the check sees one: a member added without a comment)
CREATE FUNCTION woesid_undocumented() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;
ALTER EXTENSION woesid ADD FUNCTION woesid_undocumented();
CREATE TYPE woesid_undocumented_type AS (a int);
COMMENT ON TYPE woesid_undocumented_type IS 'documented, but not its attribute';
ALTER EXTENSION woesid ADD TYPE woesid_undocumented_type;
SELECT * FROM undocumented() AS without_comment ORDER BY 1;
ALTER EXTENSION woesid DROP FUNCTION woesid_undocumented();
ALTER EXTENSION woesid DROP TYPE woesid_undocumented_type;
DROP FUNCTION woesid_undocumented();
DROP TYPE woesid_undocumented_type;
DROP FUNCTION undocumented();
