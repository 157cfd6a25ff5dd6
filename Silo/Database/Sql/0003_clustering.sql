-- IronOrleans PostgreSQL schema, step 3: cluster membership for Orleans.Clustering.AdoNet.
--
-- The provider's @DeploymentId is Orleans' ClusterId. Each cluster has one version row; the table
-- version is the optimistic-concurrency token of the whole membership table (every member row carries
-- the table's version as its ETag). Contract, as read from the 10.4.2 provider:
--   * InsertMembershipVersionKey runs when a silo initialises the table: create version 0 if missing and
--     return one row with one boolean column (true when this call created it).
--   * InsertMembershipKey / UpdateMembershipKey receive @Version = the table version the caller read
--     (TableVersion.Next() keeps the old ETag). They succeed only if the stored version still equals it,
--     bump it by one in the same statement, and return one row with one boolean column.
--   * MembershipReadRowKey / MembershipReadAllKey must return at least one row whenever the version row
--     exists: the version LEFT JOIN the members, with NULL member columns when there are none (the
--     provider reads row 0's "Version" and treats a NULL "StartTime" as "no member").
--   * Silos are keyed by (Address, Port, Generation); times are UTC and stored as timestamptz.
--   * SuspectTimes is the provider's own text encoding ("silo,date|silo,date"), stored verbatim.
--   * Status is Orleans' SiloStatus as an integer (3 = Active, 6 = Dead).

CREATE TABLE IF NOT EXISTS orleans_membership_version
(
    deploymentid varchar(150) NOT NULL,
    version      integer      NOT NULL DEFAULT 0,
    modifiedon   timestamptz  NOT NULL DEFAULT now(),
    CONSTRAINT pk_orleans_membership_version PRIMARY KEY (deploymentid)
);

CREATE TABLE IF NOT EXISTS orleans_membership
(
    deploymentid varchar(150) NOT NULL,
    address      varchar(45)  NOT NULL,
    port         integer      NOT NULL,
    generation   integer      NOT NULL,
    siloname     text         NOT NULL,
    hostname     text         NOT NULL,
    status       integer      NOT NULL,
    proxyport    integer      NOT NULL DEFAULT 0,
    suspecttimes text         NULL,
    starttime    timestamptz  NOT NULL,
    iamalivetime timestamptz  NOT NULL,
    CONSTRAINT pk_orleans_membership PRIMARY KEY (deploymentid, address, port, generation),
    CONSTRAINT fk_orleans_membership_version FOREIGN KEY (deploymentid)
        REFERENCES orleans_membership_version (deploymentid) ON DELETE CASCADE
);

INSERT INTO orleansquery (querykey, querytext) VALUES
('InsertMembershipVersionKey', $sql$
WITH created AS (
    INSERT INTO orleans_membership_version (deploymentid, version)
    VALUES (@DeploymentId, 0)
    ON CONFLICT (deploymentid) DO NOTHING
    RETURNING 1
)
SELECT EXISTS (SELECT 1 FROM created) AS "Created"
$sql$),
('InsertMembershipKey', $sql$
WITH bumped AS (
    UPDATE orleans_membership_version v
    SET version = v.version + 1,
        modifiedon = now()
    WHERE v.deploymentid = @DeploymentId
      AND v.version = @Version
      AND NOT EXISTS (
          SELECT 1 FROM orleans_membership m
          WHERE m.deploymentid = @DeploymentId
            AND m.address = @Address
            AND m.port = @Port
            AND m.generation = @Generation)
    RETURNING v.deploymentid
), inserted AS (
    INSERT INTO orleans_membership
        (deploymentid, address, port, generation, siloname, hostname, status, proxyport,
         starttime, iamalivetime)
    SELECT b.deploymentid, @Address, @Port, @Generation, @SiloName, @HostName, @Status, @ProxyPort,
           @StartTime, @IAmAliveTime
    FROM bumped b
    ON CONFLICT DO NOTHING
    RETURNING 1
)
SELECT EXISTS (SELECT 1 FROM inserted) AS "Inserted"
$sql$),
('UpdateMembershipKey', $sql$
WITH bumped AS (
    UPDATE orleans_membership_version v
    SET version = v.version + 1,
        modifiedon = now()
    WHERE v.deploymentid = @DeploymentId
      AND v.version = @Version
      AND EXISTS (
          SELECT 1 FROM orleans_membership m
          WHERE m.deploymentid = @DeploymentId
            AND m.address = @Address
            AND m.port = @Port
            AND m.generation = @Generation)
    RETURNING v.deploymentid
), updated AS (
    UPDATE orleans_membership m
    SET status = @Status,
        suspecttimes = @SuspectTimes,
        iamalivetime = @IAmAliveTime
    FROM bumped b
    WHERE m.deploymentid = b.deploymentid
      AND m.address = @Address
      AND m.port = @Port
      AND m.generation = @Generation
    RETURNING 1
)
SELECT EXISTS (SELECT 1 FROM updated) AS "Updated"
$sql$),
-- Heartbeat: deliberately does not touch the table version.
('UpdateIAmAlivetimeKey', $sql$
UPDATE orleans_membership
SET iamalivetime = @IAmAliveTime
WHERE deploymentid = @DeploymentId
  AND address = @Address
  AND port = @Port
  AND generation = @Generation
$sql$),
('MembershipReadRowKey', $sql$
SELECT v.version      AS "Version",
       m.address      AS "Address",
       m.port         AS "Port",
       m.generation   AS "Generation",
       m.siloname     AS "SiloName",
       m.hostname     AS "HostName",
       m.status       AS "Status",
       m.proxyport    AS "ProxyPort",
       m.suspecttimes AS "SuspectTimes",
       m.starttime    AS "StartTime",
       m.iamalivetime AS "IAmAliveTime"
FROM orleans_membership_version v
LEFT JOIN orleans_membership m
       ON m.deploymentid = v.deploymentid
      AND m.address = @Address
      AND m.port = @Port
      AND m.generation = @Generation
WHERE v.deploymentid = @DeploymentId
$sql$),
('MembershipReadAllKey', $sql$
SELECT v.version      AS "Version",
       m.address      AS "Address",
       m.port         AS "Port",
       m.generation   AS "Generation",
       m.siloname     AS "SiloName",
       m.hostname     AS "HostName",
       m.status       AS "Status",
       m.proxyport    AS "ProxyPort",
       m.suspecttimes AS "SuspectTimes",
       m.starttime    AS "StartTime",
       m.iamalivetime AS "IAmAliveTime"
FROM orleans_membership_version v
LEFT JOIN orleans_membership m
       ON m.deploymentid = v.deploymentid
WHERE v.deploymentid = @DeploymentId
ORDER BY m.address, m.port, m.generation
$sql$),
-- Clients ask for the gateways with @Status = 3 (Active); silos without a gateway have ProxyPort 0.
('GatewaysQueryKey', $sql$
SELECT m.address    AS "Address",
       m.proxyport  AS "ProxyPort",
       m.generation AS "Generation"
FROM orleans_membership m
WHERE m.deploymentid = @DeploymentId
  AND m.status = @Status
  AND m.proxyport > 0
$sql$),
('DeleteMembershipTableEntriesKey', $sql$
WITH members AS (
    DELETE FROM orleans_membership WHERE deploymentid = @DeploymentId
)
DELETE FROM orleans_membership_version WHERE deploymentid = @DeploymentId
$sql$),
-- @IAmAliveTime is the cut-off. Only rows already declared Dead (6) whose start and last heartbeat are
-- both older than the cut-off are removed; Active or Joining rows of crashed silos stay until the
-- membership protocol declares them dead. The table version is not bumped (dead rows carry no vote).
('CleanupDefunctSiloEntriesKey', $sql$
DELETE FROM orleans_membership
WHERE deploymentid = @DeploymentId
  AND status = 6
  AND iamalivetime < @IAmAliveTime
  AND starttime < @IAmAliveTime
$sql$)
ON CONFLICT (querykey) DO UPDATE SET querytext = EXCLUDED.querytext;
