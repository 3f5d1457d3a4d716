-- A claim's essential writes: the conditional update of the listing and the claim row, in one
-- transaction; each transaction a different listing (from :first on, clients interleaved:
-- pgbench keeps each client's :n, from -D n=0, across its transactions).
\set id :first + :client_id + :n * :clients
\set n :n + 1
BEGIN;
UPDATE "listings" SET "status" = 'claimed', "updated_at" = now()
  WHERE "id" = :id AND "status" = 'available' AND "available_until" > now() RETURNING *;
INSERT INTO "claims" ("listing_id", "client_id", "claimed_at", "round")
  VALUES (:id, :client, now(), 1) RETURNING *;
COMMIT;
