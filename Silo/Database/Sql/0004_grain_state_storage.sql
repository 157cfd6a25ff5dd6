-- IronOrleans PostgreSQL schema, step 4: how grain-state rows are stored.
--
-- The busiest rows are rewritten on every transaction they take part in (an index shard of names, a node's
-- member list, a shard of internal-IP claims): two to four writes per NIC created. With PostgreSQL's default
-- TOAST threshold (~2 KB) each such write of a row between 2 and 8 KB compresses the payload (pglz) and
-- replaces its out-of-line chunks: in the provisioning benchmark that was ~5.5 TOAST chunk inserts and as many
-- deletes per NIC. A target near the page size keeps rows up to ~8 KB inline and uncompressed; larger
-- states are still moved out of line. Orleans' binary payloads compress poorly (about 2:1), so the table
-- grows little. Storage parameters apply to rows written from now on; nothing is rewritten here.
ALTER TABLE orleans_grain_state SET (toast_tuple_target = 8160);
