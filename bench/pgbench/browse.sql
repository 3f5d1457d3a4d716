-- The first page of /browse and of list_listings (newest first), as the server sends it.
SELECT "listings"."id", "listings"."item_name", "listings"."quantity", "listings"."unit",
  "listings"."category", "listings"."dietary_tags", "listings"."available_until",
  "listings"."created_at", "listings"."thumb_key", "users"."display_name" AS "business_name",
  "users"."pickup_location" AS "pickup_location", "images"."width" AS "thumb_width",
  "images"."height" AS "thumb_height"
FROM "listings"
INNER JOIN "users" ON "listings"."business_id" = "users"."id"
LEFT JOIN "images" ON "listings"."thumb_key" = "images"."key"
WHERE "listings"."status" = 'available' AND "listings"."available_until" > now()
ORDER BY "listings"."created_at" DESC, "listings"."id" DESC
LIMIT 21;
