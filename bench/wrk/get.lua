-- GET $WRK_PATH with a logged-in client's session cookie ($COOKIE).
dofile(os.getenv("WRK_DIR") .. "/common.lua")
wrk.method = "GET"
wrk.path = os.getenv("WRK_PATH")
wrk.headers["Cookie"] = os.getenv("COOKIE")
