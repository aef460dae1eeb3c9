-- CREATE EXTENSION refuses a database that is not UTF8.
CREATE DATABASE woesid_latin1 ENCODING 'LATIN1' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0;
\c woesid_latin1
-- the CONTEXT lines vary with the server's version
\set SHOW_CONTEXT never
CREATE EXTENSION woesid;
\c contrib_regression
DROP DATABASE woesid_latin1;
