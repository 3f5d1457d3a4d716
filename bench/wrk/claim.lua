-- Claims through `claim_listing`: every request a different listing (ids from $FIRST_ID on,
-- threads interleaved), each from the next of the clients whose cookies are in $COOKIES. Each
-- thread takes its own share of the clients, so the claims in flight at once are different
-- people's, as on the real site (one person's claims wait for each other: the fair share).
dofile(os.getenv("WRK_DIR") .. "/common.lua")
local base_init = init
local cookies, first, n, stride

function init(args)
  base_init(args)
  cookies = {}
  local all = lines_of("COOKIES")
  local threads = tonumber(os.getenv("THREADS"))
  for i = tid + 1, #all, threads do table.insert(cookies, all[i]) end
  first = tonumber(os.getenv("FIRST_ID"))
  stride = tonumber(os.getenv("THREADS"))
  n = 0
end

function request()
  n = n + 1
  local listing = first + tid + (n - 1) * stride
  return wrk.format("POST", "/api/claim_listing", {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Cookie"] = cookies[n % #cookies + 1],
  }, "listing_id=" .. listing)
end
