-- IronOrleans PostgreSQL schema, step 1: the query table.
--
-- Orleans' ADO.NET providers run no SQL of their own: at start-up each one reads its statements from
-- this table ("SELECT QueryKey, QueryText FROM OrleansQuery", unquoted, so PostgreSQL folds it to
-- lower case) and then runs them with named parameters (@Name). Later steps insert one row per key.
-- Every statement here is idempotent; the migrator runs the steps in one transaction under an
-- advisory lock.

CREATE TABLE IF NOT EXISTS orleansquery
(
    querykey  varchar(64) NOT NULL,
    querytext text        NOT NULL,
    CONSTRAINT pk_orleansquery PRIMARY KEY (querykey)
);
