-- Listings :from to :to (ids in that order), from 100 businesses, all available for 30 days,
-- each with the same thumbnail. Run by bench/speed.sh with psql -v from=… -v to=….
INSERT INTO users (role, email, phone, password_hash, display_name, pickup_location, language, created_at)
SELECT 'business', 'bench-business-' || g || '@example.cm', '+237677' || lpad(g::text, 6, '0'),
  '!', 'Boulangerie ' || g, 'Rue ' || g || ', Akwa, Douala', 'en', now()
FROM generate_series(1, 100) g
ON CONFLICT DO NOTHING;
INSERT INTO images (key, content_type, width, height, bytes, created_at)
VALUES (repeat('ab', 32), 'image/jpeg', 400, 300, '\xffd8ffd9', now())
ON CONFLICT DO NOTHING;
INSERT INTO listings (id, business_id, item_name, quantity, unit, category, dietary_tags, description,
  available_until, thumb_key, status, round, created_at, updated_at)
SELECT g, b.first + g % 100, 'Pain complet ' || g, 12, 'loaves', 'bakery', '["vegan"]',
  'Baked this morning, still soft.', now() + interval '30 days' + g * interval '1 second',
  repeat('ab', 32), 'available', 1, now() - interval '1 day' + g * interval '1 millisecond', now()
FROM generate_series(:from, :to) g,
  (SELECT min(id) AS first FROM users WHERE email LIKE 'bench-business-%') b;
SELECT setval(pg_get_serial_sequence('listings', 'id'), (SELECT max(id) FROM listings));
-- Vacuumed as well as analysed: autovacuum would otherwise take a core for the newly inserted
-- rows in the middle of the next workload (the 1,000,000-listing step read 1.3-1.4x slower).
VACUUM (ANALYZE);
