-- POST $WRK_BODY (a form) to $WRK_PATH, a server function, with a client's cookie ($COOKIE).
dofile(os.getenv("WRK_DIR") .. "/common.lua")
wrk.method = "POST"
wrk.path = os.getenv("WRK_PATH")
wrk.body = os.getenv("WRK_BODY") or ""
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Cookie"] = os.getenv("COOKIE")
