-- Logins through `login`, the clients of $LOGINS (lines "email password") in turn.
dofile(os.getenv("WRK_DIR") .. "/common.lua")
local base_init = init
local bodies, n

function init(args)
  base_init(args)
  bodies = {}
  for _, line in ipairs(lines_of("LOGINS")) do
    local email, password = line:match("^(%S+) (%S+)$")
    table.insert(bodies, "email=" .. email:gsub("@", "%%40") .. "&password=" .. password)
  end
  n = tid
end

function request()
  n = n + 1
  return wrk.format("POST", "/api/login", {
    ["Content-Type"] = "application/x-www-form-urlencoded",
  }, bodies[n % #bodies + 1])
end
