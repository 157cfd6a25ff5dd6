-- IronOrleans PostgreSQL schema, step 2: grain state for Orleans.Persistence.AdoNet.
--
-- One row per (service, grain type, grain id). The provider passes the grain id split into
-- @GrainIdN0/@GrainIdN1 (Guid halves or 0/long key) plus @GrainIdExtensionString (key extension, or the
-- whole key for string-keyed grains, NULL when absent), and two 32-bit hashes (@GrainIdHash,
-- @GrainTypeHash) meant for indexing. Hashes can collide, so every statement also compares the full
-- identity. A NULL extension is stored as '' so that the unique index can enforce one row per grain.
--
-- Version semantics (the grain's ETag is the decimal text of "version"):
--   * a write/clear with ETag NULL only succeeds if no row exists yet (first write creates version 1);
--   * otherwise it only succeeds if the stored version equals @GrainStateVersion, and bumps it by one;
--   * every write/clear/delete statement returns exactly one row with one column, the new version, or
--     NULL on a version conflict. The provider turns NULL (empty text) into InconsistentStateException.

CREATE TABLE IF NOT EXISTS orleans_grain_state
(
    serviceid              varchar(150) NOT NULL,
    graintypehash          integer      NOT NULL,
    graintypestring        text         NOT NULL,
    grainidhash            integer      NOT NULL,
    grainidn0              bigint       NOT NULL,
    grainidn1              bigint       NOT NULL,
    grainidextensionstring text         NOT NULL DEFAULT '',
    payloadbinary          bytea        NULL,
    version                integer      NOT NULL,
    modifiedon             timestamptz  NOT NULL DEFAULT now()
);

-- Hashes first (they are what the provider is built around), md5 of the unbounded text columns so that
-- long generic type names or string keys cannot exceed the btree entry size.
CREATE UNIQUE INDEX IF NOT EXISTS ux_orleans_grain_state_grain
    ON orleans_grain_state (grainidhash, graintypehash, grainidn0, grainidn1, serviceid,
                            md5(graintypestring), md5(grainidextensionstring));

INSERT INTO orleansquery (querykey, querytext) VALUES
('ReadFromStorageKey', $sql$
SELECT s.payloadbinary AS "PayloadBinary",
       s.version       AS "Version"
FROM orleans_grain_state s
WHERE s.grainidhash = @GrainIdHash
  AND s.graintypehash = @GrainTypeHash
  AND s.grainidn0 = @GrainIdN0
  AND s.grainidn1 = @GrainIdN1
  AND s.serviceid = @ServiceId
  AND s.graintypestring = @GrainTypeString
  AND s.grainidextensionstring = COALESCE(@GrainIdExtensionString, '')
$sql$),
('WriteToStorageKey', $sql$
WITH updated AS (
    UPDATE orleans_grain_state s
    SET payloadbinary = @PayloadBinary,
        version = s.version + 1,
        modifiedon = now()
    WHERE @GrainStateVersion IS NOT NULL
      AND s.grainidhash = @GrainIdHash
      AND s.graintypehash = @GrainTypeHash
      AND s.grainidn0 = @GrainIdN0
      AND s.grainidn1 = @GrainIdN1
      AND s.serviceid = @ServiceId
      AND s.graintypestring = @GrainTypeString
      AND s.grainidextensionstring = COALESCE(@GrainIdExtensionString, '')
      AND s.version = @GrainStateVersion
    RETURNING s.version
), inserted AS (
    INSERT INTO orleans_grain_state
        (serviceid, graintypehash, graintypestring, grainidhash, grainidn0, grainidn1,
         grainidextensionstring, payloadbinary, version)
    SELECT @ServiceId, @GrainTypeHash, @GrainTypeString, @GrainIdHash, @GrainIdN0, @GrainIdN1,
           COALESCE(@GrainIdExtensionString, ''), @PayloadBinary, 1
    WHERE @GrainStateVersion IS NULL
    ON CONFLICT DO NOTHING
    RETURNING version
)
SELECT COALESCE((SELECT version FROM updated), (SELECT version FROM inserted)) AS "NewGrainStateVersion"
$sql$),
('ClearStorageKey', $sql$
WITH cleared AS (
    UPDATE orleans_grain_state s
    SET payloadbinary = NULL,
        version = s.version + 1,
        modifiedon = now()
    WHERE s.grainidhash = @GrainIdHash
      AND s.graintypehash = @GrainTypeHash
      AND s.grainidn0 = @GrainIdN0
      AND s.grainidn1 = @GrainIdN1
      AND s.serviceid = @ServiceId
      AND s.graintypestring = @GrainTypeString
      AND s.grainidextensionstring = COALESCE(@GrainIdExtensionString, '')
      AND s.version = @GrainStateVersion
    RETURNING s.version
)
SELECT (SELECT version FROM cleared) AS "NewGrainStateVersion"
$sql$),
-- Used instead of ClearStorageKey when AdoNetGrainStorageOptions.DeleteStateOnClear is true. The provider
-- treats a returned value equal to the old ETag as a conflict, so a successful delete returns old + 1.
('DeleteStorageKey', $sql$
WITH deleted AS (
    DELETE FROM orleans_grain_state s
    WHERE s.grainidhash = @GrainIdHash
      AND s.graintypehash = @GrainTypeHash
      AND s.grainidn0 = @GrainIdN0
      AND s.grainidn1 = @GrainIdN1
      AND s.serviceid = @ServiceId
      AND s.graintypestring = @GrainTypeString
      AND s.grainidextensionstring = COALESCE(@GrainIdExtensionString, '')
      AND s.version = @GrainStateVersion
    RETURNING s.version
)
SELECT (SELECT version + 1 FROM deleted) AS "NewGrainStateVersion"
$sql$)
ON CONFLICT (querykey) DO UPDATE SET querytext = EXCLUDED.querytext;
